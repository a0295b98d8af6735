package io.kinesisha.controller.statemachine;

import static io.kinesisha.controller.statemachine.ControlPairFixture.PRIMARY;
import static io.kinesisha.controller.statemachine.ControlPairFixture.SECONDARY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kinesisha.common.control.AuditEntry;
import io.kinesisha.common.control.AuditEntry.Kind;
import io.kinesisha.common.control.ControlRecord;
import io.kinesisha.common.control.ControlStore;
import io.kinesisha.common.control.ReplicationDirection;
import io.kinesisha.controller.SimulatedClock;
import io.kinesisha.controller.actions.ActionResult;
import io.kinesisha.controller.actions.ReplicationAction;
import io.kinesisha.controller.statemachine.OperationRunner.StepResult;
import io.kinesisha.controller.statemachine.Outcome.Result;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The state machine on a real DynamoDB (DynamoDB Local over HTTP, as the controllers of two regions see it). */
class PairControlTest {
    private static final Instant T0 = Instant.parse("2026-11-21T10:00:00Z");

    @RegisterExtension
    static final ControlPairFixture CONTROL = new ControlPairFixture("orders", T0);

    private final SimulatedClock clock = SimulatedClock.stepping(T0);
    private String pair;

    @BeforeEach
    void usePair() {
        pair = CONTROL.pair();
    }

    @Test
    void racingControllersOneWinsTheOthersReReadAndStandDown() throws Exception {
        int racers = 4;
        BarrierClock clock = new BarrierClock(racers, T0.plusSeconds(60));
        List<PairControl> controllers = new ArrayList<>();
        for (int i = 0; i < racers; i++) {
            // each controller its own client, like Lambdas in two regions
            controllers.add(new PairControl(
                    store(i % 2 == 0 ? PRIMARY : SECONDARY), new StateMachine(), clock, "controller-" + i));
        }
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(racers);
        List<Future<Outcome>> futures = new ArrayList<>();
        for (PairControl c : controllers) {
            futures.add(pool.submit(() -> {
                go.await();
                return c.fire(
                        pair, PairEvent.PRIMARY_UNHEALTHY, Map.of("target", SECONDARY), Map.of("errorRate", "5%"));
            }));
        }
        go.countDown();
        List<Outcome> outcomes = new ArrayList<>();
        for (Future<Outcome> f : futures) {
            outcomes.add(f.get(60, TimeUnit.SECONDS));
        }
        pool.shutdown();

        List<Outcome> won =
                outcomes.stream().filter(o -> o.result() == Result.APPLIED).toList();
        List<Outcome> lost =
                outcomes.stream().filter(o -> o.result() == Result.LOST_RACE).toList();
        assertThat(won).hasSize(1);
        assertThat(lost).hasSize(racers - 1);
        ControlRecord stored = store(PRIMARY).read(pair).orElseThrow();
        assertThat(stored.version()).isEqualTo(2);
        assertThat(stored.state()).isEqualTo("FAILING_OVER");
        assertThat(OperationCodec.fromJson(stored.operation()).id())
                .isEqualTo(
                        OperationCodec.fromJson(won.get(0).record().operation()).id());
        // the losers stood down holding the winner's record, not their own proposal
        lost.forEach(o -> assertThat(o.record().operation()).isEqualTo(stored.operation()));
        // exactly one decision was recorded: a lost conditional write writes no audit item either
        List<AuditEntry> audit = store(PRIMARY).readAudit(pair, 10);
        assertThat(audit).hasSize(1);
        assertThat(audit.get(0).kind()).isEqualTo(Kind.DECISION);
        assertThat(audit.get(0).evidence()).containsEntry("errorRate", "5%").containsEntry("to", "FAILING_OVER");
    }

    @Test
    void rejectedEventsChangeNothingButAreAudited() {
        PairControl control = control("cli:alice");
        Outcome o = control.fire(pair, PairEvent.FAILBACK_REQUESTED, Map.of(), Map.of());

        assertThat(o.result()).isEqualTo(Result.REJECTED);
        assertThat(o.reason()).contains("primary is already active");
        assertThat(store(PRIMARY).read(pair).orElseThrow().version()).isEqualTo(1);
        AuditEntry entry = store(PRIMARY).readAudit(pair, 1).get(0);
        assertThat(entry.kind()).isEqualTo(Kind.DECISION);
        assertThat(entry.message()).startsWith("rejected FAILBACK_REQUESTED in ACTIVE_PRIMARY");
        assertThat(entry.evidence()).containsEntry("actor", "cli:alice");
    }

