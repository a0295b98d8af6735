package io.kinesisha.replicator.source;

import io.kinesisha.replicator.source.enumerator.EnumeratorState;
import io.kinesisha.replicator.source.enumerator.EnumeratorStateSerializer;
import io.kinesisha.replicator.source.enumerator.ShardSplitEnumerator;
import io.kinesisha.replicator.source.enumerator.assigner.HashRangeShardAssigner;
import io.kinesisha.replicator.source.enumerator.assigner.ShardAssigner;
import io.kinesisha.replicator.source.proxy.StreamProxyFactory;
import io.kinesisha.replicator.source.reader.KinesisSourceReader;
import io.kinesisha.replicator.source.reader.ShardRecordEmitter;
import io.kinesisha.replicator.source.reader.ShardSplitReader;
import io.kinesisha.replicator.source.reader.SourceMetrics;
import io.kinesisha.replicator.source.split.ShardSplit;
import io.kinesisha.replicator.source.split.ShardSplitSerializer;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * A Flink source for a Kinesis data stream: Enhanced Fan-Out (or polling) readers, shard lineage honoured
 * (a child shard is read only after its parents are finished and checkpointed), shards spread by hash-key
 * range, positions checkpointed per shard. Build it with {@link #builder()}; use
 * {@code WatermarkStrategy.noWatermarks()} for replication.
 */
public final class KinesisSource<T> implements Source<T, ShardSplit, EnumeratorState>, ResultTypeQueryable<T> {
    private static final long serialVersionUID = 1L;

    private final KinesisSourceConfig config;
    private final KinesisDeserializationSchema<T> schema;
    private final ShardAssigner assigner;
    private final StreamProxyFactory proxies;

    KinesisSource(
            KinesisSourceConfig config,
            KinesisDeserializationSchema<T> schema,
            ShardAssigner assigner,
            StreamProxyFactory proxies) {
        this.config = config;
        this.schema = schema;
        this.assigner = assigner;
        this.proxies = proxies;
    }

    public static <T> KinesisSourceBuilder<T> builder() {
        return new KinesisSourceBuilder<>();
    }

    public KinesisSourceConfig config() {
        return config;
    }

    @Override
    public Boundedness getBoundedness() {
        return Boundedness.CONTINUOUS_UNBOUNDED;
    }

    @Override
    public SourceReader<T, ShardSplit> createReader(SourceReaderContext context) {
        Set<String> closedShards = ConcurrentHashMap.newKeySet();
        AtomicReference<String> consumerArn = new AtomicReference<>();
        SourceMetrics metrics = new SourceMetrics(context.metricGroup());
        return new KinesisSourceReader<>(
                () -> new ShardSplitReader(config, proxies.create(config), closedShards, consumerArn::get, metrics),
                new ShardRecordEmitter<>(schema, metrics),
                new Configuration(),
                context,
                closedShards,
                consumerArn);
    }

    @Override
    public SplitEnumerator<ShardSplit, EnumeratorState> createEnumerator(SplitEnumeratorContext<ShardSplit> context) {
        return new ShardSplitEnumerator(context, config, assigner, null, proxies.create(config));
    }

    @Override
    public SplitEnumerator<ShardSplit, EnumeratorState> restoreEnumerator(
            SplitEnumeratorContext<ShardSplit> context, EnumeratorState state) {
        return new ShardSplitEnumerator(context, config, assigner, state, proxies.create(config));
    }

    @Override
    public SimpleVersionedSerializer<ShardSplit> getSplitSerializer() {
        return ShardSplitSerializer.INSTANCE;
    }

    @Override
    public SimpleVersionedSerializer<EnumeratorState> getEnumeratorCheckpointSerializer() {
        return new EnumeratorStateSerializer();
    }

    @Override
    public TypeInformation<T> getProducedType() {
        return schema.getProducedType();
    }

    static ShardAssigner defaultAssigner() {
        return new HashRangeShardAssigner();
    }
}
