package io.kinesisha.controller.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kinesisha.common.config.OrphanPolicy;
import io.kinesisha.common.control.ControlRecord;
import io.kinesisha.common.control.ReplicationDirection;
import io.kinesisha.common.control.ShardProgress;
import io.kinesisha.controller.operations.LocalPair;
import io.kinesisha.controller.operations.LocalPairs;
import io.kinesisha.controller.operations.OperationDriver;
import io.kinesisha.controller.operations.PairContext;
import io.kinesisha.testkit.LocalEnvironment;
import io.kinesisha.testkit.LocalEnvironmentExtension;
import io.kinesisha.testkit.StreamContents;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;
import software.amazon.awssdk.services.kinesis.model.Record;

/**
 * Orphans found exactly and reconciled once. The replicator's part is played by hand so the boundary is known:
 * per primary shard the first records are copied to the secondary and a progress row names the last of them; of the
 * rest, a few are copied too without a progress row (replicated after the last progress, before the fence); then
 * the pair fails over. The orphans are exactly the records after the progress rows less those late copies.
 */
class ReconciliationTest {
    @RegisterExtension
    static final LocalEnvironmentExtension LOCAL = new LocalEnvironmentExtension();

    @RegisterExtension
    static final LocalPairs PAIRS = new LocalPairs(LOCAL, "orphans");

    private final List<String> progress = new CopyOnWriteArrayList<>();

    @Test
    void findsExactlyTheUnreplicatedRecordsAndCopiesThemOnceWhenRunTwice() throws Exception {
        Setup s = failedOverWithOrphans();
        Reconciliation.Result first =
                new Reconciliation(s.ctx, progress::add).run(s.record(), OrphanPolicy.REPUBLISH, true);
        Reconciliation.Result second =
                new Reconciliation(s.ctx, progress::add).run(s.record(), OrphanPolicy.REPUBLISH, true);

        OrphanReport r = first.report();
        assertThat(r.orphans()).isEqualTo(s.expectedOrphans.size());
        assertThat(r.replicatedAfterLastProgress())
                .as("late copies recognised by content")
                .isEqualTo(s.lateCopies);
        assertThat(r.keys())
                .isEqualTo(s.expectedOrphans.stream()
                        .map(p -> p.substring(0, p.indexOf(':')))
                        .distinct()
                        .count());
        for (OrphanReport.ShardOrphans shard : r.shards()) {
            List<Record> expected = s.expectedByShard.get(shard.shardId());
            assertThat(shard.count()).isEqualTo(expected.size());
            assertThat(shard.firstSequenceNumber()).isEqualTo(expected.get(0).sequenceNumber());
            assertThat(shard.lastSequenceNumber())
                    .isEqualTo(expected.get(expected.size() - 1).sequenceNumber());
            assertThat(shard.firstArrival()).isEqualTo(expected.get(0).approximateArrivalTimestamp());
        }
        assertThat(r.republish().copiedNow()).isEqualTo(s.expectedOrphans.size());
        assertThat(second.report().republish().copiedNow())
                .as("the second run copies nothing")
                .isZero();
        assertThat(second.report().republish().alreadyCopied()).isEqualTo(s.expectedOrphans.size());
        assertThat(first.evidence()).containsEntry("orphans.count", Integer.toString(s.expectedOrphans.size()));

        Map<String, Long> inSecondary = count(read(s.ctx.kinesis(s.secondary), s.ctx.streamArn(s.secondary)));
        assertThat(inSecondary)
                .as("every primary record is in the secondary exactly once")
                .isEqualTo(count(read(s.ctx.kinesis(s.primary), s.ctx.streamArn(s.primary))));
    }

    @Test
    void identicalPayloadsOfAKeyAreCountedNotMatchedByBytes() throws Exception {
        assertIdenticalPayloadsReconciled(failedOverWithOrphans(true, false), 0);
    }

    @Test
    void identicalPayloadsAreCountedBetweenTheFlushMarksAndTheCut() throws Exception {
        Setup s = failedOverWithOrphans(true, true);
        ReplicationDirection forward = new ReplicationDirection(s.primary, s.secondary);
        assertThat(s.ctx.store().readProgress(s.ctx.pair(), forward, 1))
                .hasSize(2)
                .allMatch(row ->
                        row.markSequenceNumber() != null && !row.markTargets().isEmpty());
        // the secondary held a "k0:heartbeat" before this replication (counted from the stream's start it would
        // stand for an orphan); after the marks only this replication's copies count
        assertIdenticalPayloadsReconciled(s, 1);
    }

