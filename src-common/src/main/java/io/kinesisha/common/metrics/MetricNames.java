package io.kinesisha.common.metrics;

/**
 * The names of the metrics kinesis-ha publishes, in one place: the replicator registers them in Flink (they reach
 * CloudWatch on Managed Flink), the controller and the CDK app's alarms and dashboards read them.
 */
public final class MetricNames {
    /**
     * Managed Service for Apache Flink exports custom metrics to CloudWatch (namespace AWS/KinesisAnalytics) only
     * from this metric group: the replicator registers its replication metrics inside it.
     */
    public static final String MANAGED_FLINK_GROUP = "kinesisanalytics";

    // replication, published by the sink's progress listener
    /** Gauge: age of the oldest record not yet in the target, or MillisBehindLatest when none is pending (ms). */
    public static final String REPLICATION_LAG = "replicationLagMillis";
    /** Gauge: records this writer has seen acknowledged by the target. */
    public static final String RECORDS_REPLICATED = "recordsReplicated";
    /** Gauge: progress snapshots that could not be written to the control store. */
    public static final String PROGRESS_FAILURES = "progressPublishFailures";
    /** Counter: re-read records at or below the position the control store already recorded (certain duplicates). */
    public static final String DUPLICATES_AFTER_RESTORE = "duplicatesAfterRestore";

    // KPL aggregates, counted by the replicator's element converter (in the Managed Flink group)
    /** Counter: source records recognised as KPL aggregates and written as their user records. */
    public static final String KPL_AGGREGATES = "kplAggregates";
    /** Counter: user records taken out of KPL aggregates (each one a record in the target). */
    public static final String KPL_USER_RECORDS = "kplUserRecords";
    /**
     * Counter: records that start with the KPL magic but fail its MD5, parsing or key checks; copied byte-identical
     * as plain records (what KCL does with them too).
     */
    public static final String KPL_INVALID_AGGREGATES = "kplInvalidAggregates";

    // source
    /** Gauge: MillisBehindLatest, max over this subtask's shards. */
    public static final String MILLIS_BEHIND_LATEST = "millisBehindLatest";
    /** Counter: bytes of record data read. */
    public static final String BYTES_READ = "kinesisBytesRead";
    /** Counter: shards read to their end. */
    public static final String SHARDS_FINISHED = "shardsFinished";
    /** Counter: shards finished because Kinesis no longer has them (past retention); what they held after the last read position is lost. */
    public static final String SHARDS_EXPIRED = "shardsExpired";
    /** Counter: EFO subscriptions cancelled and renewed because they delivered no event for the silence timeout (a dead connection the SDK never reported). */
    public static final String SUBSCRIPTIONS_RENEWED_SILENT = "subscriptionsRenewedSilent";
    /** Counter (enumerator): failed attempts to register, find or validate the EFO consumer; retried every discovery interval. */
    public static final String CONSUMER_REGISTRATION_FAILURES = "consumerRegistrationFailures";
    /** Gauge (enumerator): 1 while the enumerator holds a usable EFO consumer, 0 while it has none (readers cannot subscribe). */
    public static final String CONSUMER_REGISTERED = "consumerRegistered";
    /** Gauge (enumerator): shards discovered and waiting for their parents to be finished durably. */
    public static final String SHARDS_WAITING_FOR_PARENTS = "shardsWaitingForParents";

    // sink
    /** Counter: entries acknowledged by Kinesis. */
    public static final String RECORDS_OUT = "kinesisRecordsOut";
    /** Counter: bytes (data plus partition key) acknowledged by Kinesis. */
    public static final String BYTES_OUT = "kinesisBytesOut";
    /** Counter: entries sent again after a retryable failure (entry error or failed request). */
    public static final String RETRIES = "kinesisRetries";
    /** Counter: entries that came back throttled (ProvisionedThroughputExceeded or a throttled request). */
    public static final String THROTTLED = "kinesisThrottledEntries";
    /** Counter: entries that failed with a non-retryable error (the job fails). */
    public static final String FAILED = "kinesisFailedEntries";
    /** Counter: PutRecords requests sent. */
    public static final String BATCHES = "kinesisBatches";
    /** Counter: acknowledgements for an entry older than one already acknowledged for its key. Must stay 0. */
    public static final String REORDERS = "kinesisReorders";
    /** Gauge: PutRecords requests in flight. */
    public static final String IN_FLIGHT = "kinesisInFlightBatches";
    /** Gauge: entries accepted and not yet acknowledged (including those in flight). */
    public static final String BUFFERED = "kinesisBufferedRecords";
    /** Gauge: 1 while the write gate does not permit writing, else 0. */
    public static final String FENCED = "kinesisFenced";

    // controller, published to CloudWatch in its own region after every round (the region's dashboard shows them)
    /** CloudWatch namespace of the controller's metrics. */
    public static final String CONTROLLER_NAMESPACE = "KinesisHa";
    /** The one dimension of the controller's metrics: the pair name. */
    public static final String CONTROLLER_PAIR_DIMENSION = "Pair";
    /** Gauge: the pair's state (0 ACTIVE_PRIMARY, 1 FAILING_OVER, 2 ACTIVE_SECONDARY, 3 FAILING_BACK, 4 SWITCHING_OVER). */
    public static final String CONTROLLER_STATE = "ControllerState";
    /** Gauge: orphans of the newest reconciliation in the recent audit trail not yet republished (found, if none were). */
    public static final String ORPHAN_RECORDS = "OrphanRecords";
    /** Gauge (ms): replication lag as the control store's progress rows of the current direction record it. */
    public static final String CONTROLLER_REPLICATION_LAG = "ReplicationLagMillis";
    /** Gauge: the decision of the round's health evaluation (0 none, 1 hold, 2 fail over); absent without one. */
    public static final String LAST_DECISION = "LastDecision";

    private MetricNames() {}
}
