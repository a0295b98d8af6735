package io.kinesisha.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.kinesisha.cli.demo.HtmlReport;
import io.kinesisha.cli.demo.Timeline;
import io.kinesisha.common.aws.ClientTuning;
import io.kinesisha.common.config.ReplicationPairConfig;
import io.kinesisha.common.control.ShardProgress;
import io.kinesisha.testkit.KeyedLoad;
import io.kinesisha.testkit.LocalEnvironment;
import io.kinesisha.testkit.Reshard;
import io.kinesisha.testkit.Waits;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.kinesis.KinesisClient;

/**
 * The replicator over a long run: a steady fraction of the emulator's own PutRecords rate (measured first, on the
 * same emulator) into a 4-shard source, a source reshard (split, then merge back) every interval, the job embedded as
 * {@code replicate} runs it. Every sample interval it records the JVM's heap after GC, records in and out, the
 * replicator's own lag and the machine's load; at the end it reads both streams in full and checks that nothing was
 * lost or reordered per key, and works out each record's replication lag (target arrival minus source arrival).
 * A leak shows as a heap slope, a slow drift as a rising lag p99 from window to window.
 *
 * <p>Parameters (system properties): {@code soak.minutes} (60), {@code soak.reshard-minutes} (10),
 * {@code soak.rate-fraction} (0.5), {@code soak.rate} (records/s, instead of the fraction), {@code soak.sample-seconds} (10), {@code soak.report} (the HTML report,
 * {@code target/soak-report.html}), {@code soak.reshard} ({@code split-merge} or {@code uniform}),
 * {@code soak.target-shards} (3). Run it with {@code -Dtest=SoakBenchmark} under {@code -Pbench}, or for an hour
 * without Maven with {@link #main} (see docs/performance.md).
 */
class SoakBenchmark {
    static final int KEYS = 1000;
    static final int SOURCE_SHARDS = 4;
    static final int TARGET_SHARDS = 3;

    /** How the source is resharded every interval. */
    enum ReshardMode {
        /** split the lowest open shard, then merge its children back (one shard closes at a time) */
        SPLIT_MERGE,
        /**
         * UpdateShardCount with uniform scaling, {@link #SOURCE_SHARDS} to twice that and back: every open shard closes
         * at once. kinesis-local's write cost grows with the records a shard holds, so fresh shards every interval
         * also keep the source emulator's cost bounded over a long run.
         */
        UNIFORM
    }

    static final int PAYLOAD = 200;
    static final Duration CALIBRATION = Duration.ofSeconds(20);
    /** A full GC for the live heap every this many samples (one a minute at 10 s). */
    static final int LIVE_HEAP_EVERY = 6;
    /** The end of the run stops waiting for the replicator when its progress rows stand still this long. */
    static final Duration STALLED = Duration.ofMinutes(2);

    /** What the run is given. */
    record Settings(
            Duration length,
            Duration reshardEvery,
            double rateFraction,
            double fixedRate,
            Duration sampleEvery,
            Path report,
            ReshardMode reshardMode,
            int targetShards) {
        static Settings fromSystemProperties() {
            return new Settings(
                    minutes("soak.minutes", 60),
                    minutes("soak.reshard-minutes", 10),
                    Double.parseDouble(System.getProperty("soak.rate-fraction", "0.5")),
                    Double.parseDouble(System.getProperty("soak.rate", "0")),
                    Duration.ofSeconds(Long.parseLong(System.getProperty("soak.sample-seconds", "10"))),
                    Paths.get(System.getProperty("soak.report", "target/soak-report.html"))
                            .toAbsolutePath(),
                    ReshardMode.valueOf(System.getProperty("soak.reshard", "split-merge")
                            .toUpperCase(java.util.Locale.ROOT)
                            .replace('-', '_')),
                    Integer.parseInt(System.getProperty("soak.target-shards", Integer.toString(TARGET_SHARDS))));
        }

        private static Duration minutes(String property, double fallback) {
            double minutes = Double.parseDouble(System.getProperty(property, Double.toString(fallback)));
            if (minutes <= 0) {
                throw new IllegalArgumentException(property + " must be > 0 minutes, was " + minutes);
            }
            return Duration.ofMillis((long) (minutes * 60_000));
        }

        /**
         * The writer's rate: {@code soak.rate} records/s when set (the emulator slows as it holds more records, so
         * half its fresh rate cannot be held for an hour on a small machine), else the fraction of {@code rawRate}.
         */
        double rate(double rawRate) {
            return fixedRate > 0 ? fixedRate : rawRate * rateFraction;
        }
    }

