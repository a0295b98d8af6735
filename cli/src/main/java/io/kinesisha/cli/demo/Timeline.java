package io.kinesisha.cli.demo;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What happened during a demo or drill, second by second, for the report's charts: samples of produced/s,
 * consumed/s, replication lag and the active region, and labelled events (outage, failover detected, ...) at the
 * instant they happened. Rates are computed here from cumulative counts (the producer's and consumer's counters),
 * so callers hand over totals and never have to measure intervals.
 *
 * <p>Either call {@link #sample} yourself (e.g. from the demo's own loop), or {@link #startSampling} a daemon
 * thread that samples at a fixed rate from suppliers; {@link #close()} stops it. A supplier that throws or returns
 * {@code null} yields an unknown value for that sample (a control store that cannot be read during an outage must
 * not stop the timeline). Thread-safe.
 */
public final class Timeline implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Timeline.class);

    /** Suggested event labels, in the order a demo produces them. */
    public static final String OUTAGE = "outage";

    public static final String FAILOVER_DETECTED = "failover detected";
    public static final String FAILOVER_DONE = "failover done";
    public static final String PRIMARY_RESTORED = "primary restored";
    public static final String FAILBACK_DONE = "failback done";

    /**
     * One sample. Rates are per second since the previous sample ({@code 0} for the first); {@code lagMillis} and
     * {@code activeRegion} are {@code null} when unknown.
     */
    public record Sample(
            Instant at,
            long producedTotal,
            long consumedTotal,
            double producedPerSecond,
            double consumedPerSecond,
            Long lagMillis,
            String activeRegion) {}

    /** Something that happened at {@code at}. */
    public record Event(Instant at, String label) {}

    private final Clock clock;
    private final Instant startedAt;
    private final List<Sample> samples = new ArrayList<>();
    private final List<Event> events = new ArrayList<>();
    private ScheduledExecutorService scheduler;

    /** A timeline starting now on {@code clock}. */
    public Timeline(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.startedAt = clock.instant();
    }

    /** A timeline starting now on the UTC system clock. */
    public Timeline() {
        this(Clock.systemUTC());
    }

    /** Where the charts' time axis starts (creation time). */
    public Instant startedAt() {
        return startedAt;
    }

    /** Adds a sample taken now. */
    public Sample sample(long producedTotal, long consumedTotal, Long lagMillis, String activeRegion) {
        return sample(clock.instant(), producedTotal, consumedTotal, lagMillis, activeRegion);
    }

    /** Adds a sample taken at {@code at} (not before the previous sample); rates are from the previous sample. */
    public synchronized Sample sample(
            Instant at, long producedTotal, long consumedTotal, Long lagMillis, String activeRegion) {
        Objects.requireNonNull(at, "at");
        double produced = 0;
        double consumed = 0;
        if (!samples.isEmpty()) {
            Sample prev = samples.get(samples.size() - 1);
            if (at.isBefore(prev.at())) {
                throw new IllegalArgumentException("sample at " + at + " is before the previous one at " + prev.at());
            }
            double seconds = Duration.between(prev.at(), at).toNanos() / 1e9;
            if (seconds > 0) {
                produced = (producedTotal - prev.producedTotal()) / seconds;
                consumed = (consumedTotal - prev.consumedTotal()) / seconds;
            }
        }
        Sample s = new Sample(at, producedTotal, consumedTotal, produced, consumed, lagMillis, activeRegion);
        samples.add(s);
        return s;
    }

    /** Marks an event now. */
    public Event mark(String label) {
        return mark(label, clock.instant());
    }

    /** Marks an event that happened at {@code at} (e.g. an audit entry's time); events are kept in time order. */
    public synchronized Event mark(String label, Instant at) {
        Event e = new Event(Objects.requireNonNull(at, "at"), Objects.requireNonNull(label, "label"));
        int i = events.size();
        while (i > 0 && events.get(i - 1).at().isAfter(at)) {
            i--;
        }
        events.add(i, e);
        return e;
    }

    /**
     * Samples every {@code every} on a daemon thread (first sample now) until {@link #close()}. Suppliers are called
     * on that thread; {@code lagMillis} and {@code activeRegion} may return {@code null} (unknown).
     */
    public synchronized Timeline startSampling(
            LongSupplier producedTotal,
            LongSupplier consumedTotal,
            Supplier<Long> lagMillis,
            Supplier<String> activeRegion,
            Duration every) {
        if (scheduler != null) {
            throw new IllegalStateException("already sampling");
        }
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "kinesis-ha-timeline");
            t.setDaemon(true);
            return t;
        });
        scheduler.scheduleAtFixedRate(
                () -> {
                    try {
                        sample(
                                producedTotal.getAsLong(),
                                consumedTotal.getAsLong(),
                                quietly(lagMillis),
                                quietly(activeRegion));
                    } catch (RuntimeException e) {
                        LOG.warn("timeline sample failed: {}", e.toString());
                    }
                },
                0,
                every.toNanos(),
                TimeUnit.NANOSECONDS);
        return this;
    }

    /** With one sample a second. */
    public Timeline startSampling(
            LongSupplier producedTotal,
            LongSupplier consumedTotal,
            Supplier<Long> lagMillis,
            Supplier<String> activeRegion) {
        return startSampling(producedTotal, consumedTotal, lagMillis, activeRegion, Duration.ofSeconds(1));
    }

    private static <T> T quietly(Supplier<T> supplier) {
        try {
            return supplier.get();
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** Samples so far, in time order (a copy). */
    public synchronized List<Sample> samples() {
        return List.copyOf(samples);
    }

    /** Events so far, in time order (a copy). */
    public synchronized List<Event> events() {
        return List.copyOf(events);
    }

    /** The first event with this label, if marked. */
    public synchronized java.util.Optional<Event> event(String label) {
        return events.stream().filter(e -> e.label().equals(label)).findFirst();
    }

    /** Known lag values of all samples, in time order (for {@link Percentiles}). */
    public synchronized List<Long> lagValues() {
        List<Long> out = new ArrayList<>();
        for (Sample s : samples) {
            if (s.lagMillis() != null) {
                out.add(s.lagMillis());
            }
        }
        return out;
    }

    /** Stops the sampling thread, if any (samples and events stay). */
    @Override
    public void close() {
        ScheduledExecutorService s;
        synchronized (this) {
            s = scheduler;
            scheduler = null;
        }
        if (s != null) {
            s.shutdown();
            try {
                s.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
