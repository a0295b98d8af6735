package io.kinesisha.controller.e2e;

import io.kinesisha.testkit.KeyedPayload;
import io.kinesisha.common.control.ActiveRegionResolver;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResponse;

/**
 * An SDK producer as an application would write it with the {@link ActiveRegionResolver}: it writes to the
 * active region's stream, holds while producers are paused, and retries a failed batch (to whatever region is
 * active by then) before writing the next, so each key's records stay in order. Payloads are
 * {@code <key>:<counter>}; it remembers where each was acknowledged and measures holds and the switch.
 */
final class ResolvedProducer implements AutoCloseable {
    private final ActiveRegionResolver resolver;
    private final Map<String, KinesisClient> clients;
    private final Map<String, String> streams;
    private final int keys;
    private final int batchSize;
    private final long periodNanos;
    private final Map<String, Integer> counters = new ConcurrentHashMap<>();
    /** Payload to the region that acknowledged it, in acknowledgement order. */
    final Map<String, String> acknowledged = java.util.Collections.synchronizedMap(new LinkedHashMap<>());
    final List<Long> holdsMillis = new CopyOnWriteArrayList<>();
    volatile long firstFailureNanos;
    volatile long firstAckNanosIn = 0;
    private final String watchedRegion;
    volatile int failures;
    private volatile boolean running = true;
    private final Thread thread;
    private int produced;

    /** Writes {@code batchSize} records every {@code periodMillis}; {@code watchedRegion}'s first ack is timed. */
    ResolvedProducer(ActiveRegionResolver resolver, Map<String, KinesisClient> clients, Map<String, String> streams,
                     int keys, int batchSize, long periodMillis, String watchedRegion) {
        this.resolver = resolver;
        this.clients = clients;
        this.streams = streams;
        this.keys = keys;
        this.batchSize = batchSize;
        this.periodNanos = TimeUnit.MILLISECONDS.toNanos(periodMillis);
        this.watchedRegion = watchedRegion;
        this.thread = new Thread(this::loop, "resolved-producer");
        this.thread.setDaemon(true);
    }

    ResolvedProducer start() {
        thread.start();
        return this;
    }

    private void loop() {
        List<String> pending = null;
        long holdStart = 0;
        long next = System.nanoTime();
        while (running) {
            if (resolver.isPaused()) {
                if (holdStart == 0) {
                    holdStart = System.nanoTime();
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
                continue;
            }
            if (pending == null) {
                pending = new ArrayList<>(batchSize);
                for (int i = 0; i < batchSize; i++) {
                    String key = "key-" + (produced++ % keys);
                    pending.add(KeyedPayload.id(key, counters.merge(key, 1, Integer::sum)));
                }
            }
            String region = resolver.activeRegion();
            try {
                List<PutRecordsRequestEntry> entries = new ArrayList<>();
                for (String p : pending) {
                    entries.add(PutRecordsRequestEntry.builder().partitionKey(KeyedPayload.parse(p).orElseThrow().key())
                            .data(SdkBytes.fromString(p, StandardCharsets.UTF_8)).build());
                }
                PutRecordsResponse r = clients.get(region).putRecords(b -> b.streamARN(streams.get(region)).records(entries));
                if (r.failedRecordCount() != null && r.failedRecordCount() > 0) {
                    throw new IllegalStateException(r.failedRecordCount() + " entries failed");
                }
                long now = System.nanoTime();
                pending.forEach(p -> acknowledged.put(p, region));
                pending = null;
                if (holdStart != 0) {
                    holdsMillis.add(TimeUnit.NANOSECONDS.toMillis(now - holdStart));
                    holdStart = 0;
                }
                if (region.equals(watchedRegion) && firstAckNanosIn == 0) {
                    firstAckNanosIn = now;
                }
            } catch (RuntimeException e) {
                failures++;
                if (firstFailureNanos == 0) {
                    firstFailureNanos = System.nanoTime();
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
                continue;
            }
            next += periodNanos;
            long wait = next - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            } else {
                next = System.nanoTime();
            }
        }
    }

    int acknowledgedCount() {
        return acknowledged.size();
    }

    Map<String, String> acknowledgedSnapshot() {
        synchronized (acknowledged) {
            return new LinkedHashMap<>(acknowledged);
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join(10_000);
    }
}
