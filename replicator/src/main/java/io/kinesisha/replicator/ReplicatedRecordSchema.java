package io.kinesisha.replicator;

import io.kinesisha.replicator.source.KinesisDeserializationSchema;
import io.kinesisha.replicator.source.KinesisRecord;
import io.kinesisha.replicator.source.ShardStatus;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.util.Collector;

/** Copies records unchanged (bytes and partition key) with their provenance, and turns shard status into heartbeats. */
public final class ReplicatedRecordSchema implements KinesisDeserializationSchema<ReplicatedRecord> {
    private static final long serialVersionUID = 1L;

    @Override
    public void deserialize(KinesisRecord record, Collector<ReplicatedRecord> out) {
        out.collect(ReplicatedRecord.of(record));
    }

    @Override
    public void onShardStatus(ShardStatus status, Collector<ReplicatedRecord> out) {
        out.collect(ReplicatedRecord.heartbeat(status, System.currentTimeMillis()));
    }

    @Override
    public TypeInformation<ReplicatedRecord> getProducedType() {
        return TypeInformation.of(ReplicatedRecord.class);
    }
}
