package io.kinesisha.bench;

import io.kinesisha.cli.demo.Percentiles;
import io.kinesisha.common.kinesis.ShardListing;
import io.kinesisha.testkit.KeyedOrder;
import io.kinesisha.testkit.KeyedPayload;
import io.kinesisha.testkit.StreamContents;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.Record;
import software.amazon.awssdk.services.kinesis.model.Shard;

/**
 * Both streams of a soak read in full, one shard at a time (they hold millions of records): every acknowledged record
 * must be in the source, every source record in the target, each key in order there (testkit's {@link KeyedOrder};
 * the target is never resharded, so a key's records are in one shard in sequence order), and each record's
 * replication lag is its target arrival minus its source arrival, grouped by when it was written.
 */
final class SoakCheck {
    private final Instant start;
    private final Duration sampleEvery;
    private final Duration window;
    /** Source and target (first copy) arrival per key number and counter, 0 when absent. */
    private final long[][] sourceArrival = new long[SoakBenchmark.KEYS][];

    private final long[][] targetArrival = new long[SoakBenchmark.KEYS][];
    private final Map<Long, List<Long>> lagBySample = new TreeMap<>();
    private final Map<Long, List<Long>> lagByWindow = new TreeMap<>();
    private final List<Long> allLags = new ArrayList<>();
    private long acknowledged;
    private long sourceRecords;
    private long sourceMissing;
    private long targetFirstCopies;
    private long duplicates;
    private long late;
    private long lost;
    private long mismatchedKeys;

    private SoakCheck(Instant start, Duration sampleEvery, Duration window) {
        this.start = start;
        this.sampleEvery = sampleEvery;
        this.window = window;
    }

    static SoakCheck read(
            KinesisClient west,
            String source,
            KinesisClient east,
            String target,
            Map<String, Integer> acknowledgedCounters,
            Instant start,
            Duration sampleEvery,
            Duration window) {
        SoakCheck c = new SoakCheck(start, sampleEvery, window);
        for (Shard shard : ShardListing.all(west, source)) {
            for (Record r : StreamContents.readShard(west, source, shard.shardId())) {
                parse(r).ifPresent(p -> {
                    if (c.set(
                            c.sourceArrival, p, r.approximateArrivalTimestamp().toEpochMilli())) {
                        c.sourceRecords++;
                    }
                });
            }
        }
        acknowledgedCounters.forEach((key, highest) -> {
            c.acknowledged += highest;
            for (int counter = 1; counter <= highest; counter++) {
                if (get(c.sourceArrival, keyNumber(key), counter) == 0) {
                    c.sourceMissing++;
                }
            }
        });
        KeyedOrder order = new KeyedOrder();
        for (Shard shard : ShardListing.all(east, target)) {
            for (Record r : StreamContents.readShard(east, target, shard.shardId())) {
                String payload = StreamContents.payload(r);
                KeyedOrder.Verdict verdict = order.accept(payload);
                Optional<KeyedPayload> p = KeyedPayload.parse(payload);
                if (p.isEmpty() || !p.get().key().equals(r.partitionKey())) {
                    c.mismatchedKeys++;
                    continue;
                }
                if (verdict != KeyedOrder.Verdict.DUPLICATE
                        && c.set(
                                c.targetArrival,
                                p.get(),
                                r.approximateArrivalTimestamp().toEpochMilli())) {
                    c.targetFirstCopies++;
                }
            }
        }
        c.duplicates = order.duplicates();
        c.late = order.late();
        c.collectLags();
        return c;
    }

    private void collectLags() {
        long startMs = start.toEpochMilli();
        for (int k = 0; k < sourceArrival.length; k++) {
            long[] sources = sourceArrival[k] == null ? new long[0] : sourceArrival[k];
            for (int counter = 1; counter < sources.length; counter++) {
                if (sources[counter] == 0) {
                    continue;
                }
                long arrived = get(targetArrival, k, counter);
                if (arrived == 0) {
                    lost++;
                    continue;
                }
                long lag = arrived - sources[counter];
                long sinceStart = sources[counter] - startMs;
                lagBySample
                        .computeIfAbsent(sinceStart / sampleEvery.toMillis(), i -> new ArrayList<>())
                        .add(lag);
                lagByWindow
                        .computeIfAbsent(sinceStart / window.toMillis(), i -> new ArrayList<>())
                        .add(lag);
                allLags.add(lag);
            }
        }
    }

    private static Optional<KeyedPayload> parse(Record r) {
        return KeyedPayload.parse(StreamContents.payload(r));
    }

    private static int keyNumber(String key) {
        return Integer.parseInt(key.substring(key.indexOf('-') + 1));
    }

    /** Sets the arrival of a record unless one is there already; false when it was. */
    private boolean set(long[][] arrivals, KeyedPayload p, long arrival) {
        int k = keyNumber(p.key());
        int counter = (int) p.counter();
        if (arrivals[k] == null) {
            arrivals[k] = new long[Math.max(1024, counter + 1)];
        } else if (arrivals[k].length <= counter) {
            arrivals[k] = java.util.Arrays.copyOf(arrivals[k], Math.max(arrivals[k].length * 2, counter + 1));
        }
        if (arrivals[k][counter] != 0) {
            return false;
        }
        arrivals[k][counter] = arrival;
        return true;
    }

    private static long get(long[][] arrivals, int k, int counter) {
        return arrivals[k] == null || arrivals[k].length <= counter ? 0 : arrivals[k][counter];
    }

    /** Lag p50 and p99 of the records written in the sample interval that ended at {@code at}; null if none. */
    long[] lagAt(Instant at) {
        long index = Duration.between(start, at).toMillis() / sampleEvery.toMillis() - 1;
        List<Long> lags = lagBySample.get(index);
        if (lags == null || lags.isEmpty()) {
            return null;
        }
        Percentiles p = Percentiles.of(lags);
        return new long[] {p.p50(), p.p99()};
    }

    /** One line per reshard window (records by the time they were written): count, lag p50, p99, max. */
    List<String> windowLines() {
        List<String> lines = new ArrayList<>();
        lines.add("| window (min) | records | lag p50 ms | lag p99 ms | lag max ms |");
        lines.add("|---|---|---|---|---|");
        double minutes = window.toMillis() / 60_000.0;
        lagByWindow.forEach((i, lags) -> {
            Percentiles p = Percentiles.of(lags);
            lines.add(String.format(
                    "| %.0f-%.0f | %d | %d | %d | %d |",
                    i * minutes, (i + 1) * minutes, p.count(), p.p50(), p.p99(), p.max()));
        });
        return lines;
    }

    void printWindows() {
        windowLines().forEach(System.out::println);
    }

    String overallLag() {
        Percentiles p = Percentiles.of(allLags);
        return p.format(50, "") + " / " + p.format(99, "") + " / " + p.format(100, " ms");
    }

    long acknowledged() {
        return acknowledged;
    }

    long sourceRecords() {
        return sourceRecords;
    }

    long sourceMissing() {
        return sourceMissing;
    }

    long targetFirstCopies() {
        return targetFirstCopies;
    }

    long duplicates() {
        return duplicates;
    }

    /** In the source, not in the target. */
    long lost() {
        return lost;
    }

    /** Per-key order violations in the target. */
    long late() {
        return late;
    }

    long mismatchedKeys() {
        return mismatchedKeys;
    }
}
