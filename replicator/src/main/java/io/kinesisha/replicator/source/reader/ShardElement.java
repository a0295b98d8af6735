package io.kinesisha.replicator.source.reader;

import io.kinesisha.replicator.source.KinesisRecord;
import io.kinesisha.replicator.source.ShardStatus;

/** What a split reader hands to the emitter: a record, or the status of an idle or finished shard. */
public final class ShardElement {
    private final KinesisRecord record;
    private final ShardStatus status;

    private ShardElement(KinesisRecord record, ShardStatus status) {
        this.record = record;
        this.status = status;
    }

    static ShardElement record(KinesisRecord record) {
        return new ShardElement(record, null);
    }

    static ShardElement status(ShardStatus status) {
        return new ShardElement(null, status);
    }

    /** The record, or {@code null} for a status element. */
    public KinesisRecord record() {
        return record;
    }

    /** The status, or {@code null} for a record element. */
    public ShardStatus status() {
        return status;
    }
}
