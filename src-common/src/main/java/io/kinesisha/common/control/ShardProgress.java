package io.kinesisha.common.control;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

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
    private final String markSequenceNumber;
    private final Map<String, String> markTargets;

    public ShardProgress(
            String pairName,
            ReplicationDirection direction,
            long epoch,
            String sourceShardId,
            String lastSequenceNumber,
            long lastArrivalEpochMillis,
            long millisBehindLatest,
            String targetShardId,
            String targetSequenceNumber,
            long recordsReplicated,
            long checkpointId,
            boolean shardFinished,
            long updatedEpochMillis) {
        this(
                pairName,
                direction,
                epoch,
                sourceShardId,
                lastSequenceNumber,
                lastArrivalEpochMillis,
                millisBehindLatest,
                targetShardId,
                targetSequenceNumber,
                recordsReplicated,
                checkpointId,
                shardFinished,
                updatedEpochMillis,
                null,
                Map.of());
    }

    private ShardProgress(
            String pairName,
            ReplicationDirection direction,
            long epoch,
            String sourceShardId,
            String lastSequenceNumber,
            long lastArrivalEpochMillis,
            long millisBehindLatest,
            String targetShardId,
            String targetSequenceNumber,
            long recordsReplicated,
            long checkpointId,
            boolean shardFinished,
            long updatedEpochMillis,
            String markSequenceNumber,
            Map<String, String> markTargets) {
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
        this.markSequenceNumber = markSequenceNumber;
        this.markTargets = Collections.unmodifiableMap(new TreeMap<>(markTargets));
    }

    /**
     * The same row with the writer's flush mark: at its last flush nothing it had accepted was in flight, the target
     * held this shard up to {@code sequenceNumber} and the writer's highest position per target shard was
     * {@code targets}. Copies the writer made of later records of this shard lie after those positions, copies of
     * earlier ones at or before them: a pair of bounds orphan reconciliation can count between.
     */
    public ShardProgress withMark(String sequenceNumber, Map<String, String> targets) {
        return new ShardProgress(
                pairName,
                direction,
                epoch,
                sourceShardId,
                lastSequenceNumber,
                lastArrivalEpochMillis,
                millisBehindLatest,
                targetShardId,
                targetSequenceNumber,
                recordsReplicated,
                checkpointId,
                shardFinished,
                updatedEpochMillis,
                sequenceNumber,
                targets);
    }

    /** Source position of the flush mark; {@code null} if the row has none (no flush yet, or an older writer). */
    public String markSequenceNumber() {
        return markSequenceNumber;
    }

    /** Target shard to the writer's highest sequence number there at the flush mark. */
    public Map<String, String> markTargets() {
        return markTargets;
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
