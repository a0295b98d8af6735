package io.kinesisha.testkit;

import io.kinesisha.common.control.ActiveRegionResolver;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResultEntry;

/**
 * The producer of the demo and of drills: it writes like an application that follows the control record, so
 * what the demo measures (acknowledged, lost, duplicated, reordered records) is what such an application would
 * see. Every record carries its identity {@code <key>:<perKeyCounter>} (counters start at 1, so a reader can tell
 * duplicates, reorders and gaps per key without any other bookkeeping), optionally followed by {@code |} and
 * padding to reach a realistic record size; the partition key is {@code <key>}.
 *
 * <p>How it writes, and why:
 * <ul>
 *   <li><b>Rate</b>: a token bucket refilled at {@code ratePerSecond} with room for one batch; the writer thread
 *       parks until the next token is due. A region that is slow or down does not make the load burst afterwards:
 *       tokens beyond one batch are dropped, so the produced rate is at most the target rate.</li>
 *   <li><b>Region</b>: each attempt goes to {@link ActiveRegionResolver#activeRegion()}'s stream, with the client the
 *       caller gave for that region; while {@link ActiveRegionResolver#isPaused()} (planned switchover) it holds.</li>
 *   <li><b>Per-key order</b>: a batch holds at most one record per key (batches are at most {@code keys} records),
 *       and a batch's failed entries (the whole batch if the call failed) are retried, to whatever region is active
 *       by then, before the next batch is built. So a key's record n+1 is never written before its record n is
 *       acknowledged, even under partial PutRecords failures or a region switch.</li>
 *   <li><b>Evidence</b>: every acknowledged record is remembered with the region that acknowledged it and the
 *       acknowledgement time ({@link #acknowledged()}), so a demo can compute what was lost in which region.
 *       A call that failed may still have landed (timeout after the write): its retry can then make a duplicate,
 *       which is what real producers do too and what the consumer counts.</li>
 * </ul>
 * All accessors are thread-safe snapshots. {@link #close()} stops the writer; a batch in flight at that moment is
 * neither retried nor remembered ({@code produced - acknowledged} says how many).
 *
 * <p>Tests that need a known amount of data at a known moment use the same records without the writer thread:
 * {@code new KeyedLoad(keys)} and {@link #write(KinesisClient, String, int)}.
 */