    private void assertIdenticalPayloadsReconciled(Setup s, long foreignK0) {
        Reconciliation.Result r =
                new Reconciliation(s.ctx, progress::add).run(s.record(), OrphanPolicy.REPUBLISH, true);

        assertThat(r.report().orphans()).as(r.report().summary()).isEqualTo(s.expectedOrphans.size());
        assertThat(r.report().replicatedAfterLastProgress()).isEqualTo(s.lateCopies);
        Map<String, Long> expected = count(read(s.ctx.kinesis(s.primary), s.ctx.streamArn(s.primary)));
        expected.merge("k0:heartbeat", foreignK0, Long::sum);
        assertThat(count(read(s.ctx.kinesis(s.secondary), s.ctx.streamArn(s.secondary))))
                .as("every primary record is in the secondary exactly once")
                .isEqualTo(expected);
    }

    @Test
    void aRunInterruptedBetweenTheCopyAndTheLedgerFinishesWithoutCopyingTwice() throws Exception {
        Setup s = failedOverWithOrphans();
        assertThatThrownBy(() -> new Reconciliation(s.ctx, progress::add)
                        .withHook(batch -> {
                            throw new IllegalStateException("controller died after batch " + batch);
                        })
                        .run(s.record(), OrphanPolicy.REPUBLISH, true))
                .hasMessageContaining("controller died after batch 0");

        Reconciliation.Result resumed =
                new Reconciliation(s.ctx, progress::add).run(s.record(), OrphanPolicy.REPUBLISH, true);

        OrphanReport.Republish p = resumed.report().republish();
        assertThat(p.recoveredFromInterruptedBatch())
                .as("the interrupted batch is found by content")
                .isPositive();
        assertThat(p.recoveredFromInterruptedBatch() + p.copiedNow()).isEqualTo(s.expectedOrphans.size());
        assertThat(count(read(s.ctx.kinesis(s.secondary), s.ctx.streamArn(s.secondary))))
                .isEqualTo(count(read(s.ctx.kinesis(s.primary), s.ctx.streamArn(s.primary))));
    }

    @Test
    void reportOnlyChangesNothing() throws Exception {
        Setup s = failedOverWithOrphans();
        List<Record> before = read(s.ctx.kinesis(s.secondary), s.ctx.streamArn(s.secondary));
        OrphanReport r = new Reconciliation(s.ctx, progress::add)
                .run(s.record(), OrphanPolicy.REPORT_ONLY, true)
                .report();
        assertThat(r.orphans()).isEqualTo(s.expectedOrphans.size());
        assertThat(r.republish().remaining()).isEqualTo(s.expectedOrphans.size());
        assertThat(r.note()).contains("report-only");
        assertThat(read(s.ctx.kinesis(s.secondary), s.ctx.streamArn(s.secondary)))
                .hasSameSizeAs(before);
    }

    @Test
    void failbackIsRefusedWhileThePrimaryIsBlackholedAndNothingChanges() throws Exception {
        Setup s = failedOverWithOrphans();
        LocalEnvironment env = LOCAL.env();
        env.primary().blackhole();
        try {
            ControlRecord before = s.record();
            OperationDriver.Report r = new OperationDriver(s.ctx, progress::add).failback(Duration.ZERO, "test");
            assertThat(r.result()).isEqualTo(OperationDriver.Result.REJECTED);
            assertThat(r.message()).contains("failback refused", s.primary, "not healthy");
            assertThat(s.record().version()).as("the record is untouched").isEqualTo(before.version());
            assertThatThrownBy(() -> io.kinesisha.replicator.ReplicationPlan.prepare(s.ctx.config(), true))
                    .hasMessageContaining("reverse replication refused")
                    .hasMessageContaining(s.primary);
        } finally {
            env.primary().restore();
        }
    }

    private record Setup(
            PairContext ctx,
            String primary,
            String secondary,
            List<String> expectedOrphans,
            Map<String, List<Record>> expectedByShard,
            long lateCopies) {
        ControlRecord record() {
            return ctx.control().read(ctx.pair());
        }
    }

    /** 120 records over 12 keys in 2 shards; per shard half "replicated" with a progress row, then 2 late copies. */
    private Setup failedOverWithOrphans() throws Exception {
        return failedOverWithOrphans(false, false);
    }

