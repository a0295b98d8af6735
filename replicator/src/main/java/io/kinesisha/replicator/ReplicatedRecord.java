package io.kinesisha.replicator;

import io.kinesisha.replicator.source.KinesisRecord;
import io.kinesisha.replicator.source.ShardStatus;
import java.util.Objects;

/**
 * What flows from the source to the sink in the replicator: a record to copy (with its provenance, so progress
 * can say which source position the target holds), a record to pass over (an orphan copy that came from the
 * target region: it advances progress but is not written), or a heartbeat of an idle or finished shard. A Flink POJO.
 */
public final class ReplicatedRecord {
    private boolean heartbeat;
    private boolean skipped;
    private boolean shardFinished;
    private String sourceShardId;
    private String sequenceNumber;
    private String partitionKey;
    private long arrivalEpochMillis;
    private long millisBehindLatest;
    private byte[] data;

    public ReplicatedRecord() {}

    public static ReplicatedRecord of(KinesisRecord record) {
        ReplicatedRecord r = new ReplicatedRecord();
        r.sourceShardId = record.shardId();
        r.sequenceNumber = record.sequenceNumber();
        r.partitionKey = record.partitionKey();
        r.arrivalEpochMillis = record.approximateArrivalEpochMillis();
        r.millisBehindLatest = record.millisBehindLatest();
        r.data = record.data();
        return r;
    }

    /** A source record that must not be written (it came from the target region), still counted as passed. */
    public static ReplicatedRecord skipped(KinesisRecord record) {
        ReplicatedRecord r = of(record);
        r.skipped = true;
        r.data = new byte[0];
        return r;
    }

    public static ReplicatedRecord heartbeat(ShardStatus status, long nowEpochMillis) {
        ReplicatedRecord r = new ReplicatedRecord();
        r.heartbeat = true;
        r.shardFinished = status.finished();
        r.sourceShardId = status.shardId();
        r.sequenceNumber = status.lastSequenceNumber();
        r.millisBehindLatest = status.millisBehindLatest();
        r.arrivalEpochMillis = nowEpochMillis;
        return r;
    }

    public boolean isHeartbeat() {
        return heartbeat;
    }

    public void setHeartbeat(boolean heartbeat) {
        this.heartbeat = heartbeat;
    }

    public boolean isSkipped() {
        return skipped;
    }

    public void setSkipped(boolean skipped) {
        this.skipped = skipped;
    }

    /** True for a record the sink writes (neither a heartbeat nor skipped). */
    public boolean isWritable() {
        return !heartbeat && !skipped;
    }

    public boolean isShardFinished() {
        return shardFinished;
    }

    public void setShardFinished(boolean shardFinished) {
        this.shardFinished = shardFinished;
    }

    public String getSourceShardId() {
        return sourceShardId;
    }

    public void setSourceShardId(String sourceShardId) {
        this.sourceShardId = sourceShardId;
    }

    public String getSequenceNumber() {
        return sequenceNumber;
    }

    public void setSequenceNumber(String sequenceNumber) {
        this.sequenceNumber = sequenceNumber;
    }

    public String getPartitionKey() {
        return partitionKey;
    }

    public void setPartitionKey(String partitionKey) {
        this.partitionKey = partitionKey;
    }

    public long getArrivalEpochMillis() {
        return arrivalEpochMillis;
    }

    public void setArrivalEpochMillis(long arrivalEpochMillis) {
        this.arrivalEpochMillis = arrivalEpochMillis;
    }

    public long getMillisBehindLatest() {
        return millisBehindLatest;
    }

    public void setMillisBehindLatest(long millisBehindLatest) {
        this.millisBehindLatest = millisBehindLatest;
    }

    public byte[] getData() {
        return data;
    }

    public void setData(byte[] data) {
        this.data = data;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof ReplicatedRecord)) {
            return false;
        }
        ReplicatedRecord r = (ReplicatedRecord) o;
        return heartbeat == r.heartbeat
                && Objects.equals(sourceShardId, r.sourceShardId)
                && Objects.equals(sequenceNumber, r.sequenceNumber);
    }

    @Override
    public int hashCode() {
        return Objects.hash(heartbeat, sourceShardId, sequenceNumber);
    }

    @Override
    public String toString() {
        return (heartbeat ? "Heartbeat" : skipped ? "Skipped" : "Record") + "{" + sourceShardId + "@" + sequenceNumber
                + (heartbeat ? "" : " key=" + partitionKey) + (shardFinished ? " finished" : "") + "}";
    }
}
