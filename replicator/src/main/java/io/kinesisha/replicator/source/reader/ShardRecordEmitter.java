package io.kinesisha.replicator.source.reader;

import io.kinesisha.replicator.source.KinesisDeserializationSchema;
import io.kinesisha.replicator.source.KinesisRecord;
import io.kinesisha.replicator.source.split.ShardSplitState;
import org.apache.flink.api.connector.source.SourceOutput;
import org.apache.flink.connector.base.source.reader.RecordEmitter;
import org.apache.flink.util.Collector;

/** Hands records and shard statuses to the job's deserialization schema and advances the split's position. */
public final class ShardRecordEmitter<T> implements RecordEmitter<ShardElement, T, ShardSplitState> {
    private final KinesisDeserializationSchema<T> schema;
    private final SourceMetrics metrics;
    private final OutputCollector<T> collector = new OutputCollector<>();

    public ShardRecordEmitter(KinesisDeserializationSchema<T> schema, SourceMetrics metrics) {
        this.schema = schema;
        this.metrics = metrics;
    }

    @Override
    public void emitRecord(ShardElement element, SourceOutput<T> output, ShardSplitState state) throws Exception {
        collector.output = output;
        KinesisRecord record = element.record();
        if (record != null) {
            collector.timestamp = record.approximateArrivalEpochMillis();
            schema.deserialize(record, collector);
            state.emitted(record.sequenceNumber());
            metrics.recordRead(record.shardId(), record.data().length, record.millisBehindLatest());
        } else {
            collector.timestamp = System.currentTimeMillis();
            schema.onShardStatus(element.status(), collector);
            metrics.shardStatus(
                    element.status().shardId(),
                    element.status().millisBehindLatest(),
                    element.status().finished());
        }
    }

    private static final class OutputCollector<T> implements Collector<T> {
        SourceOutput<T> output;
        long timestamp;

        @Override
        public void collect(T record) {
            output.collect(record, timestamp);
        }

        @Override
        public void close() {}
    }
}
