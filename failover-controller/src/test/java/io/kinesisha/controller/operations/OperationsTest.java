package io.kinesisha.controller.operations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kinesisha.common.control.ActiveRegionResolver;
import io.kinesisha.common.control.AuditEntry;
import io.kinesisha.common.control.ControlRecord;
import io.kinesisha.common.control.ReplicationDirection;
import io.kinesisha.common.control.ShardProgress;
import io.kinesisha.controller.SimulatedClock;
import io.kinesisha.controller.operations.OperationDriver.Report;
import io.kinesisha.controller.operations.OperationDriver.Result;
import io.kinesisha.controller.statemachine.OperationRunner;
import io.kinesisha.controller.statemachine.OperationType;
import io.kinesisha.controller.statemachine.PairEvent;
import io.kinesisha.controller.statemachine.Step;
import io.kinesisha.controller.time.ControllerTime;
import io.kinesisha.testkit.LocalEnvironment;
import io.kinesisha.testkit.LocalEnvironmentExtension;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.PutRecordResponse;

/** Failover and switchover steps against the local environment, without a replicator (see the end-to-end test). */
class OperationsTest {
    @RegisterExtension
    static final LocalEnvironmentExtension LOCAL = new LocalEnvironmentExtension();

    private final List<String> progress = new CopyOnWriteArrayList<>();
    private final List<PairContext> opened = new ArrayList<>();

    @AfterEach
    void close() {
        opened.forEach(PairContext::close);
    }

    /** A pair whose controller waits on a simulated clock: the 13 s fence settle of a failover takes no real time. */
    private PairContext pair(String name) {
        return pair(name, SimulatedClock.stepping(Instant.now()).time());
    }

    private PairContext pair(String name, ControllerTime time) {
        LocalEnvironment env = LOCAL.env();
        LocalPair pair = new LocalPair(env, name, 2, Map.of());
        PairContext ctx = PairContext.open(pair.config, "test", time);
        opened.add(ctx);
        ctx.store().createTableIfMissing();
        ctx.store()
                .create(ControlRecord.initial(
                        name, env.primary().name(), env.secondary().name(), Instant.now()));
        return ctx;
    }

    @Test
    void failoverRecordsTheRpoEvidenceTranslatesConsumerPositionsAndPromotesTheSecondary() throws Exception {
        PairContext ctx = pair("fo");
        ReplicationDirection forward = new ReplicationDirection(ctx.primaryRegion(), ctx.secondaryRegion());
        // two source shards "replicated" into the secondary: real target records, progress rows naming them
        KinesisClient secondary = ctx.kinesis(ctx.secondaryRegion());
        for (int shard = 0; shard < 2; shard++) {
            String sourceShard = "shardId-00000000000" + shard;
            PutRecordResponse copy = secondary.putRecord(b -> b.streamARN(ctx.streamArn(ctx.secondaryRegion()))
                    .partitionKey("k" + sourceShard)
                    .data(SdkBytes.fromUtf8String("copy")));
            long now = System.currentTimeMillis();
            ctx.store()
                    .putProgress(new ShardProgress(
                            "fo",
                            forward,
                            1,
                            sourceShard,
                            "4960000000000000000000000000" + shard,
                            now - 2000,
                            150 + shard,
                            copy.shardId(),
                            copy.sequenceNumber(),
                            10,
                            3,
                            false,
                            now));
        }

        Report report = new OperationDriver(ctx, progress::add).failover("drill");

        assertThat(report.result()).as(report.message()).isEqualTo(Result.COMPLETED);
        ControlRecord after = ctx.control().read("fo");
        assertThat(after.state()).isEqualTo("ACTIVE_SECONDARY");
        assertThat(after.activeRegion()).isEqualTo(ctx.secondaryRegion());
        assertThat(after.direction())
                .as("replication stays stopped after an unplanned failover")
                .isNull();
        assertThat(after.epoch()).as("fenced, then promoted").isEqualTo(3);
        AuditEntry fence = audit(ctx, "completed step FENCE_REPLICATION");
        assertThat(fence.evidence())
                .containsEntry("rpo.shards", "2")
                .containsEntry("rpo.maxLagMillis", "151")
                .hasEntrySatisfying(
                        "rpo.shardId-000000000000",
                        v -> assertThat(v)
                                .startsWith("last=49600000000000000000000000000 ")
                                .contains("lagMillis=150")
                                .contains(" target=shardId-"))
                .hasEntrySatisfying("consumer.startMethod", v -> assertThat(v).startsWith("translated"));
        AuditEntry consumers = audit(ctx, "completed step START_CONSUMERS");
        assertThat(consumers.evidence())
                .containsKeys("consumer.position.shardId-000000000000", "consumer.position.shardId-000000000001");
        assertThat(audit(ctx, "completed step MARK_CUT").evidence())
                .as("no writer acknowledged: the full settle")
                .containsEntry("fence.acknowledged", "false")
                .containsEntry("fence.settledMillis", "13000");
        assertThat(progress).anyMatch(l -> l.contains("ACTIVATE_SECONDARY done"));
    }