    @Test
    void aCrashedRunnerIsResumedAtTheRecordedStepAndFinishesTheOperation() throws Exception {
        PairControl first = control("controller-a");
        assertThat(first.fire(pair, PairEvent.FAILOVER_REQUESTED, Map.of("target", SECONDARY), Map.of())
                        .applied())
                .isTrue();
        Map<Step, Integer> runs = new EnumMap<>(Step.class);
        OperationRunner.StepHandler world = (step, op, record) -> {
            runs.merge(step, 1, Integer::sum);
            return switch (step) {
                case FENCE_REPLICATION ->
                    result(ReplicationAction.fence(first, record).execute());
                case ACTIVATE_SECONDARY ->
                    result(new ReplicationAction(first, pair, op.parameter("target"), null).execute());
                default -> StepResult.done(Map.of("step", step.name()));
            };
        };
        OperationRunner.StepHandler crashingAtConsumers = (step, op, record) -> {
            StepResult r = world.run(step, op, record);
            if (step == Step.START_CONSUMERS) {
                throw new IllegalStateException("controller crashed after starting consumers");
            }
            return r;
        };

        assertThatThrownBy(() -> new OperationRunner(first).run(pair, crashingAtConsumers))
                .hasMessageContaining("crashed");
        ControlRecord afterCrash = store(PRIMARY).read(pair).orElseThrow();
        assertThat(afterCrash.state()).isEqualTo("FAILING_OVER");
        assertThat(OperationCodec.fromJson(afterCrash.operation()).step()).isEqualTo(Step.START_CONSUMERS);

        Outcome done = new OperationRunner(control("controller-b")).run(pair, world);

        assertThat(done.result()).isEqualTo(Result.APPLIED);
        ControlRecord end = store(PRIMARY).read(pair).orElseThrow();
        assertThat(end.state()).isEqualTo("ACTIVE_SECONDARY");
        assertThat(end.activeRegion()).isEqualTo(SECONDARY);
        assertThat(end.direction()).isNull();
        assertThat(end.epoch())
                .as("fence and activation advanced the epoch once each, not again on resume")
                .isEqualTo(3);
        assertThat(end.operation()).isNull();
        assertThat(runs)
                .containsEntry(Step.FENCE_REPLICATION, 1)
                .containsEntry(Step.ACTIVATE_SECONDARY, 1)
                .containsEntry(Step.START_CONSUMERS, 2)
                .containsEntry(Step.STOP_CONSUMERS, 1)
                .containsEntry(Step.REDIRECT_PRODUCERS, 1)
                .containsEntry(Step.RESUME_PRODUCERS, 1);
        List<AuditEntry> audit = store(PRIMARY).readAudit(pair, 50);
        assertThat(audit.get(0).message()).contains("OPERATION_COMPLETED").contains("ACTIVE_SECONDARY");
        assertThat(audit).anyMatch(a -> a.message().contains("step START_CONSUMERS failed"));
        assertThat(audit).extracting(AuditEntry::at).isSortedAccordingTo((a, b) -> b.compareTo(a));
    }

    @Test
    void reRecordingAFinishedStepAndReRunningARouteChangeNothing() {
        PairControl control = control("controller-a");
        Outcome started = control.fire(pair, PairEvent.FAILOVER_REQUESTED, Map.of(), Map.of());
        Operation op = OperationCodec.fromJson(started.record().operation());
        ActionResult fenced = ReplicationAction.fence(control, started.record()).execute();
        assertThat(control.completeStep(pair, op.id(), Step.FENCE_REPLICATION, Map.of(), Map.of())
                        .applied())
                .isTrue();
        ControlRecord before = store(PRIMARY).read(pair).orElseThrow();

        ActionResult again = ReplicationAction.fence(control, before).execute();
        Outcome rerecorded = control.completeStep(pair, op.id(), Step.FENCE_REPLICATION, Map.of(), Map.of());

        assertThat(fenced.changed()).isTrue();
        assertThat(again.changed()).isFalse();
        assertThat(ReplicationAction.fence(control, before).describe()).isEmpty();
        assertThat(rerecorded.result()).isEqualTo(Result.UNCHANGED);
        ControlRecord after = store(PRIMARY).read(pair).orElseThrow();
        assertThat(after.version()).isEqualTo(before.version());
        assertThat(after.epoch()).isEqualTo(2);
        assertThat(control.completeStep(pair, op.id(), Step.STOP_CONSUMERS, Map.of(), Map.of())
                        .result())
                .as("steps cannot be skipped")
                .isEqualTo(Result.REJECTED);
    }