    @Test
    void soak() throws Exception {
        SoakResult result = run(Settings.fromSystemProperties());
        assertThat(result.check().lost()).as("records lost").isZero();
        assertThat(result.check().late()).as("per-key reorders").isZero();
        assertThat(result.check().sourceMissing())
                .as("acknowledged records missing from the source")
                .isZero();
    }

    /** The soak without Maven (an hour must not hold the build lock): exit code 0 when nothing was lost or reordered. */
    public static void main(String[] args) throws Exception {
        SoakResult result = run(Settings.fromSystemProperties());
        boolean clean = result.check().lost() == 0
                && result.check().late() == 0
                && result.check().sourceMissing() == 0;
        System.exit(clean ? 0 : 1);
    }

    static SoakResult run(Settings settings) throws Exception {
        System.out.printf(
                "soak: %s at %s, a source reshard every %s, a sample every %s%n",
                settings.length(),
                settings.fixedRate() > 0
                        ? settings.fixedRate() + " records/s"
                        : String.format("%.0f %% of the emulator's rate", settings.rateFraction() * 100),
                settings.reshardEvery(),
                settings.sampleEvery());
        Path work =
                Paths.get("target", "bench-soak-" + System.currentTimeMillis()).toAbsolutePath();
        // the emulators hold millions of records by the end: a periodic persist would stall them for seconds
        try (LocalEnvironment env = LocalEnvironment.builder()
                        .workDir(work)
                        .persist(false)
                        // the harness's own calls (the writer, the reshards, the final read) take the SDK's retries:
                        // one lost response from a busy emulator must not end an hour's run
                        .clientTuning(new ClientTuning(Duration.ofMinutes(5), Duration.ofMinutes(2), 5))
                        .start();
                KinesisClient west = env.clients().kinesis(env.primary().target());
                KinesisClient east = env.clients().kinesis(env.secondary().target())) {
            double rawRate = calibrate(env, west);
            double rate = settings.rate(rawRate);
            System.out.printf(
                    "soak: raw PutRecords ingest %.0f records/s (1 writer, batches of 500, %d B, %s); "
                            + "soak rate %.0f records/s%n",
                    rawRate, PAYLOAD, CALIBRATION, rate);

            String source = env.primary().createStream("soak-source", SOURCE_SHARDS);
            String target = env.secondary().createStream("soak-target", settings.targetShards());
            ReplicationPairConfig config = BenchPair.config(
                    env,
                    "soak",
                    source,
                    env.primary(),
                    target,
                    env.secondary().kinesisEndpoint().toString());
            KeyedLoad load = KeyedLoad.counting(KEYS, PAYLOAD);
            SoakSeries series = new SoakSeries(new Timeline(), LIVE_HEAP_EVERY);
            StreamExecutionEnvironment flink =
                    StreamExecutionEnvironment.createLocalEnvironment(SOURCE_SHARDS, new Configuration());
            JobClient job = BenchPair.start(flink, config, SOURCE_SHARDS);
            long replicatedAtEnd;
            try (BenchPair.Progress progress = new BenchPair.Progress(env, config)) {
                Waits.until(
                        () -> !progress.rows().isEmpty(), Duration.ofMinutes(2), () -> "the job's first progress rows");
                series.timeline().mark("job running");
                runLoad(settings, rate, west, source, load, series, progress);
                replicatedAtEnd = drain(progress, load.acknowledgedCount(), series);
            } finally {
                job.cancel().get();
            }
            System.out.printf(
                    "soak: job cancelled; %d acknowledged, %d replicated by the progress rows; reading both "
                            + "streams%n",
                    load.acknowledgedCount(), replicatedAtEnd);
            SoakCheck check = SoakCheck.read(
                    west,
                    source,
                    east,
                    target,
                    load.acknowledgedCounters(),
                    series.timeline().startedAt(),
                    settings.sampleEvery(),
                    settings.reshardEvery());
            SoakResult result =
                    new SoakResult(settings, rawRate, rate, series, check, replicatedAtEnd >= load.acknowledgedCount());
            result.print();
            Path report = result.writeReport();
            System.out.println("soak: report " + report);
            return result;
        }
    }

