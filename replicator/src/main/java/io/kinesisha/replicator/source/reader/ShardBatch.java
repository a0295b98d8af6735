package io.kinesisha.replicator.source.reader;

import java.util.Collections;
import java.util.List;
import software.amazon.awssdk.services.kinesis.model.Record;

/** What one poll of a shard consumer returned: records (maybe none), the lag, and whether the shard ended. */
public final class ShardBatch {
    private static final ShardBatch NOTHING = new ShardBatch(Collections.emptyList(), -1, false);

    private final List<Record> records;
    private final long millisBehindLatest;
    private final boolean endOfShard;

    private ShardBatch(List<Record> records, long millisBehindLatest, boolean endOfShard) {
        this.records = records;
        this.millisBehindLatest = millisBehindLatest;
        this.endOfShard = endOfShard;
    }

    public static ShardBatch nothing() {
        return NOTHING;
    }

    public static ShardBatch of(List<Record> records, long millisBehindLatest, boolean endOfShard) {
        return new ShardBatch(records, millisBehindLatest, endOfShard);
    }

    public List<Record> records() {
        return records;
    }

    /** -1 when this poll learned nothing about the lag. */
    public long millisBehindLatest() {
        return millisBehindLatest;
    }

    public boolean endOfShard() {
        return endOfShard;
    }
}
