package io.kinesisha.replicator.source.reader;

import io.kinesisha.common.metrics.MetricNames;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;

/**
 * Reader metrics: bytes read and the lag behind the tip of the stream (MillisBehindLatest, max over this
 * subtask's shards), which stays true while a stream is idle because heartbeats refresh it.
 */
public final class SourceMetrics {

    private final Map<String, Long> behindByShard = new ConcurrentHashMap<>();
    private final Counter bytesRead;
    private final Counter shardsFinished;
    private final Counter shardsExpired;
    private final Counter subscriptionsRenewedSilent;

    public SourceMetrics(MetricGroup group) {
        group.gauge(MetricNames.MILLIS_BEHIND_LATEST, this::millisBehindLatest);
        this.bytesRead = group.counter(MetricNames.BYTES_READ);
        this.shardsFinished = group.counter(MetricNames.SHARDS_FINISHED);
        this.shardsExpired = group.counter(MetricNames.SHARDS_EXPIRED);
        this.subscriptionsRenewedSilent = group.counter(MetricNames.SUBSCRIPTIONS_RENEWED_SILENT);
    }

    void recordRead(String shardId, int bytes, long millisBehindLatest) {
        bytesRead.inc(bytes);
        if (millisBehindLatest >= 0) {
            Long known = behindByShard.get(shardId);
            if (known == null || known != millisBehindLatest) { // the same for every record of a batch
                behindByShard.put(shardId, millisBehindLatest);
            }
        }
    }

    void shardStatus(String shardId, long millisBehindLatest, boolean finished) {
        if (finished) {
            behindByShard.remove(shardId);
            shardsFinished.inc();
        } else {
            behindByShard.put(shardId, millisBehindLatest);
        }
    }

    void shardExpired() {
        shardsExpired.inc();
    }

    void subscriptionRenewedSilent() {
        subscriptionsRenewedSilent.inc();
    }

    public long millisBehindLatest() {
        long max = 0;
        for (long v : behindByShard.values()) {
            max = Math.max(max, v);
        }
        return max;
    }
}
