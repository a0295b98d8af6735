package io.kinesisha.controller.operations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.kinesisha.common.config.OrphanPolicy;
import io.kinesisha.common.control.ReplicationDirection;
import io.kinesisha.common.control.RepublishBatch;
import io.kinesisha.controller.operations.OperationDriver.Report;
import io.kinesisha.controller.operations.OperationDriver.Result;
import io.kinesisha.controller.reconcile.OrphanReport;
import io.kinesisha.controller.reconcile.Reconciliation;
import io.kinesisha.controller.statemachine.Step;
import io.kinesisha.replicator.follow.ReplicatorSupervisor;
import io.kinesisha.testkit.LocalEnvironmentExtension;
import io.kinesisha.testkit.StreamContents;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Orphans republished into the active region while a {@code --follow} replicator already replicates out of it (a
 * failback stopped after it started reverse replication, then {@code orphans --apply}) are never copied back to the
 * old primary they came from: the real replicator job (through {@link ReplicatorSupervisor}, as
 * {@code ./kinesis-ha replicate --follow} runs it) recognises every copy by its position in the ledger, also when
 * the copy landed before the ledger recorded it (a republish interrupted between PutRecords and COPIED).
 */
class FollowReplicatorOrphansTest {
    @RegisterExtension
    static final LocalEnvironmentExtension LOCAL = new LocalEnvironmentExtension();

    @RegisterExtension
    static final LocalPairs PAIRS = new LocalPairs(LOCAL, "followorphans");

    private static final int ORPHANS = 10;
    private static final java.util.concurrent.atomic.AtomicInteger PAIR_NUMBER =
            new java.util.concurrent.atomic.AtomicInteger();

    @RegisterExtension
    final OrphanTestLoad load = new OrphanTestLoad();

    private final List<String> progress = load.progress;
    private ReplicatorSupervisor replicator;

    @Test
    void orphansApplyWhileFollowingReplicatesOutOfTheActiveRegionCopiesNothingBack() throws Exception {
        PairContext ctx = reverseReplicationRunningWithUncopiedOrphans();

        OrphanReport applied = new Reconciliation(ctx, progress::add)
                .run(ctx.control().read(ctx.pair()), OrphanPolicy.REPUBLISH, true)
                .report();
        assertThat(applied.republish().copiedNow()).as(applied.summary()).isEqualTo(ORPHANS);
        load.produce(ctx, ctx.secondaryRegion(), "s2", 10);

        awaitPayloads(ctx, ctx.primaryRegion(), "s2", 10);
        assertCleanBothWays(ctx);
    }

    @Test
    void copiesThatLandedBeforeTheLedgerRecordedThemAreHeldThenPassedOver() throws Exception {
        PairContext ctx = reverseReplicationRunningWithUncopiedOrphans();
        int inPrimary = load.written();

        assertThatThrownBy(() -> new Reconciliation(ctx, progress::add)
                        .withHook(batch -> {
                            throw new IllegalStateException("controller crashed after PutRecords of batch " + batch);
                        })
                        .run(ctx.control().read(ctx.pair()), OrphanPolicy.REPUBLISH, true))
                .hasMessageContaining("controller crashed");
        assertThat(intendedBatches(ctx))
                .as("the crash leaves the batch INTENDED")
                .isEqualTo(1);
        load.produce(ctx, ctx.secondaryRegion(), "s2", 10);

        // the copies are in the secondary, the ledger does not name them yet: replication out of it must hold
        await().during(Duration.ofSeconds(4))
                .atMost(Duration.ofSeconds(8))
                .pollInterval(Duration.ofMillis(250))
                .untilAsserted(
                        () -> assertThat(load.count(ctx, ctx.primaryRegion())).isEqualTo(inPrimary));

        OrphanReport finished = new Reconciliation(ctx, progress::add)
                .run(ctx.control().read(ctx.pair()), OrphanPolicy.REPUBLISH, true)
                .report();
        assertThat(finished.republish().recoveredFromInterruptedBatch())
                .as(finished.summary())
                .isEqualTo(ORPHANS);
        assertThat(intendedBatches(ctx)).isZero();
        awaitPayloads(ctx, ctx.primaryRegion(), "s2", 10);
        assertCleanBothWays(ctx);
    }