    @Test
    void anAbortDuringTheDrainResumesProducersAndClearsTheOperationInOneWrite() {
        PairControl control = control("cli:bob");
        Operation op = OperationCodec.fromJson(control.fire(pair, PairEvent.SWITCHOVER_REQUESTED, Map.of(), Map.of())
                .record()
                .operation());
        assertThat(control.setProducersPaused(pair, true, Map.of()).result()).isEqualTo(Result.APPLIED);
        assertThat(control.setProducersPaused(pair, true, Map.of()).result()).isEqualTo(Result.UNCHANGED);
        control.completeStep(pair, op.id(), Step.PAUSE_PRODUCERS, Map.of(), Map.of());

        Outcome aborted =
                control.fire(pair, PairEvent.OPERATION_ABORTED, Map.of(), Map.of("reason", "drain timed out"));

        assertThat(aborted.result()).isEqualTo(Result.APPLIED);
        ControlRecord after = store(PRIMARY).read(pair).orElseThrow();
        assertThat(after.state()).isEqualTo("ACTIVE_PRIMARY");
        assertThat(after.producersPaused()).isFalse();
        assertThat(after.operation()).isNull();
        assertThat(after.epoch()).as("nothing was fenced").isEqualTo(1);
    }

    @Test
    void completionIsRefusedUntilTheLastStepAndAbortOnlyBeforeFencing() {
        PairControl control = control("cli:bob");
        Outcome started = control.fire(pair, PairEvent.SWITCHOVER_REQUESTED, Map.of(), Map.of());
        Operation op = OperationCodec.fromJson(started.record().operation());

        assertThat(control.fire(pair, PairEvent.OPERATION_COMPLETED, Map.of(), Map.of())
                        .reason())
                .contains("step 1/" + op.steps().size());
        control.completeStep(pair, op.id(), Step.PAUSE_PRODUCERS, Map.of("previousReservedConcurrency", "5"), Map.of());
        control.completeStep(pair, op.id(), Step.AWAIT_REPLICATION_DRAIN, Map.of(), Map.of());
        control.completeStep(pair, op.id(), Step.FENCE_REPLICATION, Map.of(), Map.of());
        assertThat(control.fire(pair, PairEvent.OPERATION_ABORTED, Map.of(), Map.of())
                        .reason())
                .contains("already completed 3 step(s) (FENCE_REPLICATION last)");

        Outcome escalated = control.fire(pair, PairEvent.PRIMARY_UNHEALTHY, Map.of("reason", "primary down"), Map.of());
        Operation failover = OperationCodec.fromJson(escalated.record().operation());
        assertThat(escalated.record().state()).isEqualTo("FAILING_OVER");
        assertThat(failover.type()).isEqualTo(OperationType.FAILOVER);
        assertThat(failover.currentStep()).isZero();
        assertThat(failover.parameters())
                .as("escalation keeps what the switchover saved")
                .containsEntry("previousReservedConcurrency", "5")
                .containsEntry("reason", "primary down");
    }

    @Test
    void theKillSwitchIsOneAuditedWrite() {
        PairControl control = control("cli:carol");
        assertThat(control.setAutomationPaused(pair, true, "game day").applied())
                .isTrue();
        assertThat(control.setAutomationPaused(pair, true, "again").result()).isEqualTo(Result.UNCHANGED);
        ControlRecord r = store(PRIMARY).read(pair).orElseThrow();
        assertThat(r.automationPaused()).isTrue();
        assertThat(r.version()).isEqualTo(2);
        assertThat(store(PRIMARY).readAudit(pair, 5))
                .singleElement()
                .satisfies(a -> assertThat(a.evidence()).containsEntry("reason", "game day"));
    }

    @Test
    void operationsRoundTripThroughJson() {
        Operation op = Operation.start(OperationType.SWITCHOVER, Map.of("target", SECONDARY), T0)
                .advance(Step.PAUSE_PRODUCERS, T0.plusSeconds(5))
                .withParameter("x", "y", T0.plusSeconds(6));
        assertThat(OperationCodec.fromJson(OperationCodec.toJson(op))).isEqualTo(op);
        assertThat(OperationCodec.fromJson(null)).isNull();
        assertThatThrownBy(() -> OperationCodec.fromJson("{}")).isInstanceOf(IllegalArgumentException.class);
        assertThat(new ReplicationDirection(PRIMARY, SECONDARY).reversed().sourceRegion())
                .isEqualTo(SECONDARY);
    }

    private static StepResult result(ActionResult r) {
        return new StepResult(
                Map.of(),
                Map.of(
                        "changed",
                        Boolean.toString(r.changed()),
                        "calls",
                        r.calls().toString()));
    }

    private PairControl control(String actor) {
        return new PairControl(store(PRIMARY), new StateMachine(), clock, actor);
    }

    private static ControlStore store(String region) {
        return CONTROL.store(region);
    }
}
