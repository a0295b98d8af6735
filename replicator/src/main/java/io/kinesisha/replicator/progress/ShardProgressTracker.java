package io.kinesisha.replicator.progress;

import io.kinesisha.common.control.ReplicationDirection;
import io.kinesisha.common.control.ShardProgress;
import io.kinesisha.replicator.ReplicatedRecord;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Follows, per source shard, what the sink has accepted and what the target has acknowledged: the highest
 * source position written (with the target position that holds it), the lag, and heartbeats of idle or
 * finished shards. Lives on the sink's task thread; not thread-safe.
 *
 * <p>Lag of a shard: with records accepted but not yet written, the age of the oldest of them (time since it
 * arrived in the source stream); otherwise how far the reader is behind the tip (0 when caught up). The
 * replication lag is the maximum over shards, and it stays true while the stream is idle.
 */
public final class ShardProgressTracker {
    private final String pairName;
    private final ReplicationDirection direction;
    private final long epoch;
    private final Map<String, ShardState> shards = new HashMap<>();

    public ShardProgressTracker(String pairName, ReplicationDirection direction, long epoch) {
        this.pairName = pairName;
        this.direction = direction;
        this.epoch = epoch;
    }

    /** Every element the sink accepted, heartbeats included. */
    public void accepted(ReplicatedRecord element) {
        ShardState shard = shards.computeIfAbsent(element.getSourceShardId(), k -> new ShardState());
        if (element.isHeartbeat()) {
            shard.millisBehindLatest = element.getMillisBehindLatest();
            shard.finished |= element.isShardFinished();
            shard.changed = true;
            return;
        }
        shard.millisBehindLatest = element.getMillisBehindLatest();
        shard.pendingArrivals.merge(element.getArrivalEpochMillis(), 1, Integer::sum);
    }

    /** The target acknowledged {@code element} at {@code targetShardId}/{@code targetSequenceNumber}. */
    public void written(ReplicatedRecord element, String targetShardId, String targetSequenceNumber) {
        ShardState shard = shards.computeIfAbsent(element.getSourceShardId(), k -> new ShardState());
        shard.pendingArrivals.computeIfPresent(element.getArrivalEpochMillis(), (k, n) -> n == 1 ? null : n - 1);
        shard.written++;
        shard.changed = true;
        if (shard.lastSequence == null || new BigInteger(element.getSequenceNumber()).compareTo(shard.lastSequenceNumber()) > 0) {
            shard.lastSequence = element.getSequenceNumber();
            shard.lastArrival = element.getArrivalEpochMillis();
            shard.targetShardId = targetShardId;
            shard.targetSequenceNumber = targetSequenceNumber;
        }
    }

    /** Max lag over shards, in milliseconds. */
    public long lagMillis(long nowEpochMillis) {
        long lag = 0;
        for (ShardState shard : shards.values()) {
            if (shard.finished && shard.pendingArrivals.isEmpty()) {
                continue;
            }
            long shardLag = shard.pendingArrivals.isEmpty()
                    ? shard.millisBehindLatest
                    : Math.max(shard.millisBehindLatest, nowEpochMillis - shard.pendingArrivals.firstKey());
            lag = Math.max(lag, shardLag);
        }
        return lag;
    }

    public long recordsWritten() {
        long total = 0;
        for (ShardState shard : shards.values()) {
            total += shard.written;
        }
        return total;
    }

    /**
     * Progress of every shard, to publish after a flush (when nothing is pending, so "the target holds everything
     * up to lastSequenceNumber" is true). Heartbeat-only shards are included so idle shards keep their rows fresh.
     */
    public List<ShardProgress> progress(long checkpointId, long nowEpochMillis) {
        List<ShardProgress> result = new ArrayList<>(shards.size());
        for (Map.Entry<String, ShardState> e : shards.entrySet()) {
            ShardState s = e.getValue();
            result.add(new ShardProgress(pairName, direction, epoch, e.getKey(), s.lastSequence, s.lastArrival,
                    s.millisBehindLatest, s.targetShardId, s.targetSequenceNumber, s.written, checkpointId,
                    s.finished && s.pendingArrivals.isEmpty(), nowEpochMillis));
        }
        return result;
    }

    private static final class ShardState {
        final TreeMap<Long, Integer> pendingArrivals = new TreeMap<>();
        String lastSequence;
        long lastArrival;
        String targetShardId;
        String targetSequenceNumber;
        long millisBehindLatest;
        long written;
        boolean finished;
        boolean changed;

        BigInteger lastSequenceNumber() {
            return new BigInteger(lastSequence);
        }
    }
}
