package io.kinesisha.controller.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kinesisha.common.config.OrphanPolicy;
import io.kinesisha.common.control.ControlRecord;
import io.kinesisha.common.control.ReplicationDirection;
import io.kinesisha.common.control.RepublishBatch;
import io.kinesisha.common.control.ShardProgress;
import io.kinesisha.controller.operations.LocalPair;
import io.kinesisha.controller.operations.LocalPairs;
import io.kinesisha.controller.operations.OperationDriver;
import io.kinesisha.controller.operations.PairContext;
import io.kinesisha.testkit.LocalEnvironment;
import io.kinesisha.testkit.LocalEnvironmentExtension;
import io.kinesisha.testkit.StreamContents;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequest;
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
    void anInterruptedBatchRecordsTheActiveStreamsTipsAndIsFinishedFromThem() throws Exception {
        Setup s = failedOverWithOrphans();
        KinesisClient active = s.ctx.kinesis(s.secondary);
        Map<String, String> tipsBefore = StreamTips.take(active, s.ctx.streamArn(s.secondary), s.ctx.clock());
        KinesisClient crashing = crashingPut(active, k -> true, () -> {});
        assertThatThrownBy(() -> republisher(s, crashing).republish(cutEpoch(s), find(s, crashing)))
                .hasMessageContaining("controller crashed during PutRecords");

        List<RepublishBatch> batches = s.ctx.ledger().batches(s.ctx.pair(), cutEpoch(s));
        assertThat(batches).hasSize(1);
        assertThat(batches.get(0).state()).isEqualTo(RepublishBatch.State.INTENDED);
        assertThat(batches.get(0).tips()).as("read back from the ledger").isEqualTo(tipsBefore);

        OrphanReport.Republish p = new Reconciliation(s.ctx, progress::add)
                .run(s.record(), OrphanPolicy.REPUBLISH, true)
                .report()
                .republish();
        assertThat(p.recognisedInInterruptedBatch())
                .isEqualTo(batches.get(0).orphanIds().size());
        assertThat(p.rewrittenFromInterruptedBatch()).isZero();
        assertThat(s.ctx.ledger().batches(s.ctx.pair(), cutEpoch(s)))
                .allMatch(b ->
                        b.state() == RepublishBatch.State.COPIED && !b.tips().isEmpty());
        assertThat(count(read(active, s.ctx.streamArn(s.secondary))))
                .isEqualTo(count(read(s.ctx.kinesis(s.primary), s.ctx.streamArn(s.primary))));
    }

    /** A batch an older version left INTENDED has no tips: it is finished as before, by content after the cut, and says so. */
    @Test
    void anInterruptedBatchWithoutTipsIsFinishedByContentAfterTheCut() throws Exception {
        Setup s = failedOverWithOrphans();
        OrphanFinder.Findings findings = find(s);
        List<Orphan> batch = new ArrayList<>(findings.orphans().stream()
                .collect(Collectors.toMap(Orphan::partitionKey, o -> o, (a, b) -> a, LinkedHashMap::new))
                .values());
        s.ctx.ledger()
                .putBatch(new RepublishBatch(
                        s.ctx.pair(),
                        cutEpoch(s),
                        0,
                        RepublishBatch.State.INTENDED,
                        batch.stream().map(Orphan::id).collect(Collectors.toList()),
                        List.of(),
                        java.time.Instant.now()));
        List<Orphan> landed = batch.subList(0, batch.size() / 2); // the old version's PutRecords landed half
        s.ctx.kinesis(s.secondary)
                .putRecords(b -> b.streamARN(s.ctx.streamArn(s.secondary))
                        .records(landed.stream()
                                .map(o -> PutRecordsRequestEntry.builder()
                                        .partitionKey(o.partitionKey())
                                        .data(SdkBytes.fromByteArray(o.data()))
                                        .build())
                                .collect(Collectors.toList())));

        OrphanReport.Republish p = new Reconciliation(s.ctx, progress::add)
                .run(s.record(), OrphanPolicy.REPUBLISH, true)
                .report()
                .republish();
        assertThat(p.interruptedBatchesByContent()).isEqualTo(1);
        assertThat(p.recognisedInInterruptedBatch()).isEqualTo(landed.size());
        assertThat(p.rewrittenFromInterruptedBatch()).isEqualTo(batch.size() - landed.size());
        assertThat(progress).anyMatch(line -> line.contains("recorded without the active stream's tips"));
        assertThat(count(read(s.ctx.kinesis(s.secondary), s.ctx.streamArn(s.secondary))))
                .isEqualTo(count(read(s.ctx.kinesis(s.primary), s.ctx.streamArn(s.primary))));
    }

    /**
     * Issue 14 item 2: a producer record identical to an orphan, written to the active stream before the republish, is
     * not taken for the orphan's copy when the batch was interrupted before that copy landed.
     */
    @Test
    void aProducersIdenticalRecordWrittenBeforeAnInterruptedBatchIsNotTakenForItsCopy() throws Exception {
        Setup s = failedOverWithOrphans();
        OrphanFinder.Findings findings = find(s);
        Orphan first = findings.orphans().get(0); // in batch 0
        String key = first.partitionKey();
        String payload = new String(first.data(), java.nio.charset.StandardCharsets.UTF_8);
        s.ctx.kinesis(s.secondary)
                .putRecord(b -> b.streamARN(s.ctx.streamArn(s.secondary))
                        .partitionKey(key)
                        .data(SdkBytes.fromByteArray(first.data())));

        // batch 0's PutRecords lands every entry but the one of that key, then the controller dies
        KinesisClient crashing = crashingPut(s.ctx.kinesis(s.secondary), k -> !k.equals(key), () -> {});
        assertThatThrownBy(() -> republisher(s, crashing).republish(cutEpoch(s), find(s, crashing)))
                .hasMessageContaining("controller crashed during PutRecords");

        OrphanReport r = new Reconciliation(s.ctx, progress::add)
                .run(s.record(), OrphanPolicy.REPUBLISH, true)
                .report();

        Map<String, Long> expected = count(read(s.ctx.kinesis(s.primary), s.ctx.streamArn(s.primary)));
        expected.merge(payload, 1L, Long::sum); // the producer's own record
        assertThat(count(read(s.ctx.kinesis(s.secondary), s.ctx.streamArn(s.secondary))))
                .as("every orphan exactly once, " + r.summary())
                .isEqualTo(expected);
        OrphanReport.Republish p = r.republish();
        long batchSize =
                findings.orphans().stream().map(Orphan::partitionKey).distinct().count();
        assertThat(p.recoveredFromInterruptedBatch()).isEqualTo(batchSize);
        assertThat(p.recognisedInInterruptedBatch()).as(r.summary()).isEqualTo(batchSize - 1);
        assertThat(p.rewrittenFromInterruptedBatch()).isEqualTo(1);
        assertThat(p.possibleDuplicates()).isZero();
        assertThat(p.interruptedBatchesByContent()).isZero();
    }

    /**
     * Issue 14 item 2: on keys whose payloads repeat (heartbeats), a producer writes the same bytes as an orphan after
     * the batch's PutRecords started, which landed only part of the batch: nothing is lost, and every copy that may
     * stand twice is counted and named.
     */
    @Test
    void identicalRecordsAProducerWritesDuringAnInterruptedBatchAreNeverTakenForMissingCopies() throws Exception {
        Setup s = failedOverWithOrphans(true, false);
        OrphanFinder.Findings findings = find(s);
        List<String> batchKeys =
                findings.orphans().stream().map(Orphan::partitionKey).distinct().collect(Collectors.toList());
        List<String> landing = batchKeys.subList(0, batchKeys.size() / 2);
        KinesisClient active = s.ctx.kinesis(s.secondary);
        Map<String, Long> produced = new TreeMap<>();
        KinesisClient crashing = crashingPut(active, landing::contains, () -> {
            for (String key : batchKeys) { // a heartbeat on every key, after the batch was intended
                active.putRecord(b -> b.streamARN(s.ctx.streamArn(s.secondary))
                        .partitionKey(key)
                        .data(SdkBytes.fromUtf8String(key + ":heartbeat")));
                produced.merge(key + ":heartbeat", 1L, Long::sum);
            }
        });
        assertThatThrownBy(() -> republisher(s, crashing).republish(cutEpoch(s), find(s, crashing)))
                .hasMessageContaining("controller crashed during PutRecords");

        OrphanReport r = new Reconciliation(s.ctx, progress::add)
                .run(s.record(), OrphanPolicy.REPUBLISH, true)
                .report();

        Map<String, Long> expected = count(read(s.ctx.kinesis(s.primary), s.ctx.streamArn(s.primary)));
        produced.forEach((p, n) -> expected.merge(p, n, Long::sum));
        Map<String, Long> actual = count(read(active, s.ctx.streamArn(s.secondary)));
        assertThat(actual.keySet()).isEqualTo(expected.keySet());
        expected.forEach((p, n) -> assertThat(actual.get(p))
                .as("nothing of " + p + " lost, " + r.summary())
                .isGreaterThanOrEqualTo(n));
        // every key of the batch had an identical record where its copy would land: each copy is written again and
        // named; the keys whose entries had landed now hold their copy twice, and only those
        OrphanReport.Republish p = r.republish();
        assertThat(p.recognisedInInterruptedBatch()).isZero();
        assertThat(p.rewrittenFromInterruptedBatch()).isEqualTo(batchKeys.size());
        assertThat(p.possibleDuplicates()).isEqualTo(batchKeys.size());
        assertThat(p.possibleDuplicateExamples())
                .hasSize(batchKeys.size())
                .allMatch(example -> batchKeys.stream().anyMatch(k -> example.endsWith(" key " + k)));
        long surplus = actual.entrySet().stream()
                .mapToLong(e -> e.getValue() - expected.get(e.getKey()))
                .sum();
        assertThat(surplus).as("the duplicates are the copies that had landed").isEqualTo(landing.size());
        assertThat(p.possibleDuplicates()).isGreaterThanOrEqualTo(surplus);
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

    private static long cutEpoch(Setup s) {
        return s.ctx.ledger()
                .latestCut(s.ctx.pair(), s.secondary, s.record().epoch())
                .orElseThrow()
                .epoch();
    }

    private static OrphanFinder.Findings find(Setup s) {
        return find(s, s.ctx.kinesis(s.secondary));
    }

    private static OrphanFinder.Findings find(Setup s, KinesisClient active) {
        return new OrphanFinder(s.ctx.store(), s.ctx.ledger(), s.ctx.pair())
                .find(
                        s.ctx.ledger()
                                .latestCut(s.ctx.pair(), s.secondary, s.record().epoch())
                                .orElseThrow(),
                        s.primary,
                        s.ctx.kinesis(s.primary),
                        s.ctx.streamArn(s.primary),
                        active,
                        s.ctx.streamArn(s.secondary),
                        "republish");
    }

    private OrphanRepublisher republisher(Setup s, KinesisClient active) {
        return new OrphanRepublisher(
                s.ctx.ledger(), active, s.ctx.streamArn(s.secondary), s.ctx.pair(), s.ctx.time(), progress::add);
    }

    /**
     * The active stream's client, except that PutRecords runs {@code during} (other writers), sends only the entries
     * whose key {@code lands} accepts and then fails as a controller dying before it recorded the call would.
     */
    @SuppressWarnings("unchecked")
    private static KinesisClient crashingPut(KinesisClient real, Predicate<String> lands, Runnable during) {
        return (KinesisClient) Proxy.newProxyInstance(
                KinesisClient.class.getClassLoader(), new Class<?>[] {KinesisClient.class}, (proxy, method, args) -> {
                    if (method.getName().equals("putRecords") && args != null && args.length == 1) {
                        PutRecordsRequest request;
                        if (args[0] instanceof PutRecordsRequest given) {
                            request = given;
                        } else {
                            PutRecordsRequest.Builder b = PutRecordsRequest.builder();
                            ((Consumer<PutRecordsRequest.Builder>) args[0]).accept(b);
                            request = b.build();
                        }
                        during.run();
                        List<PutRecordsRequestEntry> landing = request.records().stream()
                                .filter(e -> lands.test(e.partitionKey()))
                                .collect(Collectors.toList());
                        if (!landing.isEmpty()) {
                            real.putRecords(request.toBuilder().records(landing).build());
                        }
                        throw new IllegalStateException("controller crashed during PutRecords (" + landing.size()
                                + " of " + request.records().size() + " entries landed)");
                    }
                    try {
                        return method.invoke(real, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
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
