package io.kinesisha.controller.operations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kinesisha.common.config.OrphanPolicy;
import io.kinesisha.controller.operations.OperationDriver.Report;
import io.kinesisha.controller.operations.OperationDriver.Result;
import io.kinesisha.controller.reconcile.OrphanReport;
import io.kinesisha.controller.reconcile.Reconciliation;
import io.kinesisha.controller.statemachine.Step;
import io.kinesisha.controller.verify.VerifyReport;
import io.kinesisha.testkit.LocalEnvironmentExtension;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

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

    @RegisterExtension
    final OrphanTestLoad load = new OrphanTestLoad();

    private final List<String> progress = load.progress;
    private HandReplicator replicator;

    @Test
    void aSwitchoverThenAFailbackLeavesNoOrphans() throws Exception {
        PairContext ctx = switchedOverWithLoad();

        OrphanReport before = report(ctx);
        assertThat(before.orphans())
                .as("records replicated back into the primary are not orphans: " + before.summary())
                .isZero();
        failBack(ctx);
        load.produce(ctx, ctx.primaryRegion(), "p2", 20);
        awaitReplicated(ctx);
        assertCleanBothWays(ctx);
    }

    @Test
    void orphansApplyAfterACompletedFailbackCopiesNothing() throws Exception {
        PairContext ctx = switchedOverWithLoad();
        failBack(ctx);
        load.produce(ctx, ctx.primaryRegion(), "p2", 20);
        awaitReplicated(ctx);

        OrphanReport applied = new Reconciliation(ctx, progress::add)
                .run(ctx.control().read(ctx.pair()), OrphanPolicy.REPUBLISH, true)
                .report();

        assertThat(applied.orphans())
                .as("forward copies after the failback are not orphans: " + applied.summary())
                .isZero();
        assertThat(applied.republish().copiedNow()).isZero();
        load.produce(ctx, ctx.primaryRegion(), "p3", 10);
        awaitReplicated(ctx);
        assertCleanBothWays(ctx);
    }

    @Test
    void aFailbackAbandonedAndRunAgainFindsOnlyTheRealOrphans() throws Exception {
        PairContext ctx = PAIRS.open(2);
        replicator = load.stoppedAfterTest(new HandReplicator(ctx).start());
        load.produce(ctx, ctx.primaryRegion(), "p1", 30);
        awaitReplicated(ctx);
        replicator.close(); // the outage: replication stops, the primary still acknowledges 10 records
        load.produce(ctx, ctx.primaryRegion(), "orphan", 10);
        Report failover = new OperationDriver(ctx, progress::add).failover("test outage");
        assertThat(failover.result()).as(failover.message()).isEqualTo(Result.COMPLETED);
        replicator = load.stoppedAfterTest(new HandReplicator(ctx).start());
        load.produce(ctx, ctx.secondaryRegion(), "s1", 20);

        load.runFailbackUntil(ctx, Step.AWAIT_REPLICATION_CATCH_UP, Duration.ofSeconds(20));
        Report abort = new OperationDriver(ctx, progress::add).abortFailback("operator changed their mind");
        assertThat(abort.result()).as(abort.message()).isEqualTo(Result.ABORTED);
        load.produce(ctx, ctx.secondaryRegion(), "s2", 10);
        awaitCount(ctx, ctx.primaryRegion(), 40 + 30);

        OrphanReport again = report(ctx);
        assertThat(again.orphans())
                .as("only the 10 unreplicated records: " + again.summary())
                .isEqualTo(10);
        assertThat(again.republish().alreadyCopied()).isEqualTo(10);
        assertThat(again.republish().remaining()).isZero();
        failBack(ctx);
        load.produce(ctx, ctx.primaryRegion(), "p2", 10);
        awaitReplicated(ctx);
        assertCleanBothWays(ctx, 10);
        assertThat(load.count(ctx, ctx.primaryRegion())).isEqualTo(load.written());
    }

    /** 40 records in the primary, a switchover, 40 in the secondary, replicated back. */
    private PairContext switchedOverWithLoad() throws Exception {
        PairContext ctx = PAIRS.open(2);
        replicator = load.stoppedAfterTest(new HandReplicator(ctx).start());
        load.produce(ctx, ctx.primaryRegion(), "p1", 40);
        Report switchover = new OperationDriver(ctx, progress::add)
                .switchover(Duration.ofSeconds(30), Duration.ofMillis(50), "test");
        assertThat(switchover.result()).as(switchover.message()).isEqualTo(Result.COMPLETED);
        load.produce(ctx, ctx.secondaryRegion(), "s1", 40);
        awaitReplicated(ctx);
        return ctx;
    }

    private void failBack(PairContext ctx) throws Exception {
        Report failback = PatientFailback.run(ctx, progress::add);
        assertThat(failback.result()).as(failback.message() + " " + progress).isEqualTo(Result.COMPLETED);
        assertThat(ctx.control().read(ctx.pair()).activeRegion()).isEqualTo(ctx.primaryRegion());
    }

    private OrphanReport report(PairContext ctx) {
        return new Reconciliation(ctx, progress::add)
                .run(ctx.control().read(ctx.pair()), OrphanPolicy.REPUBLISH, false)
                .report();
    }

    /** Both streams hold every record produced (republished orphans included) once. */
    private void awaitReplicated(PairContext ctx) {
        awaitCount(ctx, ctx.primaryRegion(), load.written());
        awaitCount(ctx, ctx.secondaryRegion(), load.written());
    }

    private void awaitCount(PairContext ctx, String region, int expected) {
        await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(200))
                .untilAsserted(() -> {
                    assertThat(replicator.failure()).isEmpty();
                    assertThat(load.count(ctx, region)).isGreaterThanOrEqualTo(expected);
                });
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
        for (String source : List.of(ctx.primaryRegion(), ctx.secondaryRegion())) {
            VerifyReport v = load.assertCleanFrom(ctx, source);
            if (republished == 0) {
                assertThat(v.orderViolations).as("order " + v.orderExamples).isZero();
            } else if (source.equals(ctx.primaryRegion())) {
                assertThat(v.orderViolations).as("order " + v.orderExamples).isLessThanOrEqualTo(republished);
                assertThat(v.orderExamples).allMatch(e -> e.contains(":orphan-"));
            }
        }
    }
}
