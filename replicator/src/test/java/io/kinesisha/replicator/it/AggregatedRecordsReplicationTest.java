package io.kinesisha.replicator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kinesisha.common.control.ShardProgress;
import io.kinesisha.common.kinesis.ShardListing;
import io.kinesisha.common.metrics.MetricNames;
import io.kinesisha.testkit.StreamContents;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.flink.api.common.JobID;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.Record;
import software.amazon.awssdk.services.kinesis.model.Shard;
import software.amazon.kinesis.retrieval.AggregatorUtil;
import software.amazon.kinesis.retrieval.KinesisClientRecord;

/**
 * KPL-aggregated records through the whole job, 4 source shards into 3 target shards, checked the way a KCL
 * consumer of the target sees them: KCL's own de-aggregation per target shard, which drops every user record
 * whose hash key falls outside the shard's range.
 */
class AggregatedRecordsReplicationTest {
    private static final Logger LOG = LoggerFactory.getLogger(AggregatedRecordsReplicationTest.class);

    private static final InMemoryReporter METRICS = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension
    static final RegionsAndFlink LOCAL = new RegionsAndFlink().reportingTo(METRICS);

    @Test
    void kclConsumersOfTheTargetSeeEveryUserRecordOnceInKeyOrder() throws Exception {
        ReplicationHarness pair = new ReplicationHarness(LOCAL.env(), "kpl", 4, 3, Map.of());
        KplLoad load = new KplLoad(150, 20);
        try (KinesisClient source =
                        LOCAL.env().clients().kinesis(LOCAL.env().primary().target());
                KinesisClient target =
                        LOCAL.env().clients().kinesis(LOCAL.env().secondary().target())) {
            JobClient job = pair.start(2);
            byte[] corrupted;
            try {
                load.write(source, pair.sourceArn, 3_000, 300, 40);
                corrupted = load.writeCorrupted(source, pair.sourceArn, "corrupt-1");
                LOG.info(
                        "source: {} user records in {} aggregates, {} plain records",
                        load.userRecords().size(),
                        load.aggregates(),
                        load.plainRecords().size());
                // the producer wrote what the KPL writes: KCL reads every user record back from the source
                assertThat(kclView(source, pair.sourceArn).payloads())
                        .containsExactlyInAnyOrderElementsOf(expected(load));

                await().atMost(Duration.ofMinutes(3))
                        .pollInterval(Duration.ofSeconds(1))
                        .until(() -> pair.recordsReplicated() == load.sourceRecords());
                // progress counts source records, and claims a shard's last one only once all its user records are in
                for (ShardProgress p : pair.progress()) {
                    assertThat(p.lastSequenceNumber())
                            .isEqualTo(lastSequenceOf(source, pair.sourceArn, p.sourceShardId()));
                }
                assertThat(sum(job.getJobID(), MetricNames.KPL_AGGREGATES)).isEqualTo(load.aggregates());
                assertThat(sum(job.getJobID(), MetricNames.KPL_USER_RECORDS))
                        .isEqualTo(load.userRecords().size());
                assertThat(sum(job.getJobID(), MetricNames.KPL_INVALID_AGGREGATES))
                        .isEqualTo(1);
            } finally {
                job.cancel().get();
            }
            assertThat(StreamContents.read(target, pair.targetArn).records())
                    .filteredOn(r -> r.partitionKey().equals("corrupt-1"))
                    .as("a record that is not a valid aggregate is copied byte-identical")
                    .singleElement()
                    .satisfies(r -> assertThat(r.data().asByteArray()).isEqualTo(corrupted));

            KclView copied = kclView(target, pair.targetArn);
            Map<String, Long> counts =
                    copied.payloads().stream().collect(Collectors.groupingBy(p -> p, Collectors.counting()));
            List<String> missing =
                    expected(load).stream().filter(p -> !counts.containsKey(p)).collect(Collectors.toList());
            LOG.info(
                    "target: {} records, KCL sees {} of {} records, {} missing, {} keys out of order",
                    copied.rawRecords,
                    copied.records.size(),
                    expected(load).size(),
                    missing.size(),
                    copied.keysOutOfOrder());
            assertThat(missing)
                    .as("user records a KCL consumer of the target never sees")
                    .isEmpty();
            assertThat(counts.keySet()).containsExactlyInAnyOrderElementsOf(expected(load));
            assertThat(counts.values()).as("no duplicates without failures").allMatch(n -> n == 1);
            assertThat(copied.records)
                    .as("partition key kept")
                    .allMatch(r -> r.payload.startsWith(r.partitionKey + ":"));
            assertThat(copied.keysInSeveralShards())
                    .as("a key's records all in one target shard")
                    .isEmpty();
            assertThat(copied.keysOutOfOrder())
                    .as("keys whose records a KCL consumer sees out of order")
                    .isEmpty();
            // user records with their own explicit hash key are routed by it, not by their partition key
            assertThat(copied.records)
                    .filteredOn(r -> r.partitionKey.startsWith("ehk-"))
                    .isNotEmpty()
                    .allMatch(r -> copied.holds(r.shardId, new BigInteger(load.explicitHashKey(r.partitionKey))));
        }
    }

