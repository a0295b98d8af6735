package io.kinesisha.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.kinesisha.common.aws.ClientRole;
import io.kinesisha.common.aws.ClientTuning;
import io.kinesisha.common.config.ReplicationPairConfig;
import io.kinesisha.common.control.ShardProgress;
import io.kinesisha.replicator.JobParallelism;
import io.kinesisha.replicator.ReplicationPlan;
import io.kinesisha.testkit.LocalEnvironment;
import io.kinesisha.testkit.LocalRegion;
import io.kinesisha.testkit.StreamContents;
import java.math.BigInteger;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
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
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.KinesisClient;
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
    /** Throughput runs (each: raw, replicator, raw); -Dbench.runs=N to change. */
    private static final int RUNS = Integer.getInteger("bench.runs", 5);

    private static final int SWEEP_RECORDS = 10_000;
    private static final int AGGREGATE_SIZE = 10;
    private static final List<String> ROWS = new ArrayList<>();
    /** Records per throughput phase; -Dbench.records=N to change. */
    private static final int THROUGHPUT_RECORDS = Integer.getInteger("bench.records", 20_000);

    /** A result row: kept for the table at the end and printed now (a long run that fails later keeps it). */
    private static void row(String row) {
        ROWS.add(row);
        System.out.println("ROW " + row);
    }

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(SOURCE_SHARDS)
            .build());

    static LocalEnvironment env;
    static CpuMeter meter;
    static String source;
    static double steadyRate;

    @BeforeAll
    static void start() {
        env = LocalEnvironment.builder()
                .workDir(Paths.get("target", "bench-repl-" + System.currentTimeMillis())
                        .toAbsolutePath())
                .clientTuning(new ClientTuning(Duration.ofMinutes(5), Duration.ofMinutes(2), 1))
                .start();
        Map<String, Long> emulators = new LinkedHashMap<>();
        emulators.put("source emulator", env.primary().pid());
        emulators.put("target emulator", env.secondary().pid());
        // left out of the replicator's CPU: DynamoDB Local's threads (its Jetty pool and SQLite) and this harness's
        // main
        // thread (it submits jobs and polls the progress rows); the fast target runs in a process of its own
        meter = new CpuMeter(
                emulators, name -> name.startsWith("qtp") || name.startsWith("SQLiteQueue") || name.equals("main"));
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

    /**
     * (1) Raw ingest of the same records into fresh target streams, before and after the replicator (the emulator
     * slows down as it holds more), against the replicator into another fresh stream, {@link #RUNS} times; in every
     * phase one reader polls the target every 0.5 s. The replicator runs with the defaults a user gets.
     */
    @Test
    @Order(1)
    void throughput() throws Exception {
        String source =
                THROUGHPUT_RECORDS == RECORDS ? source() : env.primary().createStream("bench-source-tp", SOURCE_SHARDS);
        if (THROUGHPUT_RECORDS != RECORDS) {
            try (KinesisClient west = env.clients().kinesis(env.primary().target())) {
                ingest(west, source, batches(THROUGHPUT_RECORDS, 0));
            }
        }
        List<Double> ratios = new ArrayList<>();
        try (KinesisClient east = env.clients().kinesis(env.secondary().target())) {
            List<List<PutRecordsRequestEntry>> batches = batches(THROUGHPUT_RECORDS, 0);
            for (int run = 0; run < RUNS; run++) {
                Phase before = raw(east, "bench-raw-before-" + run, batches);
                Phase replicator =
                        replicate("bench-" + run, source, THROUGHPUT_RECORDS, 1, Map.of(), "bench-repl-" + run, east);
                Phase after = raw(east, "bench-raw-after-" + run, batches);
                double raw = (before.rate + after.rate) / 2;
                ratios.add(replicator.rate / raw);
                row(String.format(
                        "| throughput run %d (reader on the target): raw before / replicator steady / raw after; job start; **ratio** | %.0f / %.0f / %.0f records/s; %.1f s; **%.2f** |",
                        run + 1,
                        before.rate,
                        replicator.rate,
                        after.rate,
                        replicator.startSeconds,
                        replicator.rate / raw));
                if (run == 0) {
                    row("| CPU during raw ingest (run 1, before) | " + before.cpu + " |");
                    row("| CPU while replicating (run 1, steady) | " + replicator.cpu + " |");
                    steadyRate = replicator.rate;
                }
            }
        }
        Collections.sort(ratios);
        row(String.format(
                "| **ratio replicator / raw ingest with a reader on the target, %d runs: p10 / median / min-max** | **%.2f** / %.2f / %.2f-%.2f |",
                RUNS,
                ratios.get((int) Math.ceil(0.1 * RUNS) - 1),
                ratios.get(RUNS / 2),
                ratios.get(0),
                ratios.get(RUNS - 1)));
    }

    /** One phase's rate (records/s; user records/s for aggregates), job start and where the CPU went. */
    private static final class Phase {
        double rate;
        double startSeconds;
        String cpu;
    }

    /** Raw PutRecords into a fresh target stream while a reader polls it. */
    private static Phase raw(KinesisClient east, String stream, List<List<PutRecordsRequestEntry>> batches)
            throws Exception {
        String arn = env.secondary().createStream(stream, 3);
        long records = batches.stream().mapToLong(List::size).sum();
        try (TargetReader reader = new TargetReader(east, arn)) {
            CpuMeter.Snapshot t0 = meter.snapshot();
            ingest(east, arn, batches);
            CpuMeter.Snapshot t1 = meter.snapshot();
            Phase phase = new Phase();
            phase.rate = records / t1.wallSeconds(t0);
            phase.cpu = t1.describe(t0);
            return phase;
        } finally {
            dropTarget(east, arn);
        }
    }

    /**
     * Deletes a measured target stream: the emulator allows 50 shards per region, and it slows down as it holds more
     * records, which would make every phase slower than the one before.
     */
    private static void dropTarget(KinesisClient east, String arn) {
        try {
            east.deleteStream(b -> b.streamARN(arn).enforceConsumerDeletion(true));
        } catch (RuntimeException e) {
            System.out.println("could not delete " + arn + ": " + e);
        }
    }

    /**
     * The replicator from {@code source} (holding {@code records}, each of {@code userRecords} user records) into a
     * fresh target stream while a reader polls it; {@code settings} are config keys on top of the defaults.
     */
    private static Phase replicate(
            String pair,
            String source,
            long records,
            int userRecords,
            Map<String, String> settings,
            String stream,
            KinesisClient east)
            throws Exception {
        String target = env.secondary().createStream(stream, 3);
        ReplicationPairConfig config = BenchPair.config(
                env,
                pair,
                source,
                env.primary(),
                target,
                env.secondary().kinesisEndpoint().toString(),
                settings);
        try (TargetReader reader = new TargetReader(east, target)) {
            CpuMeter.Snapshot submitted = meter.snapshot();
            JobClient job = startJob(config);
            Watch watch;
            try {
                watch = awaitReplicated(config, records, Duration.ofMinutes(5), meter);
            } finally {
                job.cancel().get();
            }
            Phase phase = new Phase();
            phase.rate = (records - watch.firstRecords) * userRecords / watch.done.wallSeconds(watch.first);
            phase.startSeconds = watch.first.wallSeconds(submitted);
            phase.cpu = watch.done.describe(watch.first);
            return phase;
        } finally {
            dropTarget(east, target);
        }
    }

    /**
     * (4) Which sink defaults: batch size and requests in flight per writer, each against raw ingest just before
     * it, with a reader on the target. The defaults (500 records, 4 in flight) come from this table.
     */
    @Test
    @Order(4)
    void sinkSettings() throws Exception {
        String source = env.primary().createStream("bench-source-sweep", SOURCE_SHARDS);
        try (KinesisClient west = env.clients().kinesis(env.primary().target());
                KinesisClient east = env.clients().kinesis(env.secondary().target())) {
            ingest(west, source, batches(SWEEP_RECORDS, 0));
            List<List<PutRecordsRequestEntry>> batches = batches(SWEEP_RECORDS, 0);
            int[][] settings = {{500, 1}, {500, 2}, {500, 4}, {500, 8}, {250, 4}, {100, 4}};
            int n = 0;
            for (int[] setting : settings) {
                Phase raw = raw(east, "bench-sweep-raw-" + n, batches);
                Phase replicator = replicate(
                        "sweep-" + n,
                        source,
                        SWEEP_RECORDS,
                        1,
                        Map.of(
                                "replication.max-batch-records",
                                String.valueOf(setting[0]),
                                "replication.max-in-flight-batches",
                                String.valueOf(setting[1])),
                        "bench-sweep-" + n,
                        east);
                n++;
                row(String.format(
                        "| sink setting: batches of %d, %d in flight per writer (%d records, reader on the target): raw / replicator; **ratio** | %.0f / %.0f records/s; **%.2f** |",
                        setting[0], setting[1], SWEEP_RECORDS, raw.rate, replicator.rate, replicator.rate / raw.rate));
            }
        }
    }

    /**
     * (5) KPL aggregates against plain records of the same user-record count: {@link #RECORDS} user records as
     * aggregates of {@link #AGGREGATE_SIZE}, the replicator writing them as user records; alternated with the plain
     * source so the emulator's slowdown falls on both.
     */
    @Test
    @Order(5)
    void aggregates() throws Exception {
        int users = THROUGHPUT_RECORDS;
        String aggregated = env.primary().createStream("bench-source-kpl", SOURCE_SHARDS);
        int aggregates = users / AGGREGATE_SIZE;
        try (KinesisClient west = env.clients().kinesis(env.primary().target());
                KinesisClient east = env.clients().kinesis(env.secondary().target())) {
            String plain =
                    users == RECORDS ? source() : env.primary().createStream("bench-source-plain", SOURCE_SHARDS);
            if (users != RECORDS) {
                ingest(west, plain, batches(users, 0));
            }
            byte[] payload = new byte[PAYLOAD];
            List<List<PutRecordsRequestEntry>> batches = new ArrayList<>();
            for (int start = 0; start < aggregates; start += 100) {
                List<PutRecordsRequestEntry> batch = new ArrayList<>();
                for (int a = start; a < Math.min(aggregates, start + 100); a++) {
                    List<String> keys = new ArrayList<>();
                    for (int u = 0; u < AGGREGATE_SIZE; u++) {
                        keys.add("key-" + ((a * AGGREGATE_SIZE + u) % KEYS));
                    }
                    batch.add(PutRecordsRequestEntry.builder()
                            .partitionKey(keys.get(0))
                            .data(SdkBytes.fromByteArray(KplAggregates.aggregate(keys, payload)))
                            .build());
                }
                batches.add(batch);
            }
            ingest(west, aggregated, batches);
            List<Double> ratios = new ArrayList<>();
            for (int run = 0; run < 2; run++) {
                Phase p = replicate("plain-" + run, plain, users, 1, Map.of(), "bench-plain-" + run, east);
                Phase k = replicate(
                        "kpl-" + run, aggregated, aggregates, AGGREGATE_SIZE, Map.of(), "bench-kpl-" + run, east);
                ratios.add(k.rate / p.rate);
                row(String.format(
                        "| KPL run %d: %d user records as plain records / as %d aggregates of %d (user records/s, reader on the target); **ratio** | %.0f / %.0f; **%.2f** |",
                        run + 1, users, aggregates, AGGREGATE_SIZE, p.rate, k.rate, k.rate / p.rate));
            }
        }
    }

    /** (2) Latency at half the replicator's measured rate: target arrival - source arrival, per record; and the
     * emulators' own share of it. */
    @Test
    @Order(2)
    void latency() throws Exception {
        LocalRegion primary = env.primary();
        LocalRegion secondary = env.secondary();
        try (KinesisClient west = env.clients().kinesis(primary.target());
                KinesisClient east = env.clients().kinesis(secondary.target())) {
            String latencySource = primary.createStream("bench-lat-source", SOURCE_SHARDS);
            String latencyTarget = secondary.createStream("bench-lat-target", 3);
            ReplicationPairConfig latencyConfig = BenchPair.config(
                    env,
                    "latency",
                    latencySource,
                    primary,
                    latencyTarget,
                    secondary.kinesisEndpoint().toString());
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
            row(String.format(
                    "| replication latency at %d records/s (50%% of max), %d records: p50 / p99 / max | %d / %d / %d ms |",
                    rate,
                    latencies.size(),
                    pct(latencies, 50),
                    pct(latencies, 99),
                    latencies.get(latencies.size() - 1)));
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
    private static void emulatorFloor(
            KinesisClient west, KinesisClient east, LocalRegion primary, LocalRegion secondary) throws Exception {
        String arn = primary.createStream("bench-floor", 1);
        String consumer = primary.registerConsumer(arn, "floor");
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        List<Long> delivery = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger events = new AtomicInteger();
        try (KinesisAsyncClient async = env.clients().kinesisAsync(primary.target(), ClientRole.SOURCE)) {
            async.subscribeToShard(
                    b -> b.consumerARN(consumer)
                            .shardId("shardId-000000000000")
                            .startingPosition(p -> p.type(ShardIteratorType.LATEST)),
                    SubscribeToShardResponseHandler.builder()
                            .subscriber(event -> {
                                long now = System.currentTimeMillis();
                                events.incrementAndGet();
                                if (event instanceof SubscribeToShardEvent) {
                                    ((SubscribeToShardEvent) event)
                                            .records()
                                            .forEach(r -> delivery.add(now
                                                    - r.approximateArrivalTimestamp()
                                                            .toEpochMilli()));
                                }
                            })
                            .build());
            while (events.get() < 2) {
                assertThat(System.nanoTime()).as("subscribed in time").isLessThan(deadline);
                LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
            }
            for (int i = 0; i < FLOOR_SAMPLES; i++) {
                west.putRecord(
                        b -> b.streamARN(arn).partitionKey("floor").data(SdkBytes.fromByteArray(new byte[PAYLOAD])));
                LockSupport.parkNanos(Duration.ofMillis(137).toNanos()); // not a multiple of the 1 s event period
            }
            while (delivery.size() < FLOOR_SAMPLES) {
                assertThat(System.nanoTime())
                        .as("all floor records delivered in time")
                        .isLessThan(deadline + Duration.ofSeconds(30).toNanos());
                LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
            }
        } finally {
            west.deregisterStreamConsumer(b -> b.consumerARN(consumer));
        }
        String target = secondary.createStream("bench-floor-target", 3);
        List<Long> roundTrips = new ArrayList<>();
        for (int i = 0; i < FLOOR_SAMPLES; i++) {
            List<PutRecordsRequestEntry> batch =
                    batches(FLOOR_BATCH, i * FLOOR_BATCH).get(0);
            long t = System.nanoTime();
            assertThat(east.putRecords(b -> b.streamARN(target).records(batch)).failedRecordCount())
                    .isZero();
            roundTrips.add((System.nanoTime() - t) / 1_000_000);
        }
        List<Long> sortedDelivery = new ArrayList<>(delivery);
        Collections.sort(sortedDelivery);
        Collections.sort(roundTrips);
        row(String.format(
                "| emulator floor: EFO delivery by the source emulator (put to event received), %d records: p50 / p99 | %d / %d ms |",
                FLOOR_SAMPLES, pct(sortedDelivery, 50), pct(sortedDelivery, 99)));
        row(String.format(
                "| emulator floor: PutRecords of %d records into the idle target emulator, %d requests: p50 / p99 | %d / %d ms |",
                FLOOR_BATCH, FLOOR_SAMPLES, pct(roundTrips, 50), pct(roundTrips, 99)));
    }

    private static void cpuPerMegabyte(LocalRegion primary, String large, String small, CpuMeter meter)
            throws Exception {
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
            row(String.format(
                    "| CPU per MB against a fast target in its own process, marginal (%d - %d records of %d B), JVM less DynamoDB Local and this harness, %d runs: min / median / max | %.3f / %.3f / %.3f CPU s per MB |",
                    RECORDS,
                    SMALL_RECORDS,
                    PAYLOAD,
                    CPU_RUNS,
                    marginal.get(0)[0],
                    median[0],
                    marginal.get(CPU_RUNS - 1)[0]));
            row(String.format(
                    "| the median run's CPU per MB by where it went: the job's threads / other Java threads (Flink runtime) / GC / JIT / rest | %.3f / %.3f / %.3f / %.3f / %.3f |",
                    median[1], median[2], median[3], median[4], median[5]));
            row(String.format(
                    "| **MB/s per core** (median marginal, JVM) / the job's threads alone / whole run of %d records incl. job start | **%.1f** / %.1f / %.1f |",
                    RECORDS, 1 / median[0], 1 / median[1], 1 / whole.get(CPU_RUNS / 2)));
            double records = RECORDS - SMALL_RECORDS;
            row(String.format(
                    "| the median run's allocation per record (marginal, all Java threads) / GC threads' share of the JVM's CPU / collectors' reported time per MB | %,.0f B / %.0f %% / %.0f ms |",
                    median[6] * mb / records, 100 * median[3] / median[0], median[7]));
        }
    }

    /**
     * From job submission to all replicated, CPU seconds: the JVM less the left-out threads, the threads the job
     * started, the threads that were there before, GC threads, JIT compiler threads, and the rest.
     */
    private static double[] cpuOfRun(
            String pair, String source, int records, LocalRegion primary, FastKinesisTarget fast, CpuMeter meter)
            throws Exception {
        ReplicationPairConfig config = BenchPair.config(
                env,
                pair,
                source,
                primary,
                "arn:aws:kinesis:us-east-2:" + LocalEnvironment.DEFAULT_ACCOUNT + ":stream/fast",
                fast.endpoint());
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
            return new double[] {
                jvm,
                jobThreads,
                otherThreads,
                gc,
                jit,
                jvm - jobThreads - otherThreads - gc - jit,
                done.allocatedSince(before),
                done.gcMillis - before.gcMillis,
                done.wallSeconds(before)
            };
        } finally {
            job.cancel().get();
        }
    }

    private static JobClient startJob(ReplicationPairConfig config) throws Exception {
        StreamExecutionEnvironment flink = StreamExecutionEnvironment.getExecutionEnvironment();
        ReplicationPlan plan = ReplicationPlan.prepare(config, false);
        // what 'replicate' without --parallelism runs: one subtask per open source shard, capped by the machine
        int parallelism = JobParallelism.forOpenShards(plan.sourceOpenShards(), JobParallelism.machineCap());
        return BenchPair.start(flink, config, plan, parallelism);
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
        try (BenchPair.Progress rows = new BenchPair.Progress(env, config)) {
            while (true) {
                List<ShardProgress> progress = rows.rows();
                long done = BenchPair.Progress.replicated(progress);
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
                assertThat(System.nanoTime())
                        .as("replicated %d of %d in time", done, records)
                        .isLessThan(deadline);
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
                batch.add(PutRecordsRequestEntry.builder()
                        .partitionKey("key-" + ((i + offset) % KEYS))
                        .data(SdkBytes.fromByteArray(payload))
                        .build());
            }
            batches.add(batch);
        }
        return batches;
    }

    private static void ingest(KinesisClient kinesis, String arn, List<List<PutRecordsRequestEntry>> batches)
            throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (List<PutRecordsRequestEntry> batch : batches) {
                results.add(pool.submit(() ->
                        kinesis.putRecords(b -> b.streamARN(arn).records(batch)).failedRecordCount()));
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
                batch.add(PutRecordsRequestEntry.builder()
                        .partitionKey("key-" + (i % KEYS))
                        .data(SdkBytes.fromByteArray(payload))
                        .build());
            }
            assertThat(kinesis.putRecords(b -> b.streamARN(arn).records(batch)).failedRecordCount())
                    .isZero();
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
        StreamContents.read(kinesis, arn)
                .records()
                .forEach(r -> byKey.computeIfAbsent(r.partitionKey(), k -> new ArrayList<>())
                        .add(r));
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