    /**
     * {@code identicalPayloads}: every record of a key carries the same bytes (a heartbeat); {@code flushMarks}: the
     * progress rows carry the writer's flush mark (one writer for both shards, as at parallelism 1).
     */
    private Setup failedOverWithOrphans(boolean identicalPayloads, boolean flushMarks) throws Exception {
        LocalEnvironment env = LOCAL.env();
        LocalPair pair = PAIRS.create(2);
        String name = pair.name;
        PairContext ctx = PAIRS.open(pair);
        String primary = env.primary().name();
        String secondary = env.secondary().name();
        KinesisClient west = ctx.kinesis(primary);
        KinesisClient east = ctx.kinesis(secondary);
        List<String> payloads = new ArrayList<>();
        for (int i = 0; i < 120; i++) {
            payloads.add("k" + (i % 12) + ":" + (identicalPayloads ? "heartbeat" : Integer.toString(i / 12)));
        }
        for (String p : payloads) { // one at a time: per-key order in the primary is the payload order
            west.putRecord(b -> b.streamARN(pair.primaryArn)
                    .partitionKey(p.substring(0, p.indexOf(':')))
                    .data(SdkBytes.fromUtf8String(p)));
        }
        ReplicationDirection forward = new ReplicationDirection(primary, secondary);
        long epoch = ctx.control().read(name).epoch();
        if (flushMarks) {
            east.putRecord(b ->
                    b.streamARN(pair.secondaryArn).partitionKey("k0").data(SdkBytes.fromUtf8String("k0:heartbeat")));
        }
        Map<String, List<Record>> byShard = read(west, pair.primaryArn).stream()
                .collect(Collectors.groupingBy(
                        r -> shardOf(west, pair.primaryArn, r), TreeMap::new, Collectors.toList()));
        List<String> expected = new ArrayList<>();
        Map<String, List<Record>> expectedByShard = new LinkedHashMap<>();
        long late = 0;
        Map<String, String> highest = new TreeMap<>();
        for (Map.Entry<String, List<Record>> shard : byShard.entrySet()) {
            List<Record> records = shard.getValue();
            int watermark = records.size() / 2;
            highest.putAll(copy(east, pair.secondaryArn, records.subList(0, watermark)));
            Record last = records.get(watermark - 1);
            ShardProgress row = new ShardProgress(
                    name,
                    forward,
                    epoch,
                    shard.getKey(),
                    last.sequenceNumber(),
                    last.approximateArrivalTimestamp().toEpochMilli(),
                    0,
                    null,
                    null,
                    watermark,
                    1,
                    false,
                    System.currentTimeMillis());
            ctx.store().putProgress(flushMarks ? row.withMark(last.sequenceNumber(), highest) : row);
            // the replicator copied the next two after its last progress row, then the outage
            highest.putAll(copy(east, pair.secondaryArn, records.subList(watermark, watermark + 2)));
            late += 2;
            List<Record> orphans = records.subList(watermark + 2, records.size());
            expectedByShard.put(shard.getKey(), orphans);
            orphans.forEach(r -> expected.add(r.data().asUtf8String()));
        }
        OperationDriver.Report failover = new OperationDriver(ctx, progress::add).failover("test outage");
        assertThat(failover.result()).as(failover.message()).isEqualTo(OperationDriver.Result.COMPLETED);
        return new Setup(ctx, primary, secondary, expected, expectedByShard, late);
    }

    private static final Map<String, String> SHARD_OF = new HashMap<>();

    private static String shardOf(KinesisClient k, String arn, Record r) {
        return SHARD_OF.get(arn + "@" + r.sequenceNumber());
    }

    /** Copies one at a time; returns the last (highest) position written per target shard. */
    private static Map<String, String> copy(KinesisClient east, String arn, List<Record> records) {
        Map<String, String> last = new HashMap<>();
        for (Record r : records) {
            var put = east.putRecords(b -> b.streamARN(arn)
                            .records(PutRecordsRequestEntry.builder()
                                    .partitionKey(r.partitionKey())
                                    .data(r.data())
                                    .build()))
                    .records()
                    .get(0);
            last.put(put.shardId(), put.sequenceNumber());
        }
        return last;
    }

    private static List<Record> read(KinesisClient k, String arn) {
        StreamContents contents = StreamContents.read(k, arn);
        contents.byShard()
                .forEach((shardId, records) ->
                        records.forEach(r -> SHARD_OF.put(arn + "@" + r.sequenceNumber(), shardId)));
        return contents.records();
    }

    private static Map<String, Long> count(List<Record> records) {
        return records.stream()
                .collect(Collectors.groupingBy(r -> r.data().asUtf8String(), TreeMap::new, Collectors.counting()));
    }
}