    /**
     * Forward replication by the follow replicator, an outage that leaves {@link #ORPHANS} records in the primary only,
     * a failover, load in the secondary, then a failback under the report-only policy stopped once reverse replication
     * (run by the same follow replicator) has caught up, and abandoned: the orphans are found, not yet copied.
     */
    private PairContext reverseReplicationRunningWithUncopiedOrphans() throws Exception {
        LocalPair pair = new LocalPair(
                LOCAL.env(),
                "followorphans" + PAIR_NUMBER.incrementAndGet(),
                2,
                Map.of(
                        "failover.fence-settle-ms",
                        "0",
                        "failback.orphan-policy",
                        "report-only",
                        "replication.reader",
                        "polling"));
        PairContext ctx = PAIRS.open(pair);
        replicator = follow(pair);
        load.produce(ctx, ctx.primaryRegion(), "p1", 30);
        awaitCount(ctx, ctx.secondaryRegion(), 30);
        replicator.close(); // the outage: replication stops, the primary still acknowledges the orphans
        replicator = null;
        load.produce(ctx, ctx.primaryRegion(), "orphan", ORPHANS);
        Report failover = new OperationDriver(ctx, progress::add).failover("test outage");
        assertThat(failover.result()).as(failover.message()).isEqualTo(Result.COMPLETED);
        replicator = follow(pair);
        load.produce(ctx, ctx.secondaryRegion(), "s1", 20);

        load.runFailbackUntil(ctx, Step.AWAIT_REPLICATION_CATCH_UP, Duration.ofSeconds(60));
        Report abort = new OperationDriver(ctx, progress::add).abortFailback("operator changed their mind");
        assertThat(abort.result()).as(abort.message()).isEqualTo(Result.ABORTED);
        ReplicationDirection reverse = new ReplicationDirection(ctx.secondaryRegion(), ctx.primaryRegion());
        assertThat(ctx.control().read(ctx.pair()).direction()).isEqualTo(reverse);
        awaitCount(ctx, ctx.primaryRegion(), load.written());
        await().atMost(Duration.ofSeconds(30))
                .until(() -> replicator.direction().equals(Optional.of(reverse)));
        return ctx;
    }

    private ReplicatorSupervisor follow(LocalPair pair) {
        return load.stoppedAfterTest(
                new ReplicatorSupervisor(pair.config, 1, Duration.ofMillis(250), progress::add).start());
    }

    private long intendedBatches(PairContext ctx) {
        long cutEpoch = ctx.ledger()
                .latestCut(
                        ctx.pair(),
                        ctx.secondaryRegion(),
                        ctx.control().read(ctx.pair()).epoch())
                .orElseThrow()
                .epoch();
        return ctx.ledger().batches(ctx.pair(), cutEpoch).stream()
                .filter(b -> b.state() == RepublishBatch.State.INTENDED)
                .count();
    }

    private void awaitCount(PairContext ctx, String region, int expected) {
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(250))
                .untilAsserted(() -> assertThat(load.count(ctx, region))
                        .as(region + " " + replicator.lastError())
                        .isGreaterThanOrEqualTo(expected));
    }

    /** Waits until {@code region} holds every {@code tag} record: replication has passed everything written before. */
    private void awaitPayloads(PairContext ctx, String region, String tag, int n) {
        Set<String> wanted = java.util.stream.IntStream.range(0, n)
                .mapToObj(i -> "k" + (i % 10) + ":" + tag + "-" + i)
                .collect(Collectors.toSet());
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(250))
                .untilAsserted(() -> assertThat(payloads(ctx, region))
                        .as(region + " " + replicator.lastError())
                        .containsAll(wanted));
    }

    private List<String> payloads(PairContext ctx, String region) {
        return StreamContents.read(ctx.kinesis(region), ctx.streamArn(region)).records().stream()
                .map(StreamContents::payload)
                .collect(Collectors.toList());
    }

    /**
     * Nothing lost, nothing copied twice or back; the republished orphans land after newer records of their keys in
     * the secondary, so seen from the primary at most that many copies are out of their key's order.
     */
    private void assertCleanBothWays(PairContext ctx) {
        for (String source : List.of(ctx.primaryRegion(), ctx.secondaryRegion())) {
            load.assertCleanFrom(ctx, source);
        }
    }
}