    /** The emulator's raw rate: one writer, back-to-back batches of 500, into a scratch stream deleted afterwards. */
    private static double calibrate(LocalEnvironment env, KinesisClient west) {
        String scratch = env.primary().createStream("soak-calibration", SOURCE_SHARDS);
        KeyedLoad load = KeyedLoad.counting(KEYS, PAYLOAD);
        long start = System.nanoTime();
        long end = start + CALIBRATION.toNanos();
        while (System.nanoTime() < end) {
            load.write(west, scratch, 500);
        }
        double rate = load.acknowledgedCount() / ((System.nanoTime() - start) / 1e9);
        west.deleteStream(b -> b.streamARN(scratch).enforceConsumerDeletion(true));
        return rate;
    }

    /**
     * Writes at {@code rate} until the run's length has passed (one writer, so each key's records go in order), while
     * a scheduler samples and reshards. A writer failure ends the run.
     */
    private static void runLoad(
            Settings settings,
            double rate,
            KinesisClient west,
            String source,
            KeyedLoad load,
            SoakSeries series,
            BenchPair.Progress progress)
            throws Exception {
        AtomicReference<String> lastSplit = new AtomicReference<>();
        try (SoakScheduler scheduler = new SoakScheduler()) {
            scheduler.every(settings.sampleEvery(), () -> series.sample(load.acknowledgedCount(), progress.rows()));
            scheduler.every(settings.reshardEvery(), () -> {
                if (settings.reshardMode() == ReshardMode.UNIFORM) {
                    int to = Reshard.openShardCount(west, source) == SOURCE_SHARDS ? 2 * SOURCE_SHARDS : SOURCE_SHARDS;
                    Reshard.scaleUniformly(west, source, to);
                    series.timeline().mark("UpdateShardCount to " + to);
                    return;
                }
                String parent = lastSplit.getAndSet(null);
                if (parent == null) {
                    lastSplit.set(Reshard.splitLowestOpen(west, source));
                    series.timeline().mark("split " + lastSplit.get());
                } else {
                    Reshard.mergeChildrenOf(west, source, parent);
                    series.timeline().mark("merge");
                }
            });
            long start = System.nanoTime();
            long end = start + settings.length().toNanos();
            long tick = Duration.ofMillis(20).toNanos();
            while (System.nanoTime() < end) {
                scheduler.rethrow();
                double elapsed = (System.nanoTime() - start) / 1e9;
                long due = (long) (rate * elapsed) - load.acknowledgedCount();
                if (due > 0) {
                    load.write(west, source, (int) Math.min(500, due));
                } else {
                    LockSupport.parkNanos(tick);
                }
            }
            series.timeline().mark("load stopped");
            scheduler.rethrow();
        }
    }

    /**
     * Waits until the progress rows show every acknowledged record replicated, or until they have not moved for
     * {@link #STALLED} (the final read of both streams then says what is missing).
     */
    private static long drain(BenchPair.Progress progress, long acknowledged, SoakSeries series) {
        long lastDone = -1;
        long movedAt = System.nanoTime();
        while (true) {
            List<ShardProgress> rows = progress.rows();
            long done = BenchPair.Progress.replicated(rows);
            if (done != lastDone) {
                lastDone = done;
                movedAt = System.nanoTime();
            }
            boolean stalled = System.nanoTime() - movedAt > STALLED.toNanos();
            if (done >= acknowledged || stalled) {
                series.sample(acknowledged, rows);
                series.timeline().mark(stalled ? "replication stalled" : "drained");
                return done;
            }
            LockSupport.parkNanos(Duration.ofSeconds(1).toNanos());
        }
    }

