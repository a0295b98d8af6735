package io.kinesisha.controller.operations;

import io.kinesisha.common.aws.AwsClientFactory;
import io.kinesisha.common.aws.AwsTarget;
import io.kinesisha.common.aws.AwsTargets;
import io.kinesisha.common.config.ConfigKey;
import io.kinesisha.common.config.RegionConfig;
import io.kinesisha.common.config.ReplicationPairConfig;
import io.kinesisha.common.control.ControlStore;
import io.kinesisha.common.control.DeliveryLog;
import io.kinesisha.common.control.ReplicationLedger;
import io.kinesisha.controller.statemachine.PairControl;
import io.kinesisha.controller.statemachine.StateMachine;
import io.kinesisha.controller.time.ControllerTime;
import java.net.URI;
import java.time.Clock;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.services.cloudwatch.CloudWatchClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesisanalyticsv2.KinesisAnalyticsV2Client;
import software.amazon.awssdk.services.lambda.LambdaClient;

/**
 * Everything an operation touches for one pair, opened once per controller run: the control store, Kinesis in
 * both regions, Lambda where functions are configured. Clients are made on first use, so a region that is down
 * costs nothing until a step needs it.
 */
public final class PairContext implements AutoCloseable {
    private final ReplicationPairConfig config;
    private final ControllerTime time;
    private final AwsClientFactory clients;
    private final DynamoDbClient dynamo;
    private final ControlStore store;
    private final ReplicationLedger ledger;
    private final DeliveryLog deliveries;
    private final PairControl control;
    private final URI lambdaEndpoint;
    private final Map<String, KinesisClient> kinesis = new HashMap<>();
    private final Map<String, LambdaClient> lambda = new HashMap<>();
    private final Map<String, KinesisAnalyticsV2Client> flink = new HashMap<>();
    private final Map<String, CloudWatchClient> cloudWatch = new HashMap<>();
    private final Map<String, DynamoDbClient> regionalDynamo = new HashMap<>();

    private PairContext(ReplicationPairConfig config, String actor, ControllerTime time, URI lambdaEndpoint) {
        this.config = config;
        this.time = time;
        this.clients = new AwsClientFactory(AwsTargets.tuning(config));
        this.dynamo = clients.dynamoDb(AwsTargets.controlStore(config));
        this.store = new ControlStore(dynamo, config.control().tableName());
        this.ledger = new ReplicationLedger(dynamo, config.control().tableName());
        this.deliveries = new DeliveryLog(dynamo, config.control().tableName());
        this.control = new PairControl(
                store, new StateMachine(), time, actor, config.failback().runnerLease());
        this.lambdaEndpoint = lambdaEndpoint;
    }

    /** {@code actor} names this controller in the audit trail, e.g. {@code cli:alice} or {@code lambda:us-east-2}. */
    public static PairContext open(ReplicationPairConfig config, String actor, Clock clock) {
        return open(config, actor, ControllerTime.of(clock));
    }

    /** As above; every wait of this controller reads {@code time}'s clock and sleeps through its sleeper. */
    public static PairContext open(ReplicationPairConfig config, String actor, ControllerTime time) {
        return new PairContext(config, actor, time, null);
    }

    /** As {@link #open}, with every Lambda call sent to {@code lambdaEndpoint} (tests). */
    public static PairContext open(ReplicationPairConfig config, String actor, Clock clock, URI lambdaEndpoint) {
        return open(config, actor, ControllerTime.of(clock), lambdaEndpoint);
    }

    public static PairContext open(
            ReplicationPairConfig config, String actor, ControllerTime time, URI lambdaEndpoint) {
        return new PairContext(config, actor, time, lambdaEndpoint);
    }

    public ReplicationPairConfig config() {
        return config;
    }

    public String pair() {
        return config.pairName();
    }

    /** The clock of {@link #time()}. */
    public Clock clock() {
        return time.clock();
    }

    /** The clock and sleeper every wait of this controller uses. */
    public ControllerTime time() {
        return time;
    }

    public ControlStore store() {
        return store;
    }

    /** Cuts and the orphan republish ledger. */
    public ReplicationLedger ledger() {
        return ledger;
    }

    /** The events already acted on (duplicate alarm deliveries act once). */
    public DeliveryLog deliveries() {
        return deliveries;
    }

    public PairControl control() {
        return control;
    }

