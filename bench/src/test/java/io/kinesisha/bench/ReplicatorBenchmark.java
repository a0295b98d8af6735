package io.kinesisha.bench;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.sun.management.OperatingSystemMXBean;
import io.kinesisha.common.aws.AwsClientFactory;
import io.kinesisha.common.aws.ClientTuning;
import io.kinesisha.common.config.ReplicationPairConfig;
import io.kinesisha.common.control.ControlStore;
import io.kinesisha.common.control.ReplicationDirection;
import io.kinesisha.common.control.ShardProgress;
import io.kinesisha.common.local.LocalEnvironment;
import io.kinesisha.common.local.LocalRegion;
import io.kinesisha.replicator.ReplicationPlan;
import io.kinesisha.replicator.Replicator;
import java.lang.management.ManagementFactory;
import java.math.BigInteger;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.locks.LockSupport;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;
import software.amazon.awssdk.services.kinesis.model.Record;
import software.amazon.awssdk.services.kinesis.model.Shard;
import software.amazon.awssdk.services.kinesis.model.ShardIteratorType;

/**
 * The replicator's speed: (1) throughput into an emulated target against the emulator's raw PutRecords ingest
 * of the same records in the same run; (2) CPU seconds per MB against an in-process fast target (the emulator
 * is not the limit there); (3) replication latency p50/p99 at half of the measured maximum rate.
 */
class ReplicatorBenchmark {
    private static final int KEYS = 1000;
    private static final int RECORDS = 10_000;
    private static final int PAYLOAD = 512;
    private static final List<String> ROWS = new ArrayList<>();

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    static LocalEnvironment env;

    @BeforeAll
    static void start() {
        // the fast target answers JSON; the SDK sends CBOR to Kinesis unless told otherwise
        System.setProperty("aws.cborEnabled", "false");
        env = LocalEnvironment.builder().workDir(Paths.get("target", "bench-repl-" + System.currentTimeMillis()).toAbsolutePath())
                .clientTuning(new ClientTuning(Duration.ofMinutes(5), Duration.ofMinutes(2), 1)).start();
    }

    @AfterAll
    static void stop() {
        env.close();
        System.out.println();
        System.out.println("| measurement | value |");
        System.out.println("|---|---|");
        ROWS.forEach(System.out::println);
    }

