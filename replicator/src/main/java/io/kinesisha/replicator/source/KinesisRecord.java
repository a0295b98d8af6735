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
    private final boolean passOver;

    public KinesisRecord(
            String streamArn,
            String shardId,
            String partitionKey,
            String sequenceNumber,
            long approximateArrivalEpochMillis,
            long millisBehindLatest,
            byte[] data) {
        this(
                streamArn,
                shardId,
                partitionKey,
                sequenceNumber,
                approximateArrivalEpochMillis,
                millisBehindLatest,
                data,
                false);
    }

    /** @param passOver the source's {@link RecordScreen} named this record: the job must not copy it */
    public KinesisRecord(
            String streamArn,
            String shardId,
            String partitionKey,
            String sequenceNumber,
            long approximateArrivalEpochMillis,
            long millisBehindLatest,
            byte[] data,
            boolean passOver) {
        this.streamArn = streamArn;
        this.shardId = shardId;
        this.partitionKey = partitionKey;
        this.sequenceNumber = sequenceNumber;
        this.approximateArrivalEpochMillis = approximateArrivalEpochMillis;
        this.millisBehindLatest = millisBehindLatest;
        this.data = data;
        this.passOver = passOver;
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

    /** True when the source's {@link RecordScreen} named this record: a job passes over it (its position still counts). */
    public boolean passOver() {
        return passOver;
    }

    /** The record's bytes, not copied: do not modify. */
    public byte[] data() {
        return data;
    }
}
