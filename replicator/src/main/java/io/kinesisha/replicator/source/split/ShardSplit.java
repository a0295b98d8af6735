package io.kinesisha.replicator.source.split;

import java.math.BigInteger;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import org.apache.flink.api.connector.source.SourceSplit;

/**
 * One shard of the source stream as a unit of work: its lineage (parents must be finished, and their records
 * written downstream, before it is read), its hash-key range (what the assigner spreads across subtasks), the
 * EFO consumer to read it with, and where to start. A split reported finished stays in reader state, marked
 * {@link #finished()}, until a checkpoint confirms it, so a restore re-reports it instead of losing it.
 */
public final class ShardSplit implements SourceSplit {
    private final String streamArn;
    private final String shardId;
    private final List<String> parentShardIds;
    private final BigInteger startingHashKey;
    private final BigInteger endingHashKey;
    private final String consumerArn;
    private final ShardStartingPosition startingPosition;
    private final boolean finished;

    public ShardSplit(
            String streamArn,
            String shardId,
            List<String> parentShardIds,
            BigInteger startingHashKey,
            BigInteger endingHashKey,
            String consumerArn,
            ShardStartingPosition startingPosition,
            boolean finished) {
        this.streamArn = Objects.requireNonNull(streamArn, "streamArn");
        this.shardId = Objects.requireNonNull(shardId, "shardId");
        this.parentShardIds = Collections.unmodifiableList(parentShardIds);
        this.startingHashKey = Objects.requireNonNull(startingHashKey, "startingHashKey");
        this.endingHashKey = Objects.requireNonNull(endingHashKey, "endingHashKey");
        this.consumerArn = consumerArn;
        this.startingPosition = Objects.requireNonNull(startingPosition, "startingPosition");
        this.finished = finished;
    }

    @Override
    public String splitId() {
        return shardId;
    }

    public String streamArn() {
        return streamArn;
    }

    public String shardId() {
        return shardId;
    }

    public List<String> parentShardIds() {
        return parentShardIds;
    }

    public BigInteger startingHashKey() {
        return startingHashKey;
    }

    public BigInteger endingHashKey() {
        return endingHashKey;
    }

    /**
     * The EFO consumer ARN when the split was created, for information only: readers subscribe with the ARN the
     * enumerator gives them now, since a restored one may have been deregistered.
     */
    public String consumerArn() {
        return consumerArn;
    }

    public ShardStartingPosition startingPosition() {
        return startingPosition;
    }

    public boolean finished() {
        return finished;
    }

    public ShardSplit withPosition(ShardStartingPosition position) {
        return new ShardSplit(
                streamArn, shardId, parentShardIds, startingHashKey, endingHashKey, consumerArn, position, finished);
    }

    /** The split as first assigned: read again from its starting position. */
    public ShardSplit asUnfinished() {
        return finished
                ? new ShardSplit(
                        streamArn,
                        shardId,
                        parentShardIds,
                        startingHashKey,
                        endingHashKey,
                        consumerArn,
                        startingPosition,
                        false)
                : this;
    }

    public ShardSplit asFinished() {
        return new ShardSplit(
                streamArn,
                shardId,
                parentShardIds,
                startingHashKey,
                endingHashKey,
                consumerArn,
                startingPosition,
                true);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof ShardSplit)) {
            return false;
        }
        ShardSplit s = (ShardSplit) o;
        return finished == s.finished
                && streamArn.equals(s.streamArn)
                && shardId.equals(s.shardId)
                && parentShardIds.equals(s.parentShardIds)
                && startingHashKey.equals(s.startingHashKey)
                && endingHashKey.equals(s.endingHashKey)
                && Objects.equals(consumerArn, s.consumerArn)
                && startingPosition.equals(s.startingPosition);
    }

    @Override
    public int hashCode() {
        return Objects.hash(streamArn, shardId, startingPosition, finished);
    }

    @Override
    public String toString() {
        return "ShardSplit{" + shardId + (parentShardIds.isEmpty() ? "" : " parents=" + parentShardIds) + " from "
                + startingPosition + (finished ? " finished" : "") + "}";
    }
}
