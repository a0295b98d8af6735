package io.kinesisha.replicator.source.reader;

import java.io.IOException;

/**
 * Kinesis says the shard does not exist any more: it aged out of the stream's retention while the job was not
 * reading it. Nothing more can be read from it, so the split reader finishes the split (its children must not wait
 * forever) and reports it loudly: whatever the shard held after the last position read is lost to retention.
 */
public final class ShardGoneException extends IOException {
    private static final long serialVersionUID = 1L;

    private final String shardId;

    public ShardGoneException(String shardId, Throwable cause) {
        super("shard " + shardId + " no longer exists (past the stream's retention)", cause);
        this.shardId = shardId;
    }

    public String shardId() {
        return shardId;
    }
}
