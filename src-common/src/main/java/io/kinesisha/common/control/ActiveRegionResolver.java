package io.kinesisha.common.control;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How SDK producers and consumers learn where to write and read: the pair's control record, read strongly
 * consistent every {@code refresh} on a daemon thread, so a failover reaches every client within one refresh
 * without redeploying anything. Producers also hold their writes while {@link #isPaused()} (a planned switchover
 * drains replication first). When the control store cannot be read the last answer stays (a control-store outage
 * must not stop a healthy workload) and {@link #staleness()} grows, for clients that prefer to stop.
 */
public final class ActiveRegionResolver implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ActiveRegionResolver.class);

    /** Called on the refresh thread when the active region, the pause flag or the epoch changes. */
    public interface Listener {
        void onChange(Snapshot previous, Snapshot current);
    }

    /** One successful read: what the record said and when it was read. */
    public static final class Snapshot {
        private final String activeRegion;
        private final boolean paused;
        private final long epoch;
        private final long version;
        private final Instant readAt;

        Snapshot(String activeRegion, boolean paused, long epoch, long version, Instant readAt) {
            this.activeRegion = activeRegion;
            this.paused = paused;
            this.epoch = epoch;
            this.version = version;
            this.readAt = readAt;
        }

        public String activeRegion() {
            return activeRegion;
        }

        public boolean paused() {
            return paused;
        }

        public long epoch() {
            return epoch;
        }

        public long version() {
            return version;
        }

        public Instant readAt() {
            return readAt;
        }

        boolean sameAnswer(Snapshot o) {
            return o != null && activeRegion.equals(o.activeRegion) && paused == o.paused && epoch == o.epoch;
        }

        @Override
        public String toString() {
            return activeRegion + (paused ? " (producers paused)" : "") + " epoch " + epoch;
        }
    }

    private final ControlStore store;
    private final String pairName;
    private final Duration refresh;
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private volatile Snapshot last;
    private volatile long lastReadNanos;
    private volatile String lastError;
    private ScheduledExecutorService scheduler;

    /** Reads {@code pairName}'s record from {@code store} every {@code refresh} once {@link #start()}ed. */
    public ActiveRegionResolver(ControlStore store, String pairName, Duration refresh) {
        this.store = Objects.requireNonNull(store, "store");
        this.pairName = Objects.requireNonNull(pairName, "pairName");
        if (refresh.isNegative() || refresh.isZero()) {
            throw new IllegalArgumentException("refresh must be positive, was " + refresh);
        }
        this.refresh = refresh;
    }

    /** With the default refresh of one second. */
    public ActiveRegionResolver(ControlStore store, String pairName) {
        this(store, pairName, Duration.ofSeconds(1));
    }

    /** Reads once now (an unreachable store is reported, not thrown), then every refresh on a daemon thread. */
    public synchronized ActiveRegionResolver start() {
        if (scheduler == null) {
            refreshNow();
            scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "kinesis-ha-resolver-" + pairName);
                t.setDaemon(true);
                return t;
            });
            scheduler.scheduleWithFixedDelay(
                    this::refreshNow, refresh.toMillis(), refresh.toMillis(), TimeUnit.MILLISECONDS);
        }
        return this;
    }

    public void addListener(Listener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /** Reads the record now (also what the refresh thread runs); true if the read succeeded. */
    public boolean refreshNow() {
        long started = System.nanoTime();
        try {
            Optional<ControlRecord> record = store.read(pairName);
            if (!record.isPresent()) {
                fail("no control record for pair '" + pairName + "' in table " + store.table());
                return false;
            }
            ControlRecord r = record.get();
            Snapshot current =
                    new Snapshot(r.activeRegion(), r.producersPaused(), r.epoch(), r.version(), Instant.now());
            Snapshot previous;
            synchronized (this) {
                previous = last;
                last = current;
                lastReadNanos = started;
            }
            if (lastError != null) {
                LOG.info("control record of {} readable again: {}", pairName, current);
                lastError = null;
            }
            if (!current.sameAnswer(previous)) {
                LOG.info("pair {}: {} -> {}", pairName, previous, current);
                for (Listener l : listeners) {
                    try {
                        l.onChange(previous, current);
                    } catch (RuntimeException e) {
                        LOG.warn("resolver listener failed: {}", e.toString());
                    }
                }
            }
            return true;
        } catch (RuntimeException e) {
            fail(e.getClass().getSimpleName() + ": " + e.getMessage());
            return false;
        }
    }

    private void fail(String error) {
        if (lastError == null) {
            LOG.warn("cannot read the control record of {}; keeping the last answer ({}): {}", pairName, last, error);
        }
        lastError = error;
    }

    /** The last answer, if any read succeeded yet. */
    public Optional<Snapshot> snapshot() {
        return Optional.ofNullable(last);
    }

    /** Where producers write and consumers read now; fails only if no read has ever succeeded. */
    public String activeRegion() {
        return known().activeRegion();
    }

    /** True while producers must hold writes (planned switchover). */
    public boolean isPaused() {
        return known().paused();
    }

    /** Time since the last successful read (grows while the control store is unreachable). */
    public Duration staleness() {
        if (last == null) {
            return Duration.ofMillis(Long.MAX_VALUE);
        }
        return Duration.ofNanos(System.nanoTime() - lastReadNanos);
    }

    /** True when the last successful read is older than two refresh intervals. */
    public boolean isStale() {
        return staleness().compareTo(refresh.multipliedBy(2)) > 0;
    }

    /** Why the latest read failed; empty when it succeeded. */
    public Optional<String> lastError() {
        return Optional.ofNullable(lastError);
    }

    public Duration refresh() {
        return refresh;
    }

    private Snapshot known() {
        Snapshot s = last;
        if (s == null) {
            throw new IllegalStateException("the active region of pair '" + pairName + "' is not known yet"
                    + (lastError == null ? "" : ": " + lastError));
        }
        return s;
    }

    @Override
    public synchronized void close() {
        if (scheduler != null) {
            scheduler.shutdownNow();
            scheduler = null;
        }
    }
}
