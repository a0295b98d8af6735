package io.kinesisha.replicator.source;

import java.io.IOException;
import java.io.Serializable;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.util.Collector;

/**
 * Turns what the Kinesis source reads into a job's elements. Besides records, a job may emit markers for shard
 * status (idle heartbeats, the end of a shard) so downstream operators see progress in order with the data.
 */
public interface KinesisDeserializationSchema<T> extends Serializable, ResultTypeQueryable<T> {

    void deserialize(KinesisRecord record, Collector<T> out) throws IOException;

    /** Called about once per heartbeat interval per idle shard, and once when a shard ends. Default: nothing. */
    default void onShardStatus(ShardStatus status, Collector<T> out) {}
}