    public String primaryRegion() {
        return config.primary().region();
    }

    public String secondaryRegion() {
        return config.secondary().region();
    }

    /** The other region of the pair. */
    public String other(String region) {
        return region.equals(primaryRegion()) ? secondaryRegion() : primaryRegion();
    }

    public RegionConfig side(String region) {
        if (region.equals(primaryRegion())) {
            return config.primary();
        }
        if (region.equals(secondaryRegion())) {
            return config.secondary();
        }
        throw new IllegalArgumentException("region " + region + " is not part of pair " + pair());
    }

    public String streamArn(String region) {
        return side(region).streamArn().toString();
    }

    public synchronized KinesisClient kinesis(String region) {
        return kinesis.computeIfAbsent(region, r -> clients.kinesis(AwsTargets.kinesis(config, side(r))));
    }

    public synchronized LambdaClient lambda(String region) {
        return lambda.computeIfAbsent(region, r -> {
            AwsTarget target = AwsTargets.kinesis(config, side(r)).withEndpoint(lambdaEndpoint);
            return clients.configure(LambdaClient.builder(), target)
                    .httpClientBuilder(ApacheHttpClient.builder())
                    .build();
        });
    }

    /** Managed Flink in {@code region} (the replicator applications); same endpoint override as Lambda in tests. */
    public synchronized KinesisAnalyticsV2Client flink(String region) {
        return flink.computeIfAbsent(region, r -> {
            AwsTarget target = AwsTargets.kinesis(config, side(r)).withEndpoint(lambdaEndpoint);
            return clients.configure(KinesisAnalyticsV2Client.builder(), target)
                    .httpClientBuilder(ApacheHttpClient.builder())
                    .build();
        });
    }

    /** CloudWatch in {@code region} (consumer functions' metrics); same endpoint override as Lambda in tests. */
    public synchronized CloudWatchClient cloudWatch(String region) {
        return cloudWatch.computeIfAbsent(region, r -> {
            AwsTarget target = AwsTargets.kinesis(config, side(r)).withEndpoint(lambdaEndpoint);
            return clients.configure(CloudWatchClient.builder(), target)
                    .httpClientBuilder(ApacheHttpClient.builder())
                    .build();
        });
    }

    /** DynamoDB in {@code region} (KCL lease tables); the control store's endpoint override applies (local runs). */
    public synchronized DynamoDbClient dynamo(String region) {
        return regionalDynamo.computeIfAbsent(
                region, r -> clients.dynamoDb(AwsTargets.controlStore(config).withRegion(r)));
    }

    /** The Managed Flink application replicating {@code direction}, when the pair names both applications. */
    public java.util.Optional<String> replicatorApplication(
            io.kinesisha.common.control.ReplicationDirection direction) {
        java.util.Optional<String> forward = config.value(ConfigKey.REPLICATION_FORWARD_APPLICATION);
        java.util.Optional<String> reverse = config.value(ConfigKey.REPLICATION_REVERSE_APPLICATION);
        if (forward.isEmpty() || reverse.isEmpty()) {
            return java.util.Optional.empty();
        }
        return direction.sourceRegion().equals(primaryRegion()) ? forward : reverse;
    }

    /** Producer function ARNs from {@code producers.lambda-functions}; empty: producers follow the resolver only. */
    public List<String> producerFunctions() {
        return list(ConfigKey.PRODUCERS_LAMBDA_FUNCTIONS);
    }

    /** Consumer function names from {@code consumers.lambda-functions}. */
    public List<String> consumerFunctions() {
        return list(ConfigKey.CONSUMERS_LAMBDA_FUNCTIONS);
    }

    /** The region in a Lambda function ARN ({@code arn:aws:lambda:REGION:ACCOUNT:function:NAME}). */
    public static String regionOf(String functionArn) {
        return functionArn.split(":")[3];
    }

    private List<String> list(ConfigKey key) {
        return config.value(key).map(v -> Arrays.asList(v.split(","))).orElse(List.of());
    }

    @Override
    public synchronized void close() {
        kinesis.values().forEach(KinesisClient::close);
        lambda.values().forEach(LambdaClient::close);
        cloudWatch.values().forEach(CloudWatchClient::close);
        flink.values().forEach(KinesisAnalyticsV2Client::close);
        regionalDynamo.values().forEach(DynamoDbClient::close);
        dynamo.close();
        clients.close();
    }
}
