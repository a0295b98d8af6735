package io.kinesisha.bench;

import com.sun.management.GarbageCollectionNotificationInfo;
import io.kinesisha.cli.demo.HtmlReport;
import io.kinesisha.cli.demo.Timeline;
import io.kinesisha.common.control.ShardProgress;
import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;
import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;

/**
 * The soak's samples, one per interval: the JVM's heap after its latest GC (from the collectors' notifications), every
 * few samples the live heap after a full GC, records in (acknowledged by the source) and out (the progress rows), the
 * replicator's own lag (the highest millis-behind-latest of its open shards) and the machine's load average. Kept
 * small and fixed per sample, so the series itself does not grow the heap it measures.
 */
final class SoakSeries {
    private static final double MB = 1024 * 1024;

    /** One sample; {@code liveHeapMb} is NaN when no full GC was made for it. */
    record Row(
            Instant at,
            double load1,
            double heapAfterGcMb,
            double liveHeapMb,
            long in,
            long out,
            long replicatorLagMs) {}

    private final Timeline timeline;
    private final int liveHeapEvery;
    private final List<Row> rows = new ArrayList<>();
    private final AtomicLong lastHeapAfterGc = new AtomicLong(-1);

    SoakSeries(Timeline timeline, int liveHeapEvery) {
        this.timeline = timeline;
        this.liveHeapEvery = liveHeapEvery;
        Set<String> heapPools = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(p -> p.getType() == MemoryType.HEAP)
                .map(MemoryPoolMXBean::getName)
                .collect(Collectors.toSet());
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            ((NotificationEmitter) gc)
                    .addNotificationListener(
                            (notification, handback) -> {
                                if (GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(
                                        notification.getType())) {
                                    GarbageCollectionNotificationInfo info = GarbageCollectionNotificationInfo.from(
                                            (CompositeData) notification.getUserData());
                                    long used = info.getGcInfo().getMemoryUsageAfterGc().entrySet().stream()
                                            .filter(e -> heapPools.contains(e.getKey()))
                                            .mapToLong(e -> e.getValue().getUsed())
                                            .sum();
                                    lastHeapAfterGc.set(used);
                                }
                            },
                            null,
                            null);
        }
    }

    Timeline timeline() {
        return timeline;
    }

    /** Takes a sample now: {@code in} acknowledged so far, the pair's progress rows. */
    synchronized void sample(long in, List<ShardProgress> progress) {
        double live = Double.NaN;
        if ((rows.size() + 1) % liveHeapEvery == 0) {
            System.gc(); // a full GC: what is left is live, whatever the collector's own timing
            live = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / MB;
        }
        long out = BenchPair.Progress.replicated(progress);
        long lag = progress.stream()
                .filter(p -> !p.shardFinished())
                .mapToLong(ShardProgress::millisBehindLatest)
                .max()
                .orElse(0);
        Instant at = Instant.now();
        Row row = new Row(at, loadAverage(), lastHeapAfterGc.get() / MB, live, in, out, lag);
        rows.add(row);
        timeline.sample(at, in, out, null, null);
        System.out.printf(
                "soak: %.0f s, in %d, out %d, heap after GC %.0f MB, load %.2f; %s%n",
                SoakBenchmark.seconds(timeline.startedAt(), at),
                in,
                out,
                row.heapAfterGcMb(),
                row.load1(),
                describe(progress));
    }

    /** Each source shard's row: records replicated, finished or how far behind. */
    static String describe(List<ShardProgress> progress) {
        return progress.stream()
                .map(p -> p.sourceShardId().replace("shardId-", "") + "=" + p.recordsReplicated()
                        + (p.shardFinished() ? " done" : " " + p.millisBehindLatest() + "ms"))
                .collect(Collectors.joining(", "));
    }

    private static double loadAverage() {
        try {
            return Double.parseDouble(
                    Files.readString(Paths.get("/proc/loadavg")).split(" ")[0]);
        } catch (IOException | RuntimeException e) {
            return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        }
    }

    synchronized List<Row> rows() {
        return List.copyOf(rows);
    }

    long reshards() {
        return timeline.events().stream()
                .filter(e -> e.label().startsWith("split")
                        || e.label().equals("merge")
                        || e.label().startsWith("UpdateShardCount"))
                .count();
    }

    double heapSlopeMbPerHour() {
        return slopePerHour(rows(), Row::heapAfterGcMb);
    }

    double liveHeapSlopeMbPerHour() {
        return slopePerHour(rows(), Row::liveHeapMb);
    }

    String liveHeapSummary() {
        List<Double> live =
                rows().stream().map(Row::liveHeapMb).filter(v -> !v.isNaN()).toList();
        if (live.isEmpty()) {
            return "-";
        }
        return String.format(
                "%.0f / %.0f / %.0f MB",
                live.get(0),
                live.get(live.size() - 1),
                live.stream().mapToDouble(Double::doubleValue).max().orElse(0));
    }

    /** Least-squares slope of {@code y} over time, per hour; samples where it is NaN are left out. */
    private double slopePerHour(List<Row> all, ToDoubleFunction<Row> y) {
        Instant start = timeline.startedAt();
        double n = 0;
        double sx = 0;
        double sy = 0;
        double sxx = 0;
        double sxy = 0;
        for (Row r : all) {
            double v = y.applyAsDouble(r);
            if (Double.isNaN(v) || v < 0) {
                continue;
            }
            double x = SoakBenchmark.seconds(start, r.at()) / 3600;
            n++;
            sx += x;
            sy += v;
            sxx += x * x;
            sxy += x * v;
        }
        double d = n * sxx - sx * sx;
        return n < 2 || d == 0 ? Double.NaN : (n * sxy - sx * sy) / d;
    }

    /** The series as a Markdown table: one row per sample, the lag from the records written in its interval. */
    List<String> tableLines(SoakCheck check) {
        List<String> lines = new ArrayList<>();
        lines.add("| s | load 1 min | heap after GC MB | live heap MB | in | in/s | out | out/s | backlog | "
                + "lag p50 ms | lag p99 ms | replicator behind ms |");
        lines.add("|---|---|---|---|---|---|---|---|---|---|---|---|");
        List<Row> all = rows();
        List<Timeline.Sample> samples = timeline.samples();
        for (int i = 0; i < all.size(); i++) {
            Row r = all.get(i);
            Timeline.Sample s = samples.get(i);
            double sec = SoakBenchmark.seconds(timeline.startedAt(), r.at());
            long[] lag = check.lagAt(r.at());
            lines.add(String.format(
                    "| %.0f | %.2f | %.0f | %s | %d | %.0f | %d | %.0f | %d | %s | %s | %d |",
                    sec,
                    r.load1(),
                    r.heapAfterGcMb(),
                    Double.isNaN(r.liveHeapMb()) ? "" : String.format("%.0f", r.liveHeapMb()),
                    r.in(),
                    s.producedPerSecond(),
                    r.out(),
                    s.consumedPerSecond(),
                    r.in() - r.out(),
                    lag == null ? "" : Long.toString(lag[0]),
                    lag == null ? "" : Long.toString(lag[1]),
                    r.replicatorLagMs()));
        }
        return lines;
    }

    void printTable(SoakCheck check) {
        tableLines(check).forEach(System.out::println);
    }

    /** The timeline's lag (p99 per interval) and the heap and load charts. */
    void addTo(HtmlReport html, SoakCheck check) {
        List<Row> all = rows();
        Timeline withLag = new Timeline(java.time.Clock.fixed(timeline.startedAt(), java.time.ZoneOffset.UTC));
        timeline.events().forEach(e -> withLag.mark(e.label(), e.at()));
        for (Row r : all) {
            long[] lag = check.lagAt(r.at());
            withLag.sample(r.at(), r.in(), r.out(), lag == null ? null : lag[1], null);
        }
        html.timeline(withLag);
        double[] x = all.stream()
                .mapToDouble(r -> SoakBenchmark.seconds(timeline.startedAt(), r.at()))
                .toArray();
        List<Row> live = all.stream().filter(r -> !Double.isNaN(r.liveHeapMb())).toList();
        html.chart(
                "Heap after GC",
                "MB",
                List.of(
                        new HtmlReport.Series(
                                "heap after the latest GC (MB)",
                                x,
                                all.stream().mapToDouble(Row::heapAfterGcMb).toArray()),
                        new HtmlReport.Series(
                                "live heap after a full GC (MB)",
                                live.stream()
                                        .mapToDouble(r -> SoakBenchmark.seconds(timeline.startedAt(), r.at()))
                                        .toArray(),
                                live.stream().mapToDouble(Row::liveHeapMb).toArray())));
        html.chart(
                "Machine load (1 min average, 2 cores)",
                "load",
                List.of(new HtmlReport.Series(
                        "load average", x, all.stream().mapToDouble(Row::load1).toArray())));
    }
}
