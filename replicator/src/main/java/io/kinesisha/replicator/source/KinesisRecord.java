package io.kinesisha.replicator.source;

import java.io.Serializable;

/**
 * One record as read from a shard, with everything a job may want to know of it: bytes, partition key, the
 * shard's sequence number, the approximate arrival time, and how far the reader was behind the tip of the
 * shard when it read it.
 */
public final class KinesisRecord implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String streamArn;
    private final String shardId;
    private final String partitionKey;
    private final String sequenceNumber;
    private final long approximateArrivalEpochMillis;
    private final long millisBehindLatest;
    private final byte[] data;

    public KinesisRecord(String streamArn, String shardId, String partitionKey, String sequenceNumber,
                         long approximateArrivalEpochMillis, long millisBehindLatest, byte[] data) {
        this.streamArn = streamArn;
        this.shardId = shardId;
        this.partitionKey = partitionKey;
        this.sequenceNumber = sequenceNumber;
        this.approximateArrivalEpochMillis = approximateArrivalEpochMillis;
        this.millisBehindLatest = millisBehindLatest;
        this.data = data;
    }

    public String streamArn() {
        return streamArn;
    }

    public String shardId() {
        return shardId;
    }

    public String partitionKey() {
        return partitionKey;
    }

    public String sequenceNumber() {
        return sequenceNumber;
    }

    public long approximateArrivalEpochMillis() {
        return approximateArrivalEpochMillis;
    }

    public long millisBehindLatest() {
        return millisBehindLatest;
    }

    /** The record's bytes, not copied: do not modify. */
    public byte[] data() {
        return data;
    }
}
