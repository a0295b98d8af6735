package io.kinesisha.replicator;

import io.kinesisha.replicator.source.KinesisDeserializationSchema;
import io.kinesisha.replicator.source.KinesisRecord;
import io.kinesisha.replicator.source.ShardStatus;
import java.util.HashSet;
import java.util.Set;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.util.Collector;

/**
 * Copies records unchanged (bytes and partition key) with their provenance, and turns shard status into heartbeats.
 * Records named in {@code excluded} ({@code <shard>@<sequence number>}: orphan copies republished from the target
 * region, known when the job started) and records the source's screen marks (copies republished while it runs, see
 * {@link io.kinesisha.replicator.orphans.RepublishedCopies}) pass as skipped, so they advance progress without
 * travelling back.
 */
public final class ReplicatedRecordSchema implements KinesisDeserializationSchema<ReplicatedRecord> {
    private static final long serialVersionUID = 1L;

    private final Set<String> excluded;

    public ReplicatedRecordSchema() {
        this(Set.of());
    }

    public ReplicatedRecordSchema(Set<String> excluded) {
        this.excluded = new HashSet<>(excluded);
    }

    @Override
    public void deserialize(KinesisRecord record, Collector<ReplicatedRecord> out) {
        if (record.passOver()
                || !excluded.isEmpty() && excluded.contains(record.shardId() + "@" + record.sequenceNumber())) {
            out.collect(ReplicatedRecord.skipped(record));
        } else {
            out.collect(ReplicatedRecord.of(record));
        }
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
