package io.kinesisha.controller.statemachine;

import static io.kinesisha.controller.statemachine.ControlPairFixture.PRIMARY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kinesisha.common.control.AuditEntry;
import io.kinesisha.common.control.ControlStore;
import io.kinesisha.controller.SimulatedClock;
import io.kinesisha.controller.statemachine.OperationRunner.StepResult;
import io.kinesisha.controller.statemachine.Outcome.Result;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The runner lease on DynamoDB Local with a clock the test moves: a crashed runner's operation is taken over only
 * after its lease expired, and the runner that let it expire stands down before its next side effect, audited.
 */
class OperationLeaseTest {
    private static final Instant T0 = Instant.parse("2026-12-06T10:00:00Z");
    private static final Duration TTL = Duration.ofSeconds(60);

    @RegisterExtension
    static final ControlPairFixture CONTROL = new ControlPairFixture("lease", T0);

    private final SimulatedClock clock = SimulatedClock.stepping(T0);
    private String pair;
    private ControlStore store;

    @BeforeEach
    void usePair() {
        pair = CONTROL.pair();
        store = CONTROL.store(PRIMARY);
    }

    @Test
    void aCrashedRunnersOperationIsTakenOverOnlyOnceItsLeaseExpired() throws Exception {
        PairControl a = control("lambda:a");
        PairControl b = control("lambda:b");
        a.fire(pair, PairEvent.SWITCHOVER_REQUESTED, Map.of(), Map.of("reason", "test"));
        // runner a took the lease and died inside its first step without letting go
        assertThat(a.lease(pair).acquire("runs the switchover")).isTrue();
        List<Step> ranByB = new ArrayList<>();

        clock.advance(TTL.minusSeconds(1));
        Outcome early = new OperationRunner(b).run(pair, (step, op, record) -> {
            ranByB.add(step);
            return StepResult.done(Map.of());
        });

        assertThat(early.result()).isEqualTo(Result.LOST_RACE);
        assertThat(early.reason())
                .contains(
                        "runs elsewhere (runner lease held by " + a.lease(pair).owner() + " until 2026-12-06T10:01:00")
                .contains("stands down");
        assertThat(ranByB).isEmpty();

        clock.advance(Duration.ofSeconds(2));
        Outcome late = new OperationRunner(b).run(pair, (step, op, record) -> {
            ranByB.add(step);
            return StepResult.done(Map.of());
        });

        assertThat(late.result()).isEqualTo(Result.APPLIED);
        assertThat(ranByB).containsExactlyElementsOf(OperationType.SWITCHOVER.steps());
        assertThat(store.readLease(pair, OperationLease.NAME)).get().satisfies(l -> {
            assertThat(l.owner()).isEqualTo(b.lease(pair).owner());
            assertThat(l.heldAt(clock.millis())).as("released at the end").isFalse();
        });
    }

    @Test
    void aRunnerThatLostItsLeaseStandsDownBeforeItsNextSideEffectAndAuditsIt() throws Exception {
        PairControl a = control("lambda:a");
        PairControl b = control("cli:operator");
        a.fire(pair, PairEvent.SWITCHOVER_REQUESTED, Map.of(), Map.of("reason", "test"));
        List<String> effects = new ArrayList<>();

        Outcome outcome = new OperationRunner(a).run(pair, (step, op, record) -> {
            a.lease(pair).check("pause producer 1");
            effects.add("pause producer 1");
            clock.advance(TTL.plusSeconds(1)); // a froze longer than its lease; b took over
            assertThat(b.lease(pair).acquire("took over")).isTrue();
            a.lease(pair).check("pause producer 2");
            effects.add("pause producer 2");
            return StepResult.done(Map.of());
        });

        assertThat(outcome.result()).isEqualTo(Result.LOST_RACE);
        assertThat(outcome.reason())
                .contains("lost the operation lease")
                .contains(b.lease(pair).owner())
                .contains("standing down before pause producer 2");
        assertThat(effects).containsExactly("pause producer 1");
        assertThat(store.readAudit(pair, 10))
                .map(AuditEntry::message)
                .anyMatch(m -> m.startsWith("runner " + a.lease(pair).owner() + " stood down at step PAUSE_PRODUCERS"));
        assertThat(OperationCodec.fromJson(a.read(pair).operation()).currentStep())
                .as("nothing recorded")
                .isZero();
    }

