package io.kinesisha.common.control;

import java.util.Objects;

/**
 * How far replication of one source shard has got, written at each checkpoint: the target stream holds every
 * record of the shard up to {@link #lastSequenceNumber()} (inclusive). The controller reads it for lag, the
 * switchover barrier, consumer position translation and orphan detection.
 */
public final class ShardProgress {
    private final String pairName;
    private final ReplicationDirection direction;
    private final long epoch;
    private final String sourceShardId;
    private final String lastSequenceNumber;
    private final long lastArrivalEpochMillis;
    private final long millisBehindLatest;
    private final String targetShardId;
    private final String targetSequenceNumber;
    private final long recordsReplicated;
    private final long checkpointId;
    private final boolean shardFinished;
    private final long updatedEpochMillis;

    public ShardProgress(String pairName, ReplicationDirection direction, long epoch, String sourceShardId,
                         String lastSequenceNumber, long lastArrivalEpochMillis, long millisBehindLatest,
                         String targetShardId, String targetSequenceNumber, long recordsReplicated, long checkpointId,
                         boolean shardFinished, long updatedEpochMillis) {
        this.pairName = Objects.requireNonNull(pairName, "pairName");
        this.direction = Objects.requireNonNull(direction, "direction");
        this.epoch = epoch;
        this.sourceShardId = Objects.requireNonNull(sourceShardId, "sourceShardId");
        this.lastSequenceNumber = lastSequenceNumber;
        this.lastArrivalEpochMillis = lastArrivalEpochMillis;
        this.millisBehindLatest = millisBehindLatest;
        this.targetShardId = targetShardId;
        this.targetSequenceNumber = targetSequenceNumber;
        this.recordsReplicated = recordsReplicated;
        this.checkpointId = checkpointId;
        this.shardFinished = shardFinished;
        this.updatedEpochMillis = updatedEpochMillis;
    }

    public String pairName() {
        return pairName;
    }

    public ReplicationDirection direction() {
        return direction;
    }

    public long epoch() {
        return epoch;
    }

    public String sourceShardId() {
        return sourceShardId;
    }

    /** Last source sequence number the target holds; {@code null} if nothing was replicated yet. */
    public String lastSequenceNumber() {
        return lastSequenceNumber;
    }

    public long lastArrivalEpochMillis() {
        return lastArrivalEpochMillis;
    }

    public long millisBehindLatest() {
        return millisBehindLatest;
    }

    /** Target shard and sequence number of the record that copied {@link #lastSequenceNumber()}. */
    public String targetShardId() {
        return targetShardId;
    }

    public String targetSequenceNumber() {
        return targetSequenceNumber;
    }

    public long recordsReplicated() {
        return recordsReplicated;
    }

    public long checkpointId() {
        return checkpointId;
    }

    /** True once the shard is closed and every record of it is in the target. */
    public boolean shardFinished() {
        return shardFinished;
    }

    public long updatedEpochMillis() {
        return updatedEpochMillis;
    }

    @Override
    public String toString() {
        return "ShardProgress{" + direction + " epoch " + epoch + " " + sourceShardId + " @" + lastSequenceNumber
                + " -> " + targetShardId + " @" + targetSequenceNumber + ", behind " + millisBehindLatest + " ms"
                + (shardFinished ? ", finished" : "") + "}";
    }
}
