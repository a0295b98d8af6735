package io.kinesisha.replicator.source;

import io.kinesisha.common.aws.AwsTarget;
import io.kinesisha.common.aws.ClientTuning;
import io.kinesisha.common.config.ConsumerLifecycle;
import io.kinesisha.common.config.ReaderType;
import io.kinesisha.replicator.source.split.ShardStartingPosition;
import java.io.Serializable;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/** Everything the source's enumerator and readers need, serializable so Flink ships it with the job. */
public final class KinesisSourceConfig implements Serializable {
    private static final long serialVersionUID = 1L;

    final String streamArn;
    final AwsTarget target;
    final ClientTuning tuning;
    final ReaderType readerType;
    final ConsumerLifecycle consumerLifecycle;
    final String consumerName;
    final String consumerArn;
    final ShardStartingPosition initialPosition;
    final Map<String, ShardStartingPosition> shardPositions;
    final Duration discoveryInterval;
    final Duration heartbeatInterval;
    final int maxRecordsPerFetch;
    final Duration silenceTimeout;
    final ReadLease lease;
    final RecordScreen screen;

    KinesisSourceConfig(
            String streamArn,
            AwsTarget target,
            ClientTuning tuning,
            ReaderType readerType,
            ConsumerLifecycle consumerLifecycle,
            String consumerName,
            String consumerArn,
            ShardStartingPosition initialPosition,
            Map<String, ShardStartingPosition> shardPositions,
            Duration discoveryInterval,
            Duration heartbeatInterval,
            int maxRecordsPerFetch,
            Duration silenceTimeout,
            ReadLease lease,
            RecordScreen screen) {
        this.streamArn = Objects.requireNonNull(streamArn, "streamArn");
        this.target = Objects.requireNonNull(target, "target");
        this.tuning = Objects.requireNonNull(tuning, "tuning");
        this.readerType = Objects.requireNonNull(readerType, "readerType");
        this.consumerLifecycle = Objects.requireNonNull(consumerLifecycle, "consumerLifecycle");
        this.consumerName = consumerName;
        this.consumerArn = consumerArn;
        this.initialPosition = Objects.requireNonNull(initialPosition, "initialPosition");
        this.shardPositions = Collections.unmodifiableMap(new LinkedHashMap<>(shardPositions));
        this.discoveryInterval = Objects.requireNonNull(discoveryInterval, "discoveryInterval");
        this.heartbeatInterval = Objects.requireNonNull(heartbeatInterval, "heartbeatInterval");
        this.maxRecordsPerFetch = maxRecordsPerFetch;
        this.silenceTimeout = Objects.requireNonNull(silenceTimeout, "silenceTimeout");
        this.lease = lease;
        this.screen = screen;
        if (readerType == ReaderType.EFO
                && consumerLifecycle == ConsumerLifecycle.SELF_MANAGED
                && consumerArn == null) {
            throw new IllegalArgumentException("a SELF_MANAGED EFO consumer needs its consumer ARN");
        }
        if (readerType == ReaderType.EFO
                && consumerLifecycle == ConsumerLifecycle.JOB_MANAGED
                && consumerName == null) {
            throw new IllegalArgumentException("a JOB_MANAGED EFO consumer needs a consumer name");
        }
    }

    public String streamArn() {
        return streamArn;
    }

    public AwsTarget target() {
        return target;
    }

    public ClientTuning tuning() {
        return tuning;
    }

    public ReaderType readerType() {
        return readerType;
    }

    public ConsumerLifecycle consumerLifecycle() {
        return consumerLifecycle;
    }

    public String consumerName() {
        return consumerName;
    }

    public String consumerArn() {
        return consumerArn;
    }

    public ShardStartingPosition initialPosition() {
        return initialPosition;
    }

    public Map<String, ShardStartingPosition> shardPositions() {
        return shardPositions;
    }

    public Duration discoveryInterval() {
        return discoveryInterval;
    }

    public Duration heartbeatInterval() {
        return heartbeatInterval;
    }

    public int maxRecordsPerFetch() {
        return maxRecordsPerFetch;
    }

    /** How long an EFO subscription may deliver nothing before it is renewed from its last position. */
    public Duration silenceTimeout() {
        return silenceTimeout;
    }

    /** The lease the enumerator must hold to read, or {@code null} when any number of jobs may read. */
    public ReadLease lease() {
        return lease;
    }

    /** What readers must ask before emitting what they fetched, or {@code null} when every record is copied. */
    public RecordScreen screen() {
        return screen;
    }
}
