package io.kinesisha.controller.operations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.kinesisha.common.config.OrphanPolicy;
import io.kinesisha.controller.operations.OperationDriver.Report;
import io.kinesisha.controller.operations.OperationDriver.Result;
import io.kinesisha.controller.operations.steps.StepParameters;
import io.kinesisha.controller.reconcile.OrphanReport;
import io.kinesisha.controller.reconcile.Reconciliation;
import io.kinesisha.controller.statemachine.OperationRunner;
import io.kinesisha.controller.statemachine.Step;
import io.kinesisha.controller.verify.StreamScanner;
import io.kinesisha.controller.verify.StreamVerifier;
import io.kinesisha.controller.verify.VerifyReport;
import io.kinesisha.testkit.LocalEnvironmentExtension;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.core.SdkBytes;

/**
 * Records that reached the old primary by replication are never orphans, whatever the sequence of operations:
 * a switchover then a failback, a failback abandoned and run again, {@code orphans --apply} after a failback.
 * Keyed load (unique payloads, 10 keys over 2 shards) in whichever region is active; the replicator is played by
 * {@link HandReplicator}. Each ends with verify both ways: nothing lost, nothing copied twice or back.
 */
class FalseOrphansTest {
    @RegisterExtension
    static final LocalEnvironmentExtension LOCAL = new LocalEnvironmentExtension();

    @RegisterExtension
    static final LocalPairs PAIRS = new LocalPairs(LOCAL, "falseorphans");

    private final List<String> progress = new CopyOnWriteArrayList<>();
    private final Instant started = Instant.now().minusSeconds(60);
    private HandReplicator replicator;
    private int written;

    @AfterEach
    void stopReplicator() throws InterruptedException {
        if (replicator != null) {
            replicator.close();
        }
    }

    @Test
    void aSwitchoverThenAFailbackLeavesNoOrphans() throws Exception {
        PairContext ctx = switchedOverWithLoad();

        OrphanReport before = report(ctx);
        assertThat(before.orphans())
                .as("records replicated back into the primary are not orphans: " + before.summary())
                .isZero();
        failBack(ctx);
        produce(ctx, ctx.primaryRegion(), "p2", 20);
        awaitReplicated(ctx);
        assertCleanBothWays(ctx);
    }

    @Test
    void orphansApplyAfterACompletedFailbackCopiesNothing() throws Exception {
        PairContext ctx = switchedOverWithLoad();
        failBack(ctx);
        produce(ctx, ctx.primaryRegion(), "p2", 20);
        awaitReplicated(ctx);

        OrphanReport applied = new Reconciliation(ctx, progress::add)
                .run(ctx.control().read(ctx.pair()), OrphanPolicy.REPUBLISH, true)
                .report();

        assertThat(applied.orphans())
                .as("forward copies after the failback are not orphans: " + applied.summary())
                .isZero();
        assertThat(applied.republish().copiedNow()).isZero();
        produce(ctx, ctx.primaryRegion(), "p3", 10);
        awaitReplicated(ctx);
        assertCleanBothWays(ctx);
    }

    @Test
    void aFailbackAbandonedAndRunAgainFindsOnlyTheRealOrphans() throws Exception {
        PairContext ctx = PAIRS.open(2);
        replicator = new HandReplicator(ctx).start();
        produce(ctx, ctx.primaryRegion(), "p1", 30);
        awaitReplicated(ctx);
        replicator.close(); // the outage: replication stops, the primary still acknowledges 10 records
        produce(ctx, ctx.primaryRegion(), "orphan", 10);
        Report failover = new OperationDriver(ctx, progress::add).failover("test outage");
        assertThat(failover.result()).as(failover.message()).isEqualTo(Result.COMPLETED);
        replicator = new HandReplicator(ctx).start();
        produce(ctx, ctx.secondaryRegion(), "s1", 20);

        startFailbackAndStopAfter(ctx, Step.AWAIT_REPLICATION_CATCH_UP);
        Report abort = new OperationDriver(ctx, progress::add).abortFailback("operator changed their mind");
        assertThat(abort.result()).as(abort.message()).isEqualTo(Result.ABORTED);
        produce(ctx, ctx.secondaryRegion(), "s2", 10);
        awaitCount(ctx, ctx.primaryRegion(), 40 + 30);

        OrphanReport again = report(ctx);
        assertThat(again.orphans())
                .as("only the 10 unreplicated records: " + again.summary())
                .isEqualTo(10);
        assertThat(again.republish().alreadyCopied()).isEqualTo(10);
        assertThat(again.republish().remaining()).isZero();
        failBack(ctx);
        produce(ctx, ctx.primaryRegion(), "p2", 10);
        awaitReplicated(ctx);
        assertCleanBothWays(ctx, 10);
        assertThat(count(ctx, ctx.primaryRegion())).isEqualTo(written);
    }