    @Test
    void aFailoverInterruptedAfterFencingResumesAtTheRecordedStep() throws Exception {
        PairContext ctx = pair("crash");
        ctx.control()
                .fire(
                        "crash",
                        PairEvent.FAILOVER_REQUESTED,
                        OperationDriver.failoverParameters(ctx.control().read("crash")),
                        Map.of("reason", "test"));
        OperationSteps real =
                FailoverOperation.steps(new io.kinesisha.controller.operations.steps.StepSupport(ctx, progress::add));
        // the first controller dies while promoting: the fence is recorded, the promotion is not
        assertThatThrownBy(() -> new OperationRunner(ctx.control()).run("crash", (step, op, record) -> {
                    if (step == Step.ACTIVATE_SECONDARY) {
                        throw new IllegalStateException("controller crashed");
                    }
                    return real.run(step, op, record);
                }))
                .hasMessage("controller crashed");
        ControlRecord crashed = ctx.control().read("crash");
        assertThat(crashed.state()).isEqualTo("FAILING_OVER");
        assertThat(crashed.operation()).contains("\"currentStep\":2");
        assertThat(crashed.epoch()).isEqualTo(2);

        Report resumed = new OperationDriver(ctx, progress::add).failover("operator retries");

        assertThat(resumed.result()).as(resumed.message()).isEqualTo(Result.COMPLETED);
        assertThat(resumed.record().activeRegion()).isEqualTo(ctx.secondaryRegion());
        assertThat(resumed.record().epoch()).as("fenced once, promoted once").isEqualTo(3);
        List<AuditEntry> trail = ctx.store().readAudit("crash", 50);
        assertThat(trail)
                .filteredOn(a -> a.message().equals("completed step FENCE_REPLICATION"))
                .hasSize(1);
        assertThat(trail)
                .filteredOn(a -> a.message().startsWith("step ACTIVATE_SECONDARY failed"))
                .hasSize(1);
        assertThat(progress).anyMatch(l -> l.contains("resuming it"));
    }

    @Test
    void aSwitchoverThatCannotDrainIsAbortedAndProducersResumeInThePrimary() throws Exception {
        // real time: the resolver, polling every 100 ms, must see the pause between the two changes
        PairContext ctx = pair("nodrain", ControllerTime.system());
        // records in the primary and no replicator: the barrier can never pass
        KinesisClient primary = ctx.kinesis(ctx.primaryRegion());
        for (int i = 0; i < 5; i++) {
            int n = i;
            primary.putRecord(b -> b.streamARN(ctx.streamArn(ctx.primaryRegion()))
                    .partitionKey("k" + n)
                    .data(SdkBytes.fromUtf8String("r" + n)));
        }
        List<Boolean> pausedSeen = new CopyOnWriteArrayList<>();
        try (ActiveRegionResolver resolver = new ActiveRegionResolver(ctx.store(), "nodrain", Duration.ofMillis(100))) {
            resolver.addListener((before, now) -> pausedSeen.add(now.paused()));
            resolver.start();

            Report report =
                    new OperationDriver(ctx, progress::add).switchover(Duration.ofSeconds(1), Duration.ZERO, "test");

            assertThat(report.result()).isEqualTo(Result.ABORTED);
            assertThat(report.message())
                    .contains("did not drain within 1000 ms")
                    .contains("behind by 5 record(s)");
            ControlRecord after = ctx.control().read("nodrain");
            assertThat(after.state()).isEqualTo("ACTIVE_PRIMARY");
            assertThat(after.producersPaused()).isFalse();
            assertThat(after.operation()).isNull();
            assertThat(after.epoch()).as("nothing was fenced or moved").isEqualTo(1);
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(2)).until(() -> pausedSeen.size() >= 3);
            assertThat(pausedSeen).containsExactly(false, true, false);
        }
        assertThat(progress)
                .anyMatch(
                        l -> l.startsWith("waiting for replication to drain: ") && l.contains("behind by 5 record(s)"));
        assertThat(audit(ctx, "SWITCHING_OVER --OPERATION_ABORTED--> ACTIVE_PRIMARY")
                        .evidence())
                .hasEntrySatisfying("reason", v -> assertThat(v).contains("did not drain"));
    }

    @Test
    void aDryRunListsEveryStepWithItsCallsAndWritesNothing() {
        PairContext ctx = pair("dry");
        long version = ctx.control().read("dry").version();

        OperationDriver.Plan plan = new OperationDriver(ctx, progress::add).plan(PairEvent.SWITCHOVER_REQUESTED);

        assertThat(plan.allowed()).isTrue();
        assertThat(plan.transition())
                .isEqualTo("ACTIVE_PRIMARY --SWITCHOVER_REQUESTED--> SWITCHING_OVER (starts SWITCHOVER)");
        assertThat(plan.steps())
                .extracting(OperationDriver.PlannedStep::step)
                .containsExactlyElementsOf(OperationType.SWITCHOVER.steps());
        assertThat(plan.steps().get(0).calls()).singleElement().asString().contains("producersPaused=true");
        assertThat(ctx.control().read("dry").version()).isEqualTo(version);
        assertThat(ctx.store().readAudit("dry", 5)).isEmpty();
    }

    private static AuditEntry audit(PairContext ctx, String message) {
        return ctx.store().readAudit(ctx.pair(), 100).stream()
                .filter(a -> a.message().startsWith(message))
                .findFirst()
                .orElseThrow(() -> new AssertionError(
                        "no audit entry '" + message + "' in " + ctx.store().readAudit(ctx.pair(), 100)));
    }
}