    @Test
    void throughputLatencyAndCpu() throws Exception {
        LocalRegion primary = env.primary();
        LocalRegion secondary = env.secondary();
        String source = primary.createStream("bench-source", 4);
        try (KinesisClient west = env.clients().kinesis(primary.target()); KinesisClient east = env.clients().kinesis(secondary.target())) {
            List<List<PutRecordsRequestEntry>> batches = batches(RECORDS, 0);
            ingest(west, source, batches);

            // (1) raw ingest of the same records into a fresh target stream vs the replicator into another
            String rawTarget = secondary.createStream("bench-raw", 3);
            long t0 = System.nanoTime();
            ingest(east, rawTarget, batches);
            double rawRate = RECORDS / seconds(t0);

            String replTarget = secondary.createStream("bench-repl", 3);
            ReplicationPairConfig config = config("bench", source, primary, replTarget, secondary.kinesisEndpoint().toString());
            long t1 = System.nanoTime();
            JobClient job = startJob(config);
            try {
                awaitReplicated(config, RECORDS, Duration.ofMinutes(5));
            } finally {
                job.cancel().get();
            }
            double replRate = RECORDS / seconds(t1);
            ROWS.add(String.format("| raw PutRecords ingest into the emulated target (%d x %d B, 2 in flight) | %.0f records/s |", RECORDS, PAYLOAD, rawRate));
            ROWS.add(String.format("| replicator into the emulated target (backlog, 1,000 keys, 4 -> 3 shards, incl. job start) | %.0f records/s |", replRate));
            ROWS.add(String.format("| ratio replicator / raw ingest | %.2f |", replRate / rawRate));

            // (3) latency at half the replicator's measured rate: target arrival - source arrival, per record
            String latencySource = primary.createStream("bench-lat-source", 4);
            String latencyTarget = secondary.createStream("bench-lat-target", 3);
            ReplicationPairConfig latencyConfig = config("latency", latencySource, primary, latencyTarget, secondary.kinesisEndpoint().toString());
            JobClient latencyJob = startJob(latencyConfig);
            int rate = (int) Math.max(50, replRate / 2);
            int total = rate * 20;
            try {
                awaitReplicated(latencyConfig, 0, Duration.ofMinutes(1));
                paced(west, latencySource, total, rate);
                awaitReplicated(latencyConfig, total, Duration.ofMinutes(3));
            } finally {
                latencyJob.cancel().get();
            }
            List<Long> latencies = latencies(west, latencySource, east, latencyTarget);
            Collections.sort(latencies);
            ROWS.add(String.format("| replication latency at %d records/s (50%% of max), %d records: p50 / p99 / max | %d / %d / %d ms |",
                    rate, latencies.size(), pct(latencies, 50), pct(latencies, 99), latencies.get(latencies.size() - 1)));
        }

        // (2) CPU per MB against an in-process fast target
        WireMockServer fast = new WireMockServer(wireMockConfig().dynamicPort().containerThreads(16).asynchronousResponseEnabled(false));
        fast.start();
        try {
            fast.stubFor(any(anyUrl()).withHeader("X-Amz-Target", containing("PutRecords")).willReturn(aResponse()
                    .withStatus(200).withHeader("Content-Type", "application/x-amz-json-1.1")
                    .withBody("{\"FailedRecordCount\":0,\"Records\":[{{#each (jsonPath request.body '$.Records') as |r|}}"
                            + "{\"SequenceNumber\":\"49600000000000000000000000000000000000000000000000{{@index}}\",\"ShardId\":\"shardId-000000000000\"}"
                            + "{{#unless @last}},{{/unless}}{{/each}}]}")
                    .withTransformers("response-template")));
            String fastArn = "arn:aws:kinesis:us-east-2:" + LocalEnvironment.DEFAULT_ACCOUNT + ":stream/fast";
            ReplicationPairConfig fastConfig = config("cpu", primary.streamArn("bench-source"), primary, fastArn,
                    "http://127.0.0.1:" + fast.port());
            OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
            JobClient job = startJob(fastConfig);
            long warm = RECORDS / 5;
            long cpu0;
            long wall0;
            try {
                // measure after warm-up (JIT, job start, EFO registration): from 20 % to 100 % of the records
                awaitReplicated(fastConfig, warm, Duration.ofMinutes(5));
                cpu0 = os.getProcessCpuTime();
                wall0 = System.nanoTime();
                awaitReplicated(fastConfig, RECORDS, Duration.ofMinutes(5));
            } finally {
                job.cancel().get();
            }
            double cpuSeconds = (os.getProcessCpuTime() - cpu0) / 1e9;
            double wall = seconds(wall0);
            double mb = (RECORDS - warm) * (double) PAYLOAD / 1e6;
            ROWS.add(String.format("| fast in-process target (WireMock), warm: %.1f MB in %.1f s wall (%.1f MB/s); process CPU %.1f s incl. the fast target | %.2f CPU s per MB = %.1f MB/s per core |",
                    mb, wall, mb / wall, cpuSeconds, cpuSeconds / mb, mb / cpuSeconds));
        } finally {
            fast.stop();
        }
    }

    private static ReplicationPairConfig config(String pair, String sourceArn, LocalRegion primary, String targetArn, String targetEndpoint) {
        Map<String, String> keys = new LinkedHashMap<>();
        keys.put("pair.name", pair);
        keys.put("primary.stream-arn", sourceArn);
        keys.put("primary.endpoint", primary.kinesisEndpoint().toString());
        keys.put("secondary.stream-arn", targetArn);
        keys.put("secondary.endpoint", targetEndpoint);
        keys.put("control.endpoint", env.controlStoreEndpoint().toString());
        keys.put("control.table-name", "bench-control");
        keys.put("replication.consumer-name", "bench-" + pair);
        keys.put("aws.credentials", "static");
        keys.put("aws.access-key-id", primary.accountId());
        keys.put("aws.secret-access-key", "local-secret");
        keys.put("aws.api-call-timeout-ms", "120000");
        keys.put("aws.api-call-attempt-timeout-ms", "60000");
        return ReplicationPairConfig.fromMap(keys);
    }

    private static JobClient startJob(ReplicationPairConfig config) throws Exception {
        StreamExecutionEnvironment flink = StreamExecutionEnvironment.getExecutionEnvironment();
        flink.setParallelism(2);
        Replicator.build(flink, config, ReplicationPlan.prepare(config, false));
        return flink.executeAsync("bench " + config.pairName());
    }

    private static void awaitReplicated(ReplicationPairConfig config, long records, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (AwsClientFactory clients = new AwsClientFactory();
             DynamoDbClient dynamo = clients.dynamoDb(env.controlStoreTarget(env.primary().name()))) {
            ControlStore store = new ControlStore(dynamo, "bench-control");
            ReplicationDirection direction = new ReplicationDirection(env.primary().name(), env.secondary().name());
            while (true) {
                List<ShardProgress> progress;
                try {
                    progress = store.readProgress(config.pairName(), direction, 1);
                } catch (RuntimeException tableNotThereYet) {
                    progress = List.of();
                }
                long done = progress.stream().mapToLong(ShardProgress::recordsReplicated).sum();
                if (done >= records && (records > 0 || !progress.isEmpty())) {
                    return;
                }
                assertThat(System.nanoTime()).as("replicated %d of %d in time", done, records).isLessThan(deadline);
                LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
            }
        }
    }

