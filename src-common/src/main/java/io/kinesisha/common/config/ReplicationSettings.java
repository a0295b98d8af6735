package io.kinesisha.common.config;

import static io.kinesisha.common.config.ConfigKey.REPLICATION_CHECKPOINT_INTERVAL_MS;
import static io.kinesisha.common.config.ConfigKey.REPLICATION_CHECKPOINT_TIMEOUT_MS;
import static io.kinesisha.common.config.ConfigKey.REPLICATION_CONSUMER_ARN;
import static io.kinesisha.common.config.ConfigKey.REPLICATION_CONSUMER_LIFECYCLE;
import static io.kinesisha.common.config.ConfigKey.REPLICATION_CONSUMER_NAME;
import static io.kinesisha.common.config.ConfigKey.REPLICATION_EFO_SILENCE_TIMEOUT_MS;
import static io.kinesisha.common.config.ConfigKey.REPLICATION_MAX_BATCH_RECORDS;
import static io.kinesisha.common.config.ConfigKey.REPLICATION_MAX_BUFFERED_PER_KEY;
import static io.kinesisha.common.config.ConfigKey.REPLICATION_MAX_IN_FLIGHT_BATCHES;
import static io.kinesisha.common.config.ConfigKey.REPLICATION_READER;
import static io.kinesisha.common.config.ConfigKey.REPLICATION_SHARD_DISCOVERY_INTERVAL_MS;
import static io.kinesisha.common.config.ConfigKey.REPLICATION_SINK_REQUEST_TIMEOUT_MS;
import static io.kinesisha.common.config.ConfigKey.REPLICATION_STARTING_POSITION;
import static io.kinesisha.common.config.ConfigKey.REPLICATION_TOLERABLE_CHECKPOINT_FAILURES;

import java.time.Duration;
import java.util.Optional;

/** How the Flink job reads the primary stream and writes the secondary one. */
public final class ReplicationSettings {
    /**
     * How long a replicator may keep writing on its last confirmation that the control record names its direction
     * and epoch. Fixed, because the controller's settle time is checked against it.
     */
    public static final Duration FENCE_LEASE = Duration.ofSeconds(3);

    private final String consumerName;
    private final ConsumerLifecycle consumerLifecycle;
    private final Optional<String> consumerArn;
    private final ReaderType reader;
    private final StartingPosition startingPosition;
    private final Duration checkpointInterval;
    private final Duration shardDiscoveryInterval;
    private final Duration efoSilenceTimeout;
    private final int maxBatchRecords;
    private final int maxInFlightBatches;
    private final Duration sinkRequestTimeout;
    private final Duration checkpointTimeout;
    private final int tolerableCheckpointFailures;
    private final int maxBufferedPerKey;

    ReplicationSettings(Values values) {
        this.consumerName = values.string(REPLICATION_CONSUMER_NAME);
        this.consumerLifecycle = values.enumValue(REPLICATION_CONSUMER_LIFECYCLE, ConsumerLifecycle.class);
        this.consumerArn = values.optional(REPLICATION_CONSUMER_ARN);
        this.reader = values.enumValue(REPLICATION_READER, ReaderType.class);
        this.startingPosition = values.enumValue(REPLICATION_STARTING_POSITION, StartingPosition.class);
        this.checkpointInterval = values.millis(REPLICATION_CHECKPOINT_INTERVAL_MS);
        this.shardDiscoveryInterval = values.millis(REPLICATION_SHARD_DISCOVERY_INTERVAL_MS);
        this.efoSilenceTimeout = values.millis(REPLICATION_EFO_SILENCE_TIMEOUT_MS);
        this.maxBatchRecords = values.integer(REPLICATION_MAX_BATCH_RECORDS);
        this.maxInFlightBatches = values.integer(REPLICATION_MAX_IN_FLIGHT_BATCHES);
        this.sinkRequestTimeout = values.millis(REPLICATION_SINK_REQUEST_TIMEOUT_MS);
        this.checkpointTimeout = values.millis(REPLICATION_CHECKPOINT_TIMEOUT_MS);
        this.tolerableCheckpointFailures = values.integer(REPLICATION_TOLERABLE_CHECKPOINT_FAILURES);
        this.maxBufferedPerKey = values.integer(REPLICATION_MAX_BUFFERED_PER_KEY);
    }

    public String consumerName() {
        return consumerName;
    }

    public ConsumerLifecycle consumerLifecycle() {
        return consumerLifecycle;
    }

    /** Present exactly when the lifecycle is SELF_MANAGED; always a consumer of the primary stream. */
    public Optional<String> consumerArn() {
        return consumerArn;
    }

    public ReaderType reader() {
        return reader;
    }

    public StartingPosition startingPosition() {
        return startingPosition;
    }

    public Duration checkpointInterval() {
        return checkpointInterval;
    }

    public Duration shardDiscoveryInterval() {
        return shardDiscoveryInterval;
    }

    public Duration efoSilenceTimeout() {
        return efoSilenceTimeout;
    }

    public int maxBatchRecords() {
        return maxBatchRecords;
    }

    public int maxInFlightBatches() {
        return maxInFlightBatches;
    }

    public Duration checkpointTimeout() {
        return checkpointTimeout;
    }

    public int tolerableCheckpointFailures() {
        return tolerableCheckpointFailures;
    }

    /** Unacknowledged records of one partition key per sink writer before the reader is back-pressured. */
    public int maxBufferedPerKey() {
        return maxBufferedPerKey;
    }

    /** The whole life of one PutRecords call of the sink (a single attempt). */
    public Duration sinkRequestTimeout() {
        return sinkRequestTimeout;
    }

    /** The longest a replicated record can land after the control record fenced its direction. */
    public Duration longestWriteAfterFence() {
        return FENCE_LEASE.plus(sinkRequestTimeout);
    }
}