    /** What a run found, and its report. */
    record SoakResult(
            Settings settings, double rawRate, double rate, SoakSeries series, SoakCheck check, boolean drained) {
        void print() {
            System.out.println();
            series.printTable(check);
            System.out.println();
            check.printWindows();
            System.out.println();
            summary().forEach(row -> System.out.printf("| %s | %s |%n", row[0], row[1]));
        }

        List<String[]> summary() {
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[] {
                "length / reshard every / sample every",
                settings.length().toMinutes() + " min / "
                        + settings.reshardEvery().toSeconds() + " s / "
                        + settings.sampleEvery().toSeconds() + " s"
            });
            rows.add(new String[] {
                "emulator raw ingest / soak rate",
                String.format("%.0f / %.0f records/s (%.0f %%)", rawRate, rate, rate / rawRate * 100)
            });
            rows.add(new String[] {
                "records written (acknowledged) / in the source / in the target (first copies) / duplicates",
                String.format(
                        "%d / %d / %d / %d",
                        check.acknowledged(), check.sourceRecords(), check.targetFirstCopies(), check.duplicates())
            });
            rows.add(new String[] {
                "replicator drained after the load stopped",
                drained ? "yes" : "no: its progress rows stood still for " + STALLED.toMinutes() + " min"
            });
            rows.add(new String[] {
                "**lost** (in the source, not in the target when the job was cancelled) / missing " + "from the source",
                check.lost() + " / " + check.sourceMissing()
            });
            rows.add(new String[] {
                "**per-key reorders** in the target / wrong partition key",
                check.late() + " / " + check.mismatchedKeys()
            });
            rows.add(new String[] {
                settings.reshardMode() == ReshardMode.UNIFORM
                        ? "reshards (UpdateShardCount " + SOURCE_SHARDS + " <-> " + 2 * SOURCE_SHARDS + ", uniform)"
                        : "reshards (split, merge alternately)",
                Long.toString(series.reshards())
            });
            rows.add(new String[] {
                "**heap after GC slope** (least squares, every sample / live heap after a full GC " + "each minute)",
                String.format("%+.1f / %+.1f MB per hour", series.heapSlopeMbPerHour(), series.liveHeapSlopeMbPerHour())
            });
            rows.add(new String[] {"live heap after a full GC: first / last / max", series.liveHeapSummary()});
            rows.add(new String[] {
                "replication lag (target arrival - source arrival), whole run: p50 / p99 / max", check.overallLag()
            });
            return rows;
        }

        Path writeReport() throws java.io.IOException {
            HtmlReport html = new HtmlReport(
                            "kinesis-ha soak: " + settings.length().toMinutes() + " minutes, a source "
                                    + "reshard every " + settings.reshardEvery().toMinutes() + " minutes")
                    .describe(String.format(
                            "The replicator (embedded MiniCluster, parallelism %d) between two local "
                                    + "emulators, source %d shards to target %d shards, %d keys, %d B records, written by one "
                                    + "writer at %.0f records/s (%.0f %% of the emulator's own raw PutRecords rate, measured "
                                    + "first). Started %s.",
                            SOURCE_SHARDS,
                            SOURCE_SHARDS,
                            settings.targetShards(),
                            KEYS,
                            PAYLOAD,
                            rate,
                            rate / rawRate * 100,
                            series.timeline().startedAt()))
                    .describe("Replication lag is each record's target arrival minus its source arrival (both "
                            + "emulators on this machine's clock), p99 of the records written in each sample "
                            + "interval. Throughput: produced/s is the writer's acknowledged rate, consumed/s the "
                            + "replicator's progress rows.");
            summary().forEach(row -> html.row(row[0].replace("**", ""), row[1]));
            series.addTo(html, check);
            html.section("Lag per reshard window", check.windowLines());
            html.section("Series", series.tableLines(check));
            return html.write(settings.report());
        }
    }

    /** Runs tasks at fixed rates on daemon threads and keeps the first failure, for the main loop to rethrow. */
    static final class SoakScheduler implements AutoCloseable {
        private final java.util.concurrent.ScheduledExecutorService pool =
                java.util.concurrent.Executors.newScheduledThreadPool(2, r -> {
                    Thread t = new Thread(r, "soak-scheduler");
                    t.setDaemon(true);
                    return t;
                });
        private final AtomicReference<Exception> failure = new AtomicReference<>();

        /** First run after one period; a late run does not make the next one early (no bursts of samples). */
        void every(Duration period, Task task) {
            pool.scheduleWithFixedDelay(
                    () -> {
                        try {
                            task.run();
                        } catch (Exception e) {
                            failure.compareAndSet(null, e);
                        }
                    },
                    period.toNanos(),
                    period.toNanos(),
                    java.util.concurrent.TimeUnit.NANOSECONDS);
        }

        void rethrow() throws Exception {
            Exception e = failure.get();
            if (e != null) {
                throw e;
            }
        }

        @Override
        public void close() throws InterruptedException {
            pool.shutdown();
            pool.awaitTermination(2, java.util.concurrent.TimeUnit.MINUTES);
        }

        interface Task {
            void run() throws Exception;
        }
    }

    /** Only for the report's time axis. */
    static double seconds(Instant start, Instant at) {
        return Duration.between(start, at).toMillis() / 1000.0;
    }
}
