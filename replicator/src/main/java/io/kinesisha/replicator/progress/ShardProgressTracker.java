package io.kinesisha.replicator.progress;

import io.kinesisha.common.control.ReplicationDirection;
import io.kinesisha.common.control.ShardProgress;
import io.kinesisha.common.kinesis.SequenceNumbers;
import io.kinesisha.replicator.ReplicatedRecord;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Follows, per source shard, what the sink accepted and what the target acknowledged, and derives the exact
 * replicated position: the last record of the shard such that it and every record before it are in the target
 * (acknowledgements arrive out of order across keys, so the highest acknowledged record is not enough). Also
 * the lag and heartbeats of idle or finished shards. Lives on the sink's task thread; not thread-safe.
 *
 * <p>Lag of a shard: with records not yet written, the age of the oldest of them (time since it arrived in the
 * source stream); otherwise how far the reader is behind the tip (0 when caught up). The replication lag is the
 * maximum over shards, and it stays true while the stream is idle.
 *
 * <p>At each flush (nothing in flight) every shard's row gets a flush mark: its position and this writer's highest
 * target position per target shard, the aligned bounds orphan reconciliation counts copies between.
 */
public final class ShardProgressTracker {
    private final String pairName;
    private final ReplicationDirection direction;
    private final long epoch;
    private final Map<String, ShardState> shards = new HashMap<>();
    /** Per target shard, its highest acknowledged sequence number (compared as numbers, kept as strings). */
    private final Map<String, String> highestTarget = new HashMap<>();

    public ShardProgressTracker(String pairName, ReplicationDirection direction, long epoch) {
        this.pairName = pairName;
        this.direction = direction;
        this.epoch = epoch;
    }

    /** Every element the sink accepted, heartbeats included, in input order. */
    public void accepted(ReplicatedRecord element) {
        ShardState shard = shards.computeIfAbsent(element.getSourceShardId(), k -> new ShardState());
        shard.millisBehindLatest = element.getMillisBehindLatest();
        if (element.isHeartbeat()) {
            shard.finished |= element.isShardFinished();
            return;
        }
        Pending pending = new Pending(element.getSequenceNumber(), element.getArrivalEpochMillis());
        if (element.isSkipped()) {
            // passed over, never written: done as soon as everything before it is
            pending.written = true;
            shard.skipped++;
            shard.unwritten.addLast(pending);
            advance(shard);
            return;
        }
        shard.unwritten.addLast(pending);
        shard.bySequence.put(pending.sequenceNumber, pending);
    }

    /** The target acknowledged {@code element} at {@code targetShardId}/{@code targetSequenceNumber}. */
    public void written(ReplicatedRecord element, String targetShardId, String targetSequenceNumber) {
        ShardState shard = shards.get(element.getSourceShardId());
        Pending pending = shard == null ? null : shard.bySequence.remove(element.getSequenceNumber());
        if (pending == null) {
            throw new IllegalStateException("acknowledgement for a record the sink never accepted: "
                    + element.getSourceShardId() + "@" + element.getSequenceNumber());
        }
        pending.written = true;
        pending.targetShardId = targetShardId;
        pending.targetSequenceNumber = targetSequenceNumber;
        shard.written++;
        highestTarget.merge(targetShardId, targetSequenceNumber, SequenceNumbers::max);
        advance(shard);
    }

    /** Everything accepted is written (a flush): marks every shard that has a position. */
    public void flushed() {
        Map<String, String> targets = new HashMap<>(highestTarget);
        for (ShardState s : shards.values()) {
            if (s.unwritten.isEmpty() && s.lastSequence != null) {
                s.markSequence = s.lastSequence;
                s.markTargets = Map.copyOf(targets);
            }
        }
    }

    private static void advance(ShardState shard) {
        while (!shard.unwritten.isEmpty() && shard.unwritten.peekFirst().written) {
            Pending done = shard.unwritten.pollFirst();
            shard.lastSequence = done.sequenceNumber;
            shard.lastArrival = done.arrivalEpochMillis;
            if (done.targetShardId != null) {
                shard.targetShardId = done.targetShardId;
                shard.targetSequenceNumber = done.targetSequenceNumber;
            }
        }
    }

    /** Records passed over (orphan copies), over all shards. */
    public long recordsSkipped() {
        long total = 0;
        for (ShardState shard : shards.values()) {
            total += shard.skipped;
        }
        return total;
    }

    /** Max lag over shards, in milliseconds. */
    public long lagMillis(long nowEpochMillis) {
        long lag = 0;
        for (ShardState shard : shards.values()) {
            if (shard.unwritten.isEmpty()) {
                lag = Math.max(lag, shard.finished ? 0 : shard.millisBehindLatest);
            } else {
                lag = Math.max(
                        lag,
                        Math.max(
                                shard.millisBehindLatest,
                                nowEpochMillis - shard.unwritten.peekFirst().arrivalEpochMillis));
            }
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

    /** Progress rows of every shard seen; {@code version} orders the snapshots of one writer. */
    public List<ShardProgress> progress(long version, long nowEpochMillis) {
        List<ShardProgress> result = new ArrayList<>(shards.size());
        for (Map.Entry<String, ShardState> e : shards.entrySet()) {
            ShardState s = e.getValue();
            ShardProgress row = new ShardProgress(
                    pairName,
                    direction,
                    epoch,
                    e.getKey(),
                    s.lastSequence,
                    s.lastArrival,
                    s.millisBehindLatest,
                    s.targetShardId,
                    s.targetSequenceNumber,
                    s.written,
                    version,
                    s.finished && s.unwritten.isEmpty(),
                    nowEpochMillis);
            result.add(s.markSequence == null ? row : row.withMark(s.markSequence, s.markTargets));
        }
        return result;
    }

    private static final class ShardState {
        final ArrayDeque<Pending> unwritten = new ArrayDeque<>();
        final Map<String, Pending> bySequence = new HashMap<>();
        String lastSequence;
        long lastArrival;
        String targetShardId;
        String targetSequenceNumber;
        long millisBehindLatest;
        long written;
        long skipped;
        boolean finished;
        String markSequence;
        Map<String, String> markTargets = Map.of();
    }

    private static final class Pending {
        final String sequenceNumber;
        final long arrivalEpochMillis;
        boolean written;
        String targetShardId;
        String targetSequenceNumber;

        Pending(String sequenceNumber, long arrivalEpochMillis) {
            this.sequenceNumber = sequenceNumber;
            this.arrivalEpochMillis = arrivalEpochMillis;
        }
    }
}