public final class KeyedLoad implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(KeyedLoad.class);
    /** PutRecords accepts at most 500 entries. */
    static final int MAX_BATCH = 500;

    /** One acknowledged record: its identity {@code <key>:<counter>}, the region that acknowledged it, and when. */
    public record Ack(String id, String region, Instant at) {}

    /**
     * Counters at one moment. {@code failedAttempts} counts PutRecords calls that threw or had failed entries;
     * {@code failedEntries} counts the entries those attempts did not get acknowledged; {@code holding} is true while
     * producers are paused.
     */
    public record Stats(
            long produced,
            long acknowledged,
            long failedAttempts,
            long failedEntries,
            Map<String, Long> acknowledgedByRegion,
            boolean holding,
            String lastError) {}

    private final ActiveRegionResolver resolver;
    private final RegionStreams regions;
    private final int keys;
    private final double ratePerSecond;
    private final int batchSize;
    private final String padding;
    private final String keyPrefix;
    private final Clock clock;
    private final Duration maxBackoff;

    private final String[] keyNames;
    private final long[] counters;
    private final AtomicLong produced = new AtomicLong();
    private final AtomicLong acknowledgedCount = new AtomicLong();
    private final AtomicLong failedAttempts = new AtomicLong();
    private final AtomicLong failedEntries = new AtomicLong();
    private final Map<String, LongAdder> byRegion = new ConcurrentHashMap<>();
    private final List<Ack> acks = new ArrayList<>();
    private final List<Duration> holds = new CopyOnWriteArrayList<>();
    private volatile boolean holding;
    private volatile String lastError;
    private final DaemonLoop writer = new DaemonLoop("kinesis-ha-keyed-load");
    private int nextKey;
    /** Remember every acknowledged record ({@link #acknowledged()}), or only counts ({@link #counting}). */
    private final boolean rememberAcks;
    /** Per key, the highest counter a {@link #write} had acknowledged (write-only loads). */
    private final long[] acknowledgedCounters;

    /** A load for {@link #write(KinesisClient, String, int)} only: no region to follow, no writer thread. */
    public KeyedLoad(int keys) {
        this(new Builder(null).keys(keys), false, true);
    }

    /**
     * A {@link #write}-only load that keeps no acknowledged records, only counts and each key's highest acknowledged
     * counter ({@link #acknowledgedCounters()}), so its own memory stays flat however long it runs (a soak).
     * {@code paddingBytes} as {@link Builder#paddingBytes}.
     */
    public static KeyedLoad counting(int keys, int paddingBytes) {
        return new KeyedLoad(new Builder(null).keys(keys).paddingBytes(paddingBytes), false, false);
    }

    private KeyedLoad(Builder b, boolean following, boolean rememberAcks) {
        this.rememberAcks = rememberAcks;
        this.resolver = following ? Objects.requireNonNull(b.resolver, "resolver") : null;
        this.regions = following ? b.regions.frozen() : null;
        if (b.keys < 1) {
            throw new IllegalArgumentException("keys must be at least 1, was " + b.keys);
        }
        if (!(b.ratePerSecond > 0)) {
            throw new IllegalArgumentException("ratePerSecond must be positive, was " + b.ratePerSecond);
        }
        if (b.paddingBytes < 0) {
            throw new IllegalArgumentException("paddingBytes must not be negative, was " + b.paddingBytes);
        }
        this.keys = b.keys;
        this.ratePerSecond = b.ratePerSecond;
        this.batchSize = Math.max(1, Math.min(Math.min(b.maxBatch, MAX_BATCH), b.keys));
        this.padding = b.paddingBytes == 0 ? "" : "|" + "x".repeat(Math.max(0, b.paddingBytes - 1));
        this.keyPrefix = b.keyPrefix;
        this.clock = b.clock;
        this.maxBackoff = b.maxBackoff;
        this.counters = new long[keys];
        this.acknowledgedCounters = new long[keys];
        this.keyNames = new String[keys];
        int width = String.valueOf(keys - 1).length();
        for (int i = 0; i < keys; i++) {
            keyNames[i] = keyPrefix + String.format("%0" + width + "d", i);
        }
    }

    /** A load that follows {@code resolver}; add every region it may write to with {@link Builder#region}. */
    public static Builder builder(ActiveRegionResolver resolver) {
        return new Builder(resolver);
    }

    /** The key of index {@code i} (0-based): {@code <prefix><i>}, zero-padded to the width of the largest index. */
    public String key(int i) {
        return keyNames[i];
    }

    /** Starts the writer thread (a daemon); returns this. Starting twice is an error. */
    public synchronized KeyedLoad start() {
        if (resolver == null) {
            throw new IllegalStateException("a load made with new KeyedLoad(keys) is written with write(...) only");
        }
        writer.start(this::run);
        return this;
    }

    private void run() {
        double tokens = 0;
        long lastRefill = System.nanoTime();
        List<PutRecordsRequestEntry> pending = new ArrayList<>();
        List<String> pendingIds = new ArrayList<>();
        long backoffMillis = 0;
        long holdStart = 0;
        while (writer.running()) {
            if (pausedNow()) {
                if (holdStart == 0) {
                    holdStart = System.nanoTime();
                }
                holding = true;
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
                continue;
            }
            holding = false;
            if (pending.isEmpty()) {
                long now = System.nanoTime();
                tokens = Math.min(batchSize, tokens + (now - lastRefill) / 1e9 * ratePerSecond);
                lastRefill = now;
                if (tokens < 1) {
                    LockSupport.parkNanos((long) ((1 - tokens) / ratePerSecond * 1e9) + 1);
                    continue;
                }
                int n = (int) Math.min(batchSize, Math.floor(tokens));
                tokens -= n;
                for (int i = 0; i < n; i++) {
                    pending.add(nextRecord(pendingIds));
                }
            }
            long ackedBefore = acknowledgedCount.get();
            boolean done = attempt(pending, pendingIds);
            if (holdStart != 0 && acknowledgedCount.get() > ackedBefore) {
                holds.add(Duration.ofNanos(System.nanoTime() - holdStart));
                holdStart = 0;
            }
            if (done) {
                backoffMillis = 0;
            } else if (writer.running()) {
                backoffMillis = backoffMillis == 0 ? 50 : Math.min(maxBackoff.toMillis(), backoffMillis * 2);
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(backoffMillis));
            }
        }
    }

    /** The next key's next record; its identity goes to {@code ids}. */
    private PutRecordsRequestEntry nextRecord(List<String> ids) {
        int k = nextKey;
        nextKey = (nextKey + 1) % keys;
        String key = key(k);
        String id = KeyedPayload.id(key, ++counters[k]);
        ids.add(id);
        produced.incrementAndGet();
        return PutRecordsRequestEntry.builder()
                .partitionKey(key)
                .data(SdkBytes.fromString(id + padding, StandardCharsets.UTF_8))
                .build();
    }

    /**
     * Writes {@code count} records to {@code streamArn} now, in PutRecords of up to 500 entries (a batch may hold
     * several records of a key: nothing is retried, so nothing can overtake). An entry that fails, or a call that
     * throws, is an error: the emulator never fails entries unless a test injects the fault.
     */
    public synchronized void write(KinesisClient kinesis, String streamArn, int count) {
        if (resolver != null) {
            throw new IllegalStateException("a load that follows the active region is written by its own thread");
        }
        String region = streamArn.split(":")[3];
        for (int done = 0; done < count; ) {
            int size = Math.min(MAX_BATCH, count - done);
            int firstKey = nextKey;
            List<PutRecordsRequestEntry> batch = new ArrayList<>(size);
            List<String> ids = new ArrayList<>(size);
            for (int i = 0; i < size; i++) {
                batch.add(nextRecord(ids));
            }
            PutRecordsResponse response =
                    kinesis.putRecords(b -> b.streamARN(streamArn).records(batch));
            if (response.failedRecordCount() != null && response.failedRecordCount() > 0) {
                throw new IllegalStateException(response.failedRecordCount() + " of " + size + " entries failed"
                        + " (the emulator never fails entries)");
            }
            Instant at = clock.instant();
            if (rememberAcks) {
                synchronized (acks) {
                    ids.forEach(id -> acks.add(new Ack(id, region, at)));
                }
            }
            for (int i = 0; i < Math.min(size, keys); i++) {
                int k = (firstKey + i) % keys;
                acknowledgedCounters[k] = counters[k]; // all of the batch was acknowledged, nothing retried
            }
            acknowledgedCount.addAndGet(size);
            byRegion.computeIfAbsent(region, r -> new LongAdder()).add(size);
            done += size;
        }
    }

    private boolean pausedNow() {
        try {
            return resolver.isPaused();
        } catch (IllegalStateException unknown) {
            return false; // no read succeeded yet: attempt() reports it as a failed attempt and backs off
        }
    }

    /** One PutRecords of the pending entries; removes the acknowledged ones; true when none is left. */
    private boolean attempt(List<PutRecordsRequestEntry> pending, List<String> pendingIds) {
        String region;
        try {
            region = resolver.activeRegion();
        } catch (IllegalStateException e) {
            fail(pending.size(), e.getMessage());
            return false;
        }
        KinesisClient client = regions.client(region);
        String stream = regions.stream(region);
        if (client == null) {
            fail(pending.size(), "no client for the active region " + region + " (regions: " + regions.regions() + ")");
            return false;
        }
        PutRecordsResponse response;
        try {
            response = client.putRecords(b -> b.streamARN(stream).records(pending));
        } catch (RuntimeException e) {
            fail(pending.size(), region + ": " + e.getClass().getSimpleName() + ": " + e.getMessage());
            return false;
        }
        Instant at = clock.instant();
        List<PutRecordsResultEntry> results = response.records();
        List<PutRecordsRequestEntry> failed = new ArrayList<>();
        List<String> failedIds = new ArrayList<>();
        List<Ack> acked = new ArrayList<>();
        for (int i = 0; i < pending.size(); i++) {
            PutRecordsResultEntry r = i < results.size() ? results.get(i) : null;
            if (r == null || r.errorCode() != null || r.sequenceNumber() == null) {
                failed.add(pending.get(i));
                failedIds.add(pendingIds.get(i));
            } else {
                acked.add(new Ack(pendingIds.get(i), region, at));
            }
        }
        synchronized (acks) {
            acks.addAll(acked);
        }
        acknowledgedCount.addAndGet(acked.size());
        byRegion.computeIfAbsent(region, r -> new LongAdder()).add(acked.size());
        pending.clear();
        pendingIds.clear();
        if (failed.isEmpty()) {
            return true;
        }
        pending.addAll(failed);
        pendingIds.addAll(failedIds);
        fail(failed.size(), region + ": " + failed.size() + " of " + results.size() + " entries failed");
        return false;
    }

    private void fail(int entries, String error) {
        failedAttempts.incrementAndGet();
        failedEntries.addAndGet(entries);
        if (lastError == null) {
            LOG.warn("keyed load: write failed, retrying to the active region: {}", error);
        }
        lastError = error;
    }

    /** Counters now. */
    public Stats stats() {
        Map<String, Long> regions = new TreeMap<>();
        byRegion.forEach((r, n) -> regions.put(r, n.sum()));
        return new Stats(
                produced.get(),
                acknowledgedCount.get(),
                failedAttempts.get(),
                failedEntries.get(),
                Collections.unmodifiableMap(regions),
                holding,
                lastError);
    }

    /** Each pause of producers: from the pause seen to the first acknowledgement after it. */
    public List<Duration> holds() {
        return List.copyOf(holds);
    }

    /** The first record {@code region} acknowledged, if any. */
    public Optional<Ack> firstAcknowledgedIn(String region) {
        synchronized (acks) {
            return acks.stream().filter(a -> a.region().equals(region)).findFirst();
        }
    }

    /** Records given a counter so far (acknowledged, in flight or being retried). */
    public long produced() {
        return produced.get();
    }

    /** Per key, the highest counter {@link #write} had acknowledged: the stream must hold counters 1 to it. */
    public synchronized Map<String, Integer> acknowledgedCounters() {
        Map<String, Integer> highest = new java.util.LinkedHashMap<>();
        for (int k = 0; k < keys; k++) {
            if (acknowledgedCounters[k] > 0) {
                highest.put(keyNames[k], Math.toIntExact(acknowledgedCounters[k]));
            }
        }
        return highest;
    }

    /** How many records were acknowledged. */
    public long acknowledgedCount() {
        return acknowledgedCount.get();
    }

    /** Every acknowledged record so far, in acknowledgement order (a copy; none for a {@link #counting} load). */
    public List<Ack> acknowledged() {
        synchronized (acks) {
            return List.copyOf(acks);
        }
    }

    /** The identities of {@link #acknowledged()}, in acknowledgement order (a copy). */
    public List<String> acknowledgedIds() {
        synchronized (acks) {
            return acks.stream().map(Ack::id).collect(java.util.stream.Collectors.toList());
        }
    }

    /** Acknowledged record identity to the region that acknowledged it, in acknowledgement order (a copy). */
    public Map<String, String> acknowledgedRegions() {
        Map<String, String> out = new LinkedHashMap<>();
        synchronized (acks) {
            for (Ack a : acks) {
                out.put(a.id(), a.region());
            }
        }
        return out;
    }

    /** Stops the writer and waits for it (at most the client's call timeout plus a little). */
    @Override
    public void close() {
        writer.stop();
    }

    /** Settings of a {@link KeyedLoad}. */
    public static final class Builder {
        private final ActiveRegionResolver resolver;
        private final RegionStreams regions = new RegionStreams();
        private int keys = 20;
        private double ratePerSecond = 100;
        private int maxBatch = MAX_BATCH;
        private int paddingBytes;
        private String keyPrefix = "key-";
        private Clock clock = Clock.systemUTC();
        private Duration maxBackoff = Duration.ofMillis(500);

        private Builder(ActiveRegionResolver resolver) {
            this.resolver = resolver;
        }

        /** A region the load may write to: its client (owned by the caller) and stream ARN. */
        public Builder region(String region, KinesisClient client, String streamArn) {
            regions.add(region, client, streamArn);
            return this;
        }

        /** Number of partition keys (default 20); records go to them round-robin. */
        public Builder keys(int keys) {
            this.keys = keys;
            return this;
        }

        /** Target records per second (default 100). */
        public Builder ratePerSecond(double ratePerSecond) {
            this.ratePerSecond = ratePerSecond;
            return this;
        }

        /** Largest batch (default 500, never more than the number of keys: one record per key per batch). */
        public Builder maxBatch(int maxBatch) {
            this.maxBatch = maxBatch;
            return this;
        }

        /** Pads each record with {@code |xxx...} to add this many bytes (default 0: payload is the identity only). */
        public Builder paddingBytes(int paddingBytes) {
            this.paddingBytes = paddingBytes;
            return this;
        }

        /** Prefix of key names (default {@code key-}). */
        public Builder keyPrefix(String keyPrefix) {
            this.keyPrefix = Objects.requireNonNull(keyPrefix, "keyPrefix");
            return this;
        }

        /** Clock of acknowledgement times (default UTC system clock). */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** Longest wait between retries of a failed batch (default 500 ms; backoff starts at 50 ms and doubles). */
        public Builder maxBackoff(Duration maxBackoff) {
            this.maxBackoff = Objects.requireNonNull(maxBackoff, "maxBackoff");
            return this;
        }

        public KeyedLoad build() {
            return new KeyedLoad(this, true, true);
        }
    }
}
