package io.kinesisha.replicator.source;

import io.kinesisha.common.aws.AwsTarget;
import io.kinesisha.common.aws.ClientTuning;
import io.kinesisha.common.config.ConsumerLifecycle;
import io.kinesisha.common.config.ReaderType;
import io.kinesisha.replicator.source.enumerator.assigner.ShardAssigner;
import io.kinesisha.replicator.source.proxy.StreamProxyFactory;
import io.kinesisha.replicator.source.reader.fanout.FanOutShardConsumer;
import io.kinesisha.replicator.source.split.ShardStartingPosition;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/** Builds a {@link KinesisSource}; only the stream, the target and the schema are required. */
public final class KinesisSourceBuilder<T> {
    private String streamArn;
    private AwsTarget target;
    private ClientTuning tuning = ClientTuning.DEFAULT;
    private ReaderType readerType = ReaderType.EFO;
    private ConsumerLifecycle consumerLifecycle = ConsumerLifecycle.JOB_MANAGED;
    private String consumerName = "kinesis-ha-replicator";
    private String consumerArn;
    private ShardStartingPosition initialPosition = ShardStartingPosition.trimHorizon();
    private final Map<String, ShardStartingPosition> shardPositions = new LinkedHashMap<>();
    private Duration discoveryInterval = Duration.ofSeconds(10);
    private Duration heartbeatInterval = Duration.ofSeconds(1);
    private int maxRecordsPerFetch = 10_000;
    private Duration silenceTimeout = FanOutShardConsumer.DEFAULT_SILENCE_TIMEOUT;
    private KinesisDeserializationSchema<T> schema;
    private ShardAssigner assigner = KinesisSource.defaultAssigner();
    private StreamProxyFactory proxies = StreamProxyFactory.sdk();
    private ReadLease lease;
    private RecordScreen screen;

    KinesisSourceBuilder() {}

    public KinesisSourceBuilder<T> streamArn(String arn) {
        this.streamArn = arn;
        return this;
    }

    public KinesisSourceBuilder<T> target(AwsTarget awsTarget) {
        this.target = awsTarget;
        return this;
    }

    public KinesisSourceBuilder<T> clientTuning(ClientTuning clientTuning) {
        this.tuning = clientTuning;
        return this;
    }

    public KinesisSourceBuilder<T> readerType(ReaderType type) {
        this.readerType = type;
        return this;
    }

    /** JOB_MANAGED: registered by name if missing and reused on restart. */
    public KinesisSourceBuilder<T> jobManagedConsumer(String name) {
        this.consumerLifecycle = ConsumerLifecycle.JOB_MANAGED;
        this.consumerName = name;
        this.consumerArn = null;
        return this;
    }

    /** SELF_MANAGED: created by infrastructure (the CDK app); the job only uses it. */
    public KinesisSourceBuilder<T> selfManagedConsumer(String arn) {
        this.consumerLifecycle = ConsumerLifecycle.SELF_MANAGED;
        this.consumerArn = arn;
        return this;
    }

    /** Where shards found at the first start are read from (later shards always from TRIM_HORIZON). */
    public KinesisSourceBuilder<T> initialPosition(ShardStartingPosition position) {
        this.initialPosition = position;
        return this;
    }

    /** An explicit start for one shard (reverse replication, orphan recovery); wins over the initial position. */
    public KinesisSourceBuilder<T> shardPosition(String shardId, ShardStartingPosition position) {
        this.shardPositions.put(shardId, position);
        return this;
    }

    public KinesisSourceBuilder<T> discoveryInterval(Duration interval) {
        this.discoveryInterval = interval;
        return this;
    }

    public KinesisSourceBuilder<T> heartbeatInterval(Duration interval) {
        this.heartbeatInterval = interval;
        return this;
    }

    public KinesisSourceBuilder<T> maxRecordsPerFetch(int max) {
        this.maxRecordsPerFetch = max;
        return this;
    }

    /** An EFO subscription silent this long is renewed from its last position (default 15 s; more than 5 s). */
    public KinesisSourceBuilder<T> silenceTimeout(Duration timeout) {
        this.silenceTimeout = timeout;
        return this;
    }

    public KinesisSourceBuilder<T> deserializer(KinesisDeserializationSchema<T> deserializer) {
        this.schema = deserializer;
        return this;
    }

    /** Where the source's Kinesis calls go (default: the AWS SDK); tests and wrappers put their own in. */
    public KinesisSourceBuilder<T> streamProxies(StreamProxyFactory factory) {
        this.proxies = java.util.Objects.requireNonNull(factory, "factory");
        return this;
    }

    /** Only one job holding {@code readLease} reads (see {@link ReadLease}); default: no lease. */
    public KinesisSourceBuilder<T> readLease(ReadLease readLease) {
        this.lease = readLease;
        return this;
    }

    /** Records are emitted only once {@code recordScreen} has judged them (see {@link RecordScreen}); default: none. */
    public KinesisSourceBuilder<T> screen(RecordScreen recordScreen) {
        this.screen = recordScreen;
        return this;
    }

    public KinesisSourceBuilder<T> assigner(ShardAssigner shardAssigner) {
        this.assigner = shardAssigner;
        return this;
    }

    public KinesisSource<T> build() {
        Objects.requireNonNull(schema, "deserializer");
        if (maxRecordsPerFetch < 1 || maxRecordsPerFetch > 10_000) {
            throw new IllegalArgumentException("maxRecordsPerFetch must be 1..10000, was " + maxRecordsPerFetch);
        }
        if (silenceTimeout == null || silenceTimeout.toMillis() <= 5_000) {
            throw new IllegalArgumentException("silenceTimeout must be more than 5 s (Kinesis sends an event at least"
                    + " every 5 s on a live subscription), was " + silenceTimeout);
        }
        return new KinesisSource<>(
                new KinesisSourceConfig(
                        streamArn,
                        target,
                        tuning,
                        readerType,
                        consumerLifecycle,
                        consumerName,
                        consumerArn,
                        initialPosition,
                        shardPositions,
                        discoveryInterval,
                        heartbeatInterval,
                        maxRecordsPerFetch,
                        silenceTimeout,
                        lease,
                        screen),
                schema,
                assigner,
                proxies);
    }
}