    /** 40 records in the primary, a switchover, 40 in the secondary, replicated back. */
    private PairContext switchedOverWithLoad() throws Exception {
        PairContext ctx = PAIRS.open(2);
        replicator = new HandReplicator(ctx).start();
        produce(ctx, ctx.primaryRegion(), "p1", 40);
        Report switchover = new OperationDriver(ctx, progress::add)
                .switchover(Duration.ofSeconds(30), Duration.ofMillis(50), "test");
        assertThat(switchover.result()).as(switchover.message()).isEqualTo(Result.COMPLETED);
        produce(ctx, ctx.secondaryRegion(), "s1", 40);
        awaitReplicated(ctx);
        return ctx;
    }

    private void failBack(PairContext ctx) throws Exception {
        Report failback = new OperationDriver(ctx, progress::add).failback(Duration.ZERO, "test");
        assertThat(failback.result()).as(failback.message() + " " + progress).isEqualTo(Result.COMPLETED);
        assertThat(ctx.control().read(ctx.pair()).activeRegion()).isEqualTo(ctx.primaryRegion());
    }

    private OrphanReport report(PairContext ctx) {
        return new Reconciliation(ctx, progress::add)
                .run(ctx.control().read(ctx.pair()), OrphanPolicy.REPUBLISH, false)
                .report();
    }

    private void startFailbackAndStopAfter(PairContext ctx, Step last) {
        java.util.Map<String, String> params = new java.util.HashMap<>(
                OperationDriver.failoverParameters(ctx.control().read(ctx.pair())));
        params.put(StepParameters.DWELL.key(), "0");
        params.put(StepParameters.CATCH_UP_TIMEOUT.key(), "20000");
        assertThat(ctx.control()
                        .fire(
                                ctx.pair(),
                                io.kinesisha.controller.statemachine.PairEvent.FAILBACK_REQUESTED,
                                params,
                                java.util.Map.of("reason", "test"))
                        .applied())
                .isTrue();
        assertThatThrownBy(() -> new OperationRunner(ctx.control()).run(ctx.pair(), (step, op, record) -> {
                    if (op.currentStep() > 0 && op.steps().get(op.currentStep() - 1) == last) {
                        throw new IllegalStateException("controller stopped after " + last);
                    }
                    return new OperationDriver(ctx, progress::add)
                            .handler(op.type())
                            .run(step, op, record);
                }))
                .hasMessageContaining("controller stopped after " + last);
    }

    /** {@code n} records over 10 keys, one at a time (per-key order is the payload order). */
    private void produce(PairContext ctx, String region, String tag, int n) {
        for (int i = 0; i < n; i++) {
            String key = "k" + (i % 10);
            String payload = key + ":" + tag + "-" + i;
            ctx.kinesis(region)
                    .putRecord(b -> b.streamARN(ctx.streamArn(region))
                            .partitionKey(key)
                            .data(SdkBytes.fromUtf8String(payload)));
        }
        written += n;
    }

    /** Both streams hold every record produced (republished orphans included) once. */
    private void awaitReplicated(PairContext ctx) {
        awaitCount(ctx, ctx.primaryRegion(), written);
        awaitCount(ctx, ctx.secondaryRegion(), written);
    }

    private void awaitCount(PairContext ctx, String region, int expected) {
        await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(200))
                .untilAsserted(() -> {
                    assertThat(replicator.failure()).isEmpty();
                    assertThat(count(ctx, region)).isGreaterThanOrEqualTo(expected);
                });
    }

    private long count(PairContext ctx, String region) {
        return new StreamScanner(ctx.kinesis(region))
                .scan(ctx.streamArn(region), started, Instant.now().plusSeconds(60))
                .size();
    }

    private void assertCleanBothWays(PairContext ctx) {
        assertCleanBothWays(ctx, 0);
    }

    /**
     * Nothing lost, no duplicate, no loop; {@code republished} orphans land after newer records of their keys in the
     * active region (the report's keysOrderedAfterNewer), so at most that many copies are out of their key's order
     * seen from the primary (seen from the secondary the same inversion is counted on the newer records).
     */
    private void assertCleanBothWays(PairContext ctx, int republished) {
        Instant to = Instant.now().plusSeconds(60);
        for (String source : List.of(ctx.primaryRegion(), ctx.secondaryRegion())) {
            String target = ctx.other(source);
            VerifyReport v = new StreamVerifier(
                            new StreamScanner(ctx.kinesis(source)), new StreamScanner(ctx.kinesis(target)))
                    .verify(ctx.streamArn(source), ctx.streamArn(target), started, to, to);
            assertThat(v.missingInTarget)
                    .as(source + " -> " + target + " lost " + v.missingExamples)
                    .isZero();
            assertThat(v.unexpectedInTarget)
                    .as("unexpected " + v.unexpectedExamples)
                    .isZero();
            assertThat(v.duplicatesInTarget)
                    .as("duplicates/loops " + v.duplicateExamples)
                    .isZero();
            if (republished == 0) {
                assertThat(v.orderViolations).as("order " + v.orderExamples).isZero();
            } else if (source.equals(ctx.primaryRegion())) {
                assertThat(v.orderViolations).as("order " + v.orderExamples).isLessThanOrEqualTo(republished);
                assertThat(v.orderExamples).allMatch(e -> e.contains(":orphan-"));
            }
            assertThat(v.sourceRecords).as("records in " + source).isEqualTo(written);
        }
    }
}