    /** The last sequence number of a shard, read with GetRecords. */
    private static String lastSequenceOf(KinesisClient kinesis, String arn, String shardId) {
        return StreamContents.readShard(kinesis, arn, shardId).stream()
                .map(Record::sequenceNumber)
                .max(Comparator.comparing(BigInteger::new))
                .orElseThrow();
    }

    /** A metric summed over the writers of {@code job}. */
    private static long sum(JobID job, String metric) {
        long total = 0;
        for (Map.Entry<MetricGroup, Map<String, Metric>> group :
                METRICS.getMetricsByGroup().entrySet()) {
            Metric m = group.getValue().get(metric);
            if (m instanceof Counter
                    && job.toString().equals(group.getKey().getAllVariables().get("<job_id>"))) {
                total += ((Counter) m).getCount();
            }
        }
        return total;
    }

    private static List<String> expected(KplLoad load) {
        List<String> all = new ArrayList<>(load.userRecords());
        all.addAll(load.plainRecords());
        return all;
    }

    /** What KCL hands its record processors: each shard read in order and de-aggregated with the shard's hash range. */
    private static KclView kclView(KinesisClient kinesis, String streamArn) {
        KclView view = new KclView();
        AggregatorUtil aggregatorUtil = new AggregatorUtil();
        for (Shard shard : ShardListing.all(kinesis, streamArn)) {
            List<KinesisClientRecord> raw = StreamContents.readShard(kinesis, streamArn, shard.shardId()).stream()
                    .map(KinesisClientRecord::fromRecord)
                    .collect(Collectors.toList());
            view.rawRecords += raw.size();
            view.shards.put(shard.shardId(), shard);
            for (KinesisClientRecord r : aggregatorUtil.deaggregate(
                    raw,
                    shard.hashKeyRange().startingHashKey(),
                    shard.hashKeyRange().endingHashKey())) {
                if (r.partitionKey().startsWith("corrupt-")) {
                    continue; // checked byte by byte
                }
                view.records.add(new UserRecord(
                        shard.shardId(),
                        r.partitionKey(),
                        r.explicitHashKey(),
                        StandardCharsets.UTF_8.decode(r.data()).toString()));
            }
        }
        return view;
    }

    private static final class KclView {
        final List<UserRecord> records = new ArrayList<>();
        final Map<String, Shard> shards = new HashMap<>();
        int rawRecords;

        boolean holds(String shardId, BigInteger hashKey) {
            Shard shard = shards.get(shardId);
            return hashKey.compareTo(new BigInteger(shard.hashKeyRange().startingHashKey())) >= 0
                    && hashKey.compareTo(new BigInteger(shard.hashKeyRange().endingHashKey())) <= 0;
        }

        List<String> payloads() {
            return records.stream().map(r -> r.payload).collect(Collectors.toList());
        }

        List<String> keysInSeveralShards() {
            Map<String, String> shardOfKey = new HashMap<>();
            return records.stream()
                    .filter(r -> !shardOfKey
                            .computeIfAbsent(r.partitionKey, k -> r.shardId)
                            .equals(r.shardId))
                    .map(r -> r.partitionKey)
                    .distinct()
                    .collect(Collectors.toList());
        }

        /** Keys whose counters do not rise in the order the consumer sees them (records grouped per shard, in order). */
        List<String> keysOutOfOrder() {
            Map<String, Integer> last = new LinkedHashMap<>();
            List<String> violations = new ArrayList<>();
            for (UserRecord r : records) {
                int counter = Integer.parseInt(r.payload.substring(r.payload.lastIndexOf(':') + 1));
                Integer before = last.put(r.partitionKey, counter);
                if (before != null && before >= counter && !violations.contains(r.partitionKey)) {
                    violations.add(r.partitionKey);
                }
            }
            return violations;
        }
    }

    private static final class UserRecord {
        final String shardId;
        final String partitionKey;
        final String explicitHashKey;
        final String payload;

        UserRecord(String shardId, String partitionKey, String explicitHashKey, String payload) {
            this.shardId = shardId;
            this.partitionKey = partitionKey;
            this.explicitHashKey = explicitHashKey;
            this.payload = payload;
        }
    }
}