    private static List<List<PutRecordsRequestEntry>> batches(int records, int offset) {
        byte[] payload = new byte[PAYLOAD];
        List<List<PutRecordsRequestEntry>> batches = new ArrayList<>();
        for (int start = 0; start < records; start += 500) {
            List<PutRecordsRequestEntry> batch = new ArrayList<>();
            for (int i = start; i < Math.min(records, start + 500); i++) {
                batch.add(PutRecordsRequestEntry.builder().partitionKey("key-" + ((i + offset) % KEYS))
                        .data(SdkBytes.fromByteArray(payload)).build());
            }
            batches.add(batch);
        }
        return batches;
    }

    private static void ingest(KinesisClient kinesis, String arn, List<List<PutRecordsRequestEntry>> batches) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (List<PutRecordsRequestEntry> batch : batches) {
                results.add(pool.submit(() -> kinesis.putRecords(b -> b.streamARN(arn).records(batch)).failedRecordCount()));
            }
            for (Future<Integer> f : results) {
                assertThat(f.get()).isZero();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** Writes {@code total} records at {@code rate} per second in batches of a tenth of a second. */
    private static void paced(KinesisClient kinesis, String arn, int total, int rate) {
        int perTick = Math.max(1, rate / 10);
        long next = System.nanoTime();
        byte[] payload = new byte[PAYLOAD];
        for (int sent = 0; sent < total; sent += perTick) {
            List<PutRecordsRequestEntry> batch = new ArrayList<>();
            for (int i = sent; i < Math.min(total, sent + perTick); i++) {
                batch.add(PutRecordsRequestEntry.builder().partitionKey("key-" + (i % KEYS)).data(SdkBytes.fromByteArray(payload)).build());
            }
            assertThat(kinesis.putRecords(b -> b.streamARN(arn).records(batch)).failedRecordCount()).isZero();
            next += Duration.ofMillis(100).toNanos();
            LockSupport.parkNanos(Math.max(0, next - System.nanoTime()));
        }
    }

    /** Per record (matched by key and order within the key): target arrival minus source arrival. */
    private static List<Long> latencies(KinesisClient west, String sourceArn, KinesisClient east, String targetArn) {
        Map<String, List<Long>> sourceByKey = arrivalsByKey(west, sourceArn);
        Map<String, List<Long>> targetByKey = arrivalsByKey(east, targetArn);
        List<Long> latencies = new ArrayList<>();
        for (Map.Entry<String, List<Long>> e : sourceByKey.entrySet()) {
            List<Long> copies = targetByKey.getOrDefault(e.getKey(), List.of());
            for (int i = 0; i < Math.min(e.getValue().size(), copies.size()); i++) {
                latencies.add(copies.get(i) - e.getValue().get(i));
            }
        }
        return latencies;
    }

    private static Map<String, List<Long>> arrivalsByKey(KinesisClient kinesis, String arn) {
        Map<String, List<Record>> byKey = new LinkedHashMap<>();
        for (Shard shard : kinesis.listShards(b -> b.streamARN(arn)).shards()) {
            String it = kinesis.getShardIterator(b -> b.streamARN(arn).shardId(shard.shardId())
                    .shardIteratorType(ShardIteratorType.TRIM_HORIZON)).shardIterator();
            while (it != null) {
                String cur = it;
                var page = kinesis.getRecords(b -> b.streamARN(arn).shardIterator(cur).limit(10000));
                page.records().forEach(r -> byKey.computeIfAbsent(r.partitionKey(), k -> new ArrayList<>()).add(r));
                if (page.records().isEmpty()) {
                    break;
                }
                it = page.nextShardIterator();
            }
        }
        Map<String, List<Long>> arrivals = new LinkedHashMap<>();
        byKey.forEach((key, records) -> {
            records.sort((a, b) -> new BigInteger(a.sequenceNumber()).compareTo(new BigInteger(b.sequenceNumber())));
            List<Long> times = new ArrayList<>();
            records.forEach(r -> times.add(r.approximateArrivalTimestamp().toEpochMilli()));
            arrivals.put(key, times);
        });
        return arrivals;
    }

    private static long pct(List<Long> sorted, int p) {
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }

}
