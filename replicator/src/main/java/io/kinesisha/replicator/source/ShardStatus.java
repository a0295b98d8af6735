package io.kinesisha.replicator.source;

import java.io.Serializable;

/**
 * Where a reader stands in one shard when no record is flowing (or the shard just ended): lets a job keep its
 * lag and progress true while a stream is idle.
 */
public final class ShardStatus implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String streamArn;
    private final String shardId;
    private final String lastSequenceNumber;
    private final long millisBehindLatest;
    private final boolean finished;

    public ShardStatus(
            String streamArn, String shardId, String lastSequenceNumber, long millisBehindLatest, boolean finished) {
        this.streamArn = streamArn;
        this.shardId = shardId;
        this.lastSequenceNumber = lastSequenceNumber;
        this.millisBehindLatest = millisBehindLatest;
        this.finished = finished;
    }

    public String streamArn() {
        return streamArn;
    }

    public String shardId() {
        return shardId;
    }

    /** Last sequence number emitted from the shard, {@code null} if none yet. */
    public String lastSequenceNumber() {
        return lastSequenceNumber;
    }

    public long millisBehindLatest() {
        return millisBehindLatest;
    }

    /** True once the shard is closed and every record of it has been emitted. */
    public boolean finished() {
        return finished;
    }
}