    @Test
    void aRunnerWhoseStepAnotherRunnerRecordedStandsDownEvenIfTheLeaseCameFree() throws Exception {
        PairControl a = control("lambda:a");
        PairControl b = control("lambda:b");
        a.fire(pair, PairEvent.SWITCHOVER_REQUESTED, Map.of(), Map.of("reason", "test"));
        List<String> effects = new ArrayList<>();

        Outcome outcome = new OperationRunner(a).run(pair, (step, op, record) -> {
            clock.advance(TTL.plusSeconds(1)); // a froze; b ran PAUSE_PRODUCERS, then stopped and let go
            assertThatThrownBy(() -> new OperationRunner(b).run(pair, (bStep, bOp, bRecord) -> {
                        if (bStep != Step.PAUSE_PRODUCERS) {
                            throw new IllegalStateException("b stops at " + bStep);
                        }
                        effects.add("b " + bStep);
                        return StepResult.done(Map.of());
                    }))
                    .hasMessageContaining("b stops at AWAIT_REPLICATION_DRAIN");
            a.lease(pair).check("pause producers");
            effects.add("a " + step);
            return StepResult.done(Map.of());
        });

        assertThat(outcome.result()).isEqualTo(Result.LOST_RACE);
        assertThat(outcome.reason()).contains("moved on from step 1 PAUSE_PRODUCERS to step 2 AWAIT_REPLICATION_DRAIN");
        assertThat(effects).containsExactly("b PAUSE_PRODUCERS");
    }

    @Test
    void aLoopThreadBesideACommandInOneProcessIsASecondRunner() throws Exception {
        PairControl process = control("cli:game-day");
        process.fire(pair, PairEvent.SWITCHOVER_REQUESTED, Map.of(), Map.of("reason", "test"));
        assertThat(process.lease(pair).acquire("the command runs the switchover"))
                .isTrue();

        Outcome loop = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                    try {
                        return new OperationRunner(process).run(pair, (step, op, record) -> StepResult.done(Map.of()));
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                })
                .get(30, java.util.concurrent.TimeUnit.SECONDS);

        assertThat(loop.result()).as(loop.reason()).isEqualTo(Result.LOST_RACE);
        assertThat(OperationCodec.fromJson(process.read(pair).operation()).currentStep())
                .isZero();
    }

    @Test
    void anAbortWaitingForTheLeaseWaitsOnTheControllerClockUntilACrashedRunnersLeaseExpires() throws Exception {
        PairControl a = control("lambda:a");
        PairControl cli = new PairControl(store, new StateMachine(), clock.time(), "cli:operator", TTL);
        a.fire(pair, PairEvent.SWITCHOVER_REQUESTED, Map.of(), Map.of("reason", "test"));
        assertThat(a.lease(pair).acquire("runs the switchover")).isTrue(); // and dies holding it
        List<String> told = new ArrayList<>();

        boolean tooShort = cli.lease(pair).await("abort", TTL.minusSeconds(10), Duration.ofSeconds(1), told::add);

        assertThat(tooShort).as("still held after 50 s").isFalse();
        assertThat(told).singleElement().asString().contains(a.lease(pair).owner());
        Instant gaveUp = clock.instant();
        assertThat(gaveUp).isBetween(T0.plus(TTL).minusSeconds(10), T0.plus(TTL));

        boolean taken = cli.lease(pair).await("abort", TTL, Duration.ofSeconds(1), told::add);

        assertThat(taken).as("taken once a's lease expired, in no real time").isTrue();
        assertThat(clock.instant()).isBetween(T0.plus(TTL), T0.plus(TTL).plusSeconds(2));
        assertThat(cli.lease(pair).holder())
                .hasValueSatisfying(
                        l -> assertThat(l.owner()).isEqualTo(cli.lease(pair).owner()));
    }

    private PairControl control(String actor) {
        return new PairControl(store, new StateMachine(), clock, actor, TTL);
    }
}
