package io.kinesisha.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.kinesisha.common.aws.AwsClientFactory;
import io.kinesisha.common.aws.ClientRole;
import io.kinesisha.common.aws.ClientTuning;
import io.kinesisha.common.config.ReplicationPairConfig;
import io.kinesisha.common.control.ControlStore;
import io.kinesisha.common.control.ReplicationDirection;
import io.kinesisha.common.control.ShardProgress;
import io.kinesisha.testkit.StreamContents;
import io.kinesisha.testkit.LocalEnvironment;
import io.kinesisha.testkit.LocalRegion;
import io.kinesisha.replicator.ReplicationPlan;
import io.kinesisha.replicator.Replicator;
import java.math.BigInteger;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
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
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.ConsumerStatus;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;
import software.amazon.awssdk.services.kinesis.model.Record;
import software.amazon.awssdk.services.kinesis.model.ShardIteratorType;
import software.amazon.awssdk.services.kinesis.model.SubscribeToShardEvent;
import software.amazon.awssdk.services.kinesis.model.SubscribeToShardResponseHandler;

/**
 * The replicator's speed, as the issue asks for it: (1) steady throughput into an emulated target against the
 * emulator's raw PutRecords ingest of the same records in the same run, with every process's CPU so the limiting one
 * shows; (2) replication latency p50/p99 at half that rate, next to what the emulators alone take (EFO delivery, a
 * small PutRecords); (3) CPU seconds per MB against a fast target in its own process (the emulator is not the
 * limit there), as the marginal cost of a larger run over a smaller one so job start cancels out. One phase alone:
 * {@code -Dtest='ReplicatorBenchmark#cpu'}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReplicatorBenchmark {
    private static final int KEYS = 1000;
    private static final int SOURCE_SHARDS = 4;
    private static final int RECORDS = 20_000;
    private static final int SMALL_RECORDS = 2_000;
    private static final int CPU_RUNS = 5;
    private static final int WARM_UP_RUNS = 5;
    private static final int FLOOR_SAMPLES = 50;
    private static final int FLOOR_BATCH = 50;
    private static final int PAYLOAD = 512;
    private static final List<String> ROWS = new ArrayList<>();

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(SOURCE_SHARDS).build());

    static LocalEnvironment env;
    static CpuMeter meter;
    static String source;
    static double steadyRate;

    @BeforeAll
    static void start() {
        env = LocalEnvironment.builder().workDir(Paths.get("target", "bench-repl-" + System.currentTimeMillis()).toAbsolutePath())
                .clientTuning(new ClientTuning(Duration.ofMinutes(5), Duration.ofMinutes(2), 1)).start();
        Map<String, Long> emulators = new LinkedHashMap<>();
        emulators.put("source emulator", env.primary().pid());
        emulators.put("target emulator", env.secondary().pid());
        // left out of the replicator's CPU: DynamoDB Local's threads (its Jetty pool and SQLite) and this harness's main
        // thread (it submits jobs and polls the progress rows); the fast target runs in a process of its own
        meter = new CpuMeter(emulators, name -> name.startsWith("qtp") || name.startsWith("SQLiteQueue")
                || name.equals("main"));
    }

    @AfterAll
    static void stop() {
        env.close();
        System.out.println();
        System.out.println("| measurement | value |");
        System.out.println("|---|---|");
        ROWS.forEach(System.out::println);
    }

    /** The 20,000-record source the throughput and CPU phases read; made once. */
    private static String source() throws Exception {
        if (source == null) {
            source = env.primary().createStream("bench-source", SOURCE_SHARDS);
            try (KinesisClient west = env.clients().kinesis(env.primary().target())) {
                ingest(west, source, batches(RECORDS, 0));
            }
        }
        return source;
    }

    /** (1) Raw ingest of the same records into fresh target streams, before and after the replicator (the emulator
     * slows down as it holds more), against the replicator into another fresh stream. */
    @Test
    @Order(1)
    void throughput() throws Exception {
        LocalRegion primary = env.primary();
        LocalRegion secondary = env.secondary();
        String source = source();
        try (KinesisClient east = env.clients().kinesis(secondary.target())) {
            List<List<PutRecordsRequestEntry>> batches = batches(RECORDS, 0);
            CpuMeter.Snapshot raw0 = meter.snapshot();
            ingest(east, secondary.createStream("bench-raw-before", 3), batches);
            CpuMeter.Snapshot raw1 = meter.snapshot();
            double rawBefore = RECORDS / raw1.wallSeconds(raw0);

            String replTarget = secondary.createStream("bench-repl", 3);
            ReplicationPairConfig config = config("bench", source, primary, replTarget, secondary.kinesisEndpoint().toString());
            CpuMeter.Snapshot submitted = meter.snapshot();
            JobClient job = startJob(config);
            Watch watch;
            try {
                watch = awaitReplicated(config, RECORDS, Duration.ofMinutes(5), meter);
            } finally {
                job.cancel().get();
            }
            CpuMeter.Snapshot raw2 = meter.snapshot();
            ingest(east, secondary.createStream("bench-raw-after", 3), batches);
            CpuMeter.Snapshot raw3 = meter.snapshot();
            double rawAfter = RECORDS / raw3.wallSeconds(raw2);
            double raw = (rawBefore + rawAfter) / 2;
            double withStart = RECORDS / watch.done.wallSeconds(submitted);
            steadyRate = (RECORDS - watch.firstRecords) / watch.done.wallSeconds(watch.first);
            ROWS.add(String.format("| raw PutRecords ingest into the emulated target (%d x %d B, batches of 500, 2 in flight), before / after / mean | %.0f / %.0f / %.0f records/s |",
                    RECORDS, PAYLOAD, rawBefore, rawAfter, raw));
            ROWS.add(String.format("| replicator into the emulated target (backlog, %d keys, 4 -> 3 shards): job start (submit to first progress row) | %.1f s |",
                    KEYS, watch.first.wallSeconds(submitted)));
            ROWS.add(String.format("| replicator, steady (first progress row to last, %d records) / including job start | %.0f / %.0f records/s |",
                    RECORDS - watch.firstRecords, steadyRate, withStart));
            ROWS.add(String.format("| **ratio replicator / raw ingest**, steady / including job start | **%.2f** / %.2f |", steadyRate / raw, withStart / raw));
            ROWS.add("| CPU during raw ingest (before) | " + raw1.describe(raw0) + " |");
            ROWS.add("| CPU while replicating (steady) | " + watch.done.describe(watch.first) + " |");
        }
    }

    /** (2) Latency at half the replicator's measured rate: target arrival - source arrival, per record; and the
     * emulators' own share of it. */
    @Test
    @Order(2)
    void latency() throws Exception {
        LocalRegion primary = env.primary();
        LocalRegion secondary = env.secondary();
        try (KinesisClient west = env.clients().kinesis(primary.target()); KinesisClient east = env.clients().kinesis(secondary.target())) {
            String latencySource = primary.createStream("bench-lat-source", SOURCE_SHARDS);
            String latencyTarget = secondary.createStream("bench-lat-target", 3);
            ReplicationPairConfig latencyConfig = config("latency", latencySource, primary, latencyTarget, secondary.kinesisEndpoint().toString());
            JobClient latencyJob = startJob(latencyConfig);
            int rate = (int) Math.max(50, steadyRate / 2); // 50/s when run without the throughput phase
            int total = rate * 20;
            try {
                awaitReplicated(latencyConfig, 0, Duration.ofMinutes(1), meter);
                paced(west, latencySource, total, rate);
                awaitReplicated(latencyConfig, total, Duration.ofMinutes(3), meter);
            } finally {
                latencyJob.cancel().get();
            }
            List<Long> latencies = latencies(west, latencySource, east, latencyTarget);
            Collections.sort(latencies);
            ROWS.add(String.format("| replication latency at %d records/s (50%% of max), %d records: p50 / p99 / max | %d / %d / %d ms |",
                    rate, latencies.size(), pct(latencies, 50), pct(latencies, 99), latencies.get(latencies.size() - 1)));
            emulatorFloor(west, east, primary, secondary);
        }
    }

    /** (3) CPU per MB against a fast target in its own process: the marginal cost of the larger source over the
     * smaller one (job start, EFO registration and the fixed per-run work cancel out), after JIT warm-up runs. */
    @Test
    @Order(3)
    void cpu() throws Exception {
        String large = source();
        String small = env.primary().createStream("bench-source-small", SOURCE_SHARDS);
        try (KinesisClient west = env.clients().kinesis(env.primary().target())) {
            ingest(west, small, batches(SMALL_RECORDS, 0));
        }
        cpuPerMegabyte(env.primary(), large, small, meter);
    }

    /**
     * What the emulators alone add to a record's latency: EFO delivery by the source emulator (put to event received by
     * a plain SDK subscriber) and a PutRecords round trip of a small batch into the target emulator.
     */
    private static void emulatorFloor(KinesisClient west, KinesisClient east, LocalRegion primary, LocalRegion secondary)
            throws Exception {
        String arn = primary.createStream("bench-floor", 1);
        String consumer = west.registerStreamConsumer(b -> b.streamARN(arn).consumerName("floor")).consumer().consumerARN();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (west.describeStreamConsumer(b -> b.consumerARN(consumer)).consumerDescription().consumerStatus() != ConsumerStatus.ACTIVE) {
            assertThat(System.nanoTime()).as("consumer active in time").isLessThan(deadline);
            LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
        }
        List<Long> delivery = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger events = new AtomicInteger();
        try (KinesisAsyncClient async = env.clients().kinesisAsync(primary.target(), ClientRole.SOURCE)) {
            async.subscribeToShard(b -> b.consumerARN(consumer).shardId("shardId-000000000000")
                            .startingPosition(p -> p.type(ShardIteratorType.LATEST)),
                    SubscribeToShardResponseHandler.builder().subscriber(event -> {
                        long now = System.currentTimeMillis();
                        events.incrementAndGet();
                        if (event instanceof SubscribeToShardEvent) {
                            ((SubscribeToShardEvent) event).records()
                                    .forEach(r -> delivery.add(now - r.approximateArrivalTimestamp().toEpochMilli()));
                        }
                    }).build());
            while (events.get() < 2) {
                assertThat(System.nanoTime()).as("subscribed in time").isLessThan(deadline);
                LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
            }
            for (int i = 0; i < FLOOR_SAMPLES; i++) {
                west.putRecord(b -> b.streamARN(arn).partitionKey("floor").data(SdkBytes.fromByteArray(new byte[PAYLOAD])));
                LockSupport.parkNanos(Duration.ofMillis(137).toNanos()); // not a multiple of the 1 s event period
            }
            while (delivery.size() < FLOOR_SAMPLES) {
                assertThat(System.nanoTime()).as("all floor records delivered in time").isLessThan(deadline + Duration.ofSeconds(30).toNanos());
                LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
            }
        } finally {
            west.deregisterStreamConsumer(b -> b.consumerARN(consumer));
        }
        String target = secondary.createStream("bench-floor-target", 3);
        List<Long> roundTrips = new ArrayList<>();
        for (int i = 0; i < FLOOR_SAMPLES; i++) {
            List<PutRecordsRequestEntry> batch = batches(FLOOR_BATCH, i * FLOOR_BATCH).get(0);
            long t = System.nanoTime();
            assertThat(east.putRecords(b -> b.streamARN(target).records(batch)).failedRecordCount()).isZero();
            roundTrips.add((System.nanoTime() - t) / 1_000_000);
        }
        List<Long> sortedDelivery = new ArrayList<>(delivery);
        Collections.sort(sortedDelivery);
        Collections.sort(roundTrips);
        ROWS.add(String.format("| emulator floor: EFO delivery by the source emulator (put to event received), %d records: p50 / p99 | %d / %d ms |",
                FLOOR_SAMPLES, pct(sortedDelivery, 50), pct(sortedDelivery, 99)));
        ROWS.add(String.format("| emulator floor: PutRecords of %d records into the idle target emulator, %d requests: p50 / p99 | %d / %d ms |",
                FLOOR_BATCH, FLOOR_SAMPLES, pct(roundTrips, 50), pct(roundTrips, 99)));
    }

    private static void cpuPerMegabyte(LocalRegion primary, String large, String small, CpuMeter meter) throws Exception {
        try (FastKinesisTarget fast = FastKinesisTarget.start()) {
            // per measured pair, CPU s per MB of the difference: JVM, job threads, other Java threads, GC/JIT/VM
            List<double[]> marginal = new ArrayList<>();
            List<Double> whole = new ArrayList<>();
            double mb = (RECORDS - SMALL_RECORDS) * (double) PAYLOAD / 1e6;
            for (int run = 0; run < WARM_UP_RUNS + CPU_RUNS; run++) {
                double[] largeCpu = cpuOfRun("cpu-large-" + run, large, RECORDS, primary, fast, meter);
                double[] smallCpu = cpuOfRun("cpu-small-" + run, small, SMALL_RECORDS, primary, fast, meter);
                if (run >= WARM_UP_RUNS) { // the first pairs warm the JIT up
                    double[] m = new double[largeCpu.length];
                    for (int k = 0; k < m.length; k++) {
                        m[k] = (largeCpu[k] - smallCpu[k]) / mb;
                    }
                    marginal.add(m);
                    whole.add(largeCpu[0] / (RECORDS * (double) PAYLOAD / 1e6));
                }
            }
            marginal.sort(Comparator.comparingDouble(m -> m[0]));
            Collections.sort(whole);
            double[] median = marginal.get(CPU_RUNS / 2);
            ROWS.add(String.format("| CPU per MB against a fast target in its own process, marginal (%d - %d records of %d B), JVM less DynamoDB Local and this harness, %d runs: min / median / max | %.3f / %.3f / %.3f CPU s per MB |",
                    RECORDS, SMALL_RECORDS, PAYLOAD, CPU_RUNS, marginal.get(0)[0], median[0], marginal.get(CPU_RUNS - 1)[0]));
            ROWS.add(String.format("| the median run's CPU per MB by where it went: the job's threads / other Java threads (Flink runtime) / GC / JIT / rest | %.3f / %.3f / %.3f / %.3f / %.3f |",
                    median[1], median[2], median[3], median[4], median[5]));
            ROWS.add(String.format("| **MB/s per core** (median marginal, JVM) / the job's threads alone / whole run of %d records incl. job start | **%.1f** / %.1f / %.1f |",
                    RECORDS, 1 / median[0], 1 / median[1], 1 / whole.get(CPU_RUNS / 2)));
        }
    }

    /**
     * From job submission to all replicated, CPU seconds: the JVM less the left-out threads, the threads the job
     * started, the threads that were there before, GC threads, JIT compiler threads, and the rest.
     */
    private static double[] cpuOfRun(String pair, String source, int records, LocalRegion primary, FastKinesisTarget fast,
                                     CpuMeter meter) throws Exception {
        ReplicationPairConfig config = config(pair, source, primary,
                "arn:aws:kinesis:us-east-2:" + LocalEnvironment.DEFAULT_ACCOUNT + ":stream/fast", fast.endpoint());
        System.gc(); // the garbage of earlier runs is not this run's cost
        CpuMeter.Snapshot before = meter.snapshot();
        JobClient job = startJob(config);
        try {
            CpuMeter.Snapshot done = awaitReplicated(config, records, Duration.ofMinutes(5), meter).done;
            double jvm = done.jvmSeconds(before);
            double jobThreads = done.newThreadSeconds(before);
            double otherThreads = done.oldThreadSeconds(before);
            double gc = done.vmSeconds(before, "GC");
            double jit = done.vmSeconds(before, "JIT");
            return new double[] {jvm, jobThreads, otherThreads, gc, jit, jvm - jobThreads - otherThreads - gc - jit};
        } finally {
            job.cancel().get();
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
        // the emulator can take seconds per PutRecords under load; nothing here fails over, so no settle time
        keys.put("replication.sink-request-timeout-ms", "60000");
        keys.put("failover.fence-settle-ms", "0");
        return ReplicationPairConfig.fromMap(keys);
    }

    private static JobClient startJob(ReplicationPairConfig config) throws Exception {
        StreamExecutionEnvironment flink = StreamExecutionEnvironment.getExecutionEnvironment();
        flink.setParallelism(SOURCE_SHARDS); // one reader and one writer per source shard, the usual sizing
        Replicator.build(flink, config, ReplicationPlan.prepare(config, false));
        return flink.executeAsync("bench " + config.pairName());
    }

    /** When the first progress row showed records, how many, and when all were replicated. */
    private static final class Watch {
        CpuMeter.Snapshot first;
        long firstRecords;
        CpuMeter.Snapshot done;
    }

    private static Watch awaitReplicated(ReplicationPairConfig config, long records, Duration timeout, CpuMeter meter) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Watch watch = new Watch();
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
                if (watch.first == null && done > 0) {
                    watch.first = meter.snapshot();
                    watch.firstRecords = done;
                }
                if (done >= records && (records > 0 || !progress.isEmpty())) {
                    watch.done = meter.snapshot();
                    if (watch.first == null) {
                        watch.first = watch.done;
                    }
                    return watch;
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
        StreamContents.read(kinesis, arn).records()
                .forEach(r -> byKey.computeIfAbsent(r.partitionKey(), k -> new ArrayList<>()).add(r));
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
}
