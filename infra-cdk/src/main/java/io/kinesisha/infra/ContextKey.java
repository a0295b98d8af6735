package io.kinesisha.infra;

import io.kinesisha.common.sizing.ReplicatorCapacity;
import java.util.Optional;

/**
 * The deployment choices the app reads from CDK context ({@code cdk.json} or {@code -c key=value}). Settings of the
 * replication pair itself are not repeated here: any {@link io.kinesisha.common.config.ConfigKey} key may be given as
 * context under its own dotted name (see {@link DeploymentSettings#OWNED_BY_APP} for the few the app sets itself).
 */
public enum ContextKey {
    ACCOUNT("account", null, "AWS account of both regions (falls back to CDK_DEFAULT_ACCOUNT); required"),
    PAIR("pair", "orders", "name of the replication pair; prefixes every resource name (at most 40 characters)"),
    PRIMARY_REGION("primaryRegion", "us-west-2", "region producers write to in normal operation"),
    SECONDARY_REGION(
            "secondaryRegion",
            "us-east-2",
            "standby region; runs the forward replicator and the scheduled evaluations"),
    WITNESS_REGION(
            "witnessRegion",
            "us-east-1",
            "third region of the control table's strong consistency (a witness, no replica); same region set as the other two"),
    STREAM_NAME("streamName", null, "name of the stream in both regions (default: the pair name)"),
    SHARDS("shards", "2", "shard count of each stream (1-10000), or on-demand"),
    RETENTION_HOURS(
            "retentionHours",
            "168",
            "stream retention in hours (24-8760); the standby must hold at least the failback window"),
    REPLICATOR_JAR(
            "replicatorJar",
            "../replicator/target/kinesis-ha-replicator-0.1.0-SNAPSHOT-flink-job.jar",
            "the replicator's shaded job jar"),
    CONTROLLER_JAR(
            "controllerJar",
            "../failover-controller/target/kinesis-ha-failover-controller-0.1.0-SNAPSHOT-lambda.jar",
            "the failover controller's Lambda jar"),
    CONTROLLER_RUNTIME("controllerRuntime", "java21", "Lambda runtime of the controller: java17 or java21"),
    MB_PER_SECOND_PER_CORE(
            "replicatorMbPerSecondPerCore",
            String.valueOf(ReplicatorCapacity.MEASURED_MB_PER_SECOND_PER_CORE),
            "replication throughput one Flink core sustains (MB/s); default: the floor ReplicatorBenchmark measured, as ./kinesis-ha size uses"),
    EXPECTED_MB_PER_SECOND(
            "expectedWriteMbPerSecond",
            null,
            "peak write rate of the primary stream in MB/s (default: 1 MB/s per shard, or 4 for on-demand)"),
    CATCH_UP_FACTOR(
            "replicatorCatchUpFactor",
            String.valueOf(ReplicatorCapacity.DEFAULT_CATCH_UP_FACTOR),
            "capacity over the peak write rate, so a replicator that fell behind catches up (1-10)"),
    AUTO_SCALING("replicatorAutoScaling", "true", "let Managed Flink raise parallelism under load (true/false)"),
    PRODUCER_FUNCTIONS(
            "producerFunctions", "", "comma-separated Lambda function names the controller redirects or pauses"),
    CONSUMER_FUNCTIONS(
            "consumerFunctions",
            "",
            "comma-separated Lambda function names whose event source mappings the controller moves"),
    NOTIFICATION_EMAILS(
            "notificationEmails",
            "",
            "comma-separated e-mail addresses subscribed to each region's operator topic (alarms, failovers, failed controller rounds)");

    private final String key;
    private final String defaultValue;
    private final String description;

    ContextKey(String key, String defaultValue, String description) {
        this.key = key;
        this.defaultValue = defaultValue;
        this.description = description;
    }

    /** The context key, as in {@code -c key=value}. */
    public String key() {
        return key;
    }

    public Optional<String> defaultValue() {
        return Optional.ofNullable(defaultValue);
    }

    public String description() {
        return description;
    }
}
