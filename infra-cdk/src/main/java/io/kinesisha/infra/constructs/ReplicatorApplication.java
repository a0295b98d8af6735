package io.kinesisha.infra.constructs;

import io.kinesisha.common.config.ConfigKey;
import io.kinesisha.common.config.ConfigLoader;
import io.kinesisha.infra.DeploymentSettings;
import io.kinesisha.infra.Names;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import software.amazon.awscdk.Acknowledgment;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.Validations;
import software.amazon.awscdk.services.iam.Effect;
import software.amazon.awscdk.services.iam.PolicyDocument;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.iam.ServicePrincipal;
import software.amazon.awscdk.services.iam.ServicePrincipalOpts;
import software.amazon.awscdk.services.kinesisanalyticsv2.CfnApplication;
import software.amazon.awscdk.services.kinesisanalyticsv2.CfnApplicationCloudWatchLoggingOption;
import software.amazon.awscdk.services.logs.LogGroup;
import software.amazon.awscdk.services.logs.LogStream;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.amazon.awscdk.services.s3.assets.Asset;
import software.constructs.Construct;

/**
 * The replicator job on Managed Service for Apache Flink (L1: the L2 is not published for this CDK version). It runs
 * in the region it writes to and reads the other region across the network ("pull"), so an outage of the source
 * region stops only the flow, never the job's home; the reverse application (failback) is the mirror image.
 * CloudFormation creates applications in the READY state: nothing replicates until the runbook or the controller
 * starts it, which is what the reverse application needs.
 */
public final class ReplicatorApplication extends Construct {
    /** Property group the job reads its {@code ConfigKey} settings from (the job ignores every other group). */
    public static final String PROPERTY_GROUP = ConfigLoader.FLINK_PROPERTY_GROUP;
    /**
     * Property group that marks the reverse application: Managed Flink passes no program arguments, so the job reads
     * {@code reverse=true} from this group instead of its {@code --reverse} switch.
     */
    public static final String JOB_PROPERTY_GROUP = io.kinesisha.common.config.ConfigLoader.FLINK_JOB_PROPERTY_GROUP;
    /** Minimum time between two checkpoints: half the default interval keeps the job from checkpointing back to back. */
    static final int MIN_PAUSE_BETWEEN_CHECKPOINTS_MS = 5000;

    static final String LOG_STREAM = "replicator";

    /** Which way the application copies. */
    public enum Direction {
        FORWARD,
        REVERSE
    }

    private final CfnApplication application;
    private final Role role;
    private final String applicationName;

    /**
     * @param target the stream in this region (the application writes to it)
     * @param sourceConsumerArn for FORWARD the stack-owned consumer on the primary stream; ignored for REVERSE (the
     *                          job registers its own consumer on the secondary stream)
     * @param properties the pair configuration for this region ({@link DeploymentSettings#pairProperties})
     */
    public ReplicatorApplication(
            Construct scope,
            String id,
            DeploymentSettings settings,
            Direction direction,
            StreamsConstruct target,
            String sourceConsumerArn,
            Map<String, String> properties) {
        super(scope, id);
        String region = Stack.of(this).getRegion();
        String sourceRegion = settings.peerOf(region);
        applicationName = direction == Direction.FORWARD
                ? Names.forwardApplication(settings)
                : Names.reverseApplication(settings);
        ReplicatorSizing sizing = ReplicatorSizing.of(settings);

        Asset jar = Asset.Builder.create(this, "JobJar")
                .path(settings.replicatorJar().toString())
                .build();
        String logGroupName = "/aws/kinesis-analytics/" + applicationName;
        LogGroup logGroup = LogGroup.Builder.create(this, "Logs")
                .logGroupName(logGroupName)
                .retention(RetentionDays.ONE_MONTH)
                .removalPolicy(RemovalPolicy.DESTROY)
                .build();
        LogStream logStream = LogStream.Builder.create(this, "LogStream")
                .logGroup(logGroup)
                .logStreamName(LOG_STREAM)
                .removalPolicy(RemovalPolicy.DESTROY)
                .build();

        String sourceStreamArn = Names.streamArn(settings, sourceRegion);
        List<PolicyStatement> statements = new ArrayList<>();
        statements.add(allow(
                "ReadJobJar",
                List.of("s3:GetObject"),
                List.of(jar.getBucket().getBucketArn() + "/" + jar.getS3ObjectKey())));
        String logGroupArn = Names.logGroupArn(settings, region, logGroupName);
        statements.add(allow(
                "FindLogGroups", List.of("logs:DescribeLogGroups"), List.of(Names.logGroupArn(settings, region, "*"))));
        statements.add(
                allow("FindLogStream", List.of("logs:DescribeLogStreams"), List.of(logGroupArn + ":log-stream:*")));
        statements.add(
                allow("WriteLogs", List.of("logs:PutLogEvents"), List.of(logGroupArn + ":log-stream:" + LOG_STREAM)));
        statements.add(allow(
                "ReadSourceStream",
                List.of("kinesis:ListShards", "kinesis:GetShardIterator", "kinesis:GetRecords"),
                List.of(sourceStreamArn)));
        // the maximum record size of each stream: the sink writes records up to the target's and names both when
        // a record is too large
        statements.add(allow(
                "DescribeStreams",
                List.of("kinesis:DescribeStreamSummary"),
                List.of(sourceStreamArn, target.stream().getStreamArn())));
        if (direction == Direction.FORWARD) {
            statements.add(allow(
                    "ReadSourceWithFanOut",
                    List.of("kinesis:DescribeStreamConsumer", "kinesis:SubscribeToShard"),
                    List.of(sourceConsumerArn)));
        } else {
            statements.add(
                    allow("RegisterOwnConsumer", List.of("kinesis:RegisterStreamConsumer"), List.of(sourceStreamArn)));
            statements.add(allow(
                    "ReadSourceWithFanOut",
                    List.of("kinesis:DescribeStreamConsumer", "kinesis:SubscribeToShard"),
                    List.of(Names.consumerArnPattern(settings, sourceRegion))));
        }
        statements.add(PolicyStatement.Builder.create()
                .sid("DecryptSourceStream")
                .effect(Effect.ALLOW)
                .actions(List.of("kms:Decrypt"))
                .resources(List.of(Names.anyKeyArn(settings, sourceRegion)))
                .conditions(Map.of(
                        "StringEquals", Map.of("kms:ViaService", "kinesis." + sourceRegion + ".amazonaws.com"),
                        "ForAnyValue:StringEquals", Map.of("kms:ResourceAliases", Names.streamKeyAlias(settings))))
                .build());
        // the sink writes with PutRecords only
        statements.add(allow(
                "WriteTargetStream",
                List.of("kinesis:ListShards", "kinesis:PutRecords"),
                List.of(target.stream().getStreamArn())));
        statements.add(allow(
                "EncryptTargetStream",
                List.of("kms:GenerateDataKey"),
                List.of(target.key().getKeyArn())));
        // fence, lease and progress read, put (conditionally) and query; nothing updates, deletes or uses transactions
        statements.add(allow(
                "ControlStore",
                List.of("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query"),
                List.of(Names.tableArn(settings, region))));

        role = Role.Builder.create(this, "Role")
                .assumedBy(trustedService(settings, region, applicationName))
                .description("kinesis-ha " + applicationName + ": read " + sourceRegion + ", write " + region)
                .inlinePolicies(Map.of(
                        "replicator",
                        PolicyDocument.Builder.create().statements(statements).build()))
                .build();
        Validations.of(role)
                .acknowledge(Acknowledgment.builder()
                        .id("AwsSolutions-IAM5[Resource::" + Names.logGroupArn(settings, region, "*") + "]")
                        .reason(
                                "Managed Flink checks its logging option with logs:DescribeLogGroups, which is authorized on"
                                        + " the account's log groups of the region (log-group:*), not on one group; it returns log group"
                                        + " metadata, never log events.")
                        .build());
        Validations.of(role)
                .acknowledge(Acknowledgment.builder()
                        .id("AwsSolutions-IAM5[Resource::" + logGroupArn + ":log-stream:*]")
                        .reason(
                                "Managed Flink looks its log stream up with logs:DescribeLogStreams, which is authorized on the"
                                        + " log streams of its own log group; PutLogEvents is limited to the one stream.")
                        .build());
        Validations.of(role)
                .acknowledge(Acknowledgment.builder()
                        .id("AwsSolutions-IAM5[Resource::" + Names.anyKeyArn(settings, sourceRegion) + "]")
                        .reason(
                                "The source stream's key lives in the other region and its id is unknown here; the statement is"
                                        + " narrowed to that key by its alias (kms:ResourceAliases) and to use through Kinesis (kms:ViaService).")
                        .build());
        if (direction == Direction.REVERSE) {
            Validations.of(role)
                    .acknowledge(Acknowledgment.builder()
                            .id("AwsSolutions-IAM5[Resource::" + Names.consumerArnPattern(settings, sourceRegion) + "]")
                            .reason(
                                    "The reverse job registers its consumer when it starts; a consumer ARN ends in its creation"
                                            + " time, so only the consumer's name can be fixed.")
                            .build());
        }

        application = CfnApplication.Builder.create(this, "Application")
                .applicationName(applicationName)
                .applicationDescription("kinesis-ha " + settings.pairName() + ": "
                        + direction.name().toLowerCase() + " replication " + sourceRegion + " -> " + region)
                .runtimeEnvironment("FLINK-1_20")
                .serviceExecutionRole(role.getRoleArn())
                .applicationConfiguration(CfnApplication.ApplicationConfigurationProperty.builder()
                        .applicationCodeConfiguration(CfnApplication.ApplicationCodeConfigurationProperty.builder()
                                .codeContentType("ZIPFILE")
                                .codeContent(CfnApplication.CodeContentProperty.builder()
                                        .s3ContentLocation(CfnApplication.S3ContentLocationProperty.builder()
                                                .bucketArn(jar.getBucket().getBucketArn())
                                                .fileKey(jar.getS3ObjectKey())
                                                .build())
                                        .build())
                                .build())
                        .environmentProperties(CfnApplication.EnvironmentPropertiesProperty.builder()
                                .propertyGroups(propertyGroups(direction, properties))
                                .build())
                        .flinkApplicationConfiguration(CfnApplication.FlinkApplicationConfigurationProperty.builder()
                                .checkpointConfiguration(CfnApplication.CheckpointConfigurationProperty.builder()
                                        .configurationType("CUSTOM")
                                        .checkpointingEnabled(true)
                                        .checkpointInterval(Long.parseLong(
                                                properties.get(ConfigKey.REPLICATION_CHECKPOINT_INTERVAL_MS.key())))
                                        .minPauseBetweenCheckpoints(MIN_PAUSE_BETWEEN_CHECKPOINTS_MS)
                                        .build())
                                .parallelismConfiguration(CfnApplication.ParallelismConfigurationProperty.builder()
                                        .configurationType("CUSTOM")
                                        .parallelism(sizing.parallelism())
                                        .parallelismPerKpu(sizing.parallelismPerKpu())
                                        .autoScalingEnabled(settings.autoScaling())
                                        .build())
                                .monitoringConfiguration(CfnApplication.MonitoringConfigurationProperty.builder()
                                        .configurationType("CUSTOM")
                                        .logLevel("INFO")
                                        .metricsLevel("APPLICATION")
                                        .build())
                                .build())
                        .applicationSnapshotConfiguration(
                                CfnApplication.ApplicationSnapshotConfigurationProperty.builder()
                                        .snapshotsEnabled(true)
                                        .build())
                        .build())
                .build();
        application.getNode().addDependency(role);

        CfnApplicationCloudWatchLoggingOption.Builder.create(this, "Logging")
                .applicationName(applicationName)
                .cloudWatchLoggingOption(CfnApplicationCloudWatchLoggingOption.CloudWatchLoggingOptionProperty.builder()
                        .logStreamArn(logGroupArn + ":log-stream:" + LOG_STREAM)
                        .build())
                .build()
                .getNode()
                .addDependency(application, logStream);
    }

    private static List<CfnApplication.PropertyGroupProperty> propertyGroups(
            Direction direction, Map<String, String> properties) {
        List<CfnApplication.PropertyGroupProperty> groups = new ArrayList<>();
        groups.add(CfnApplication.PropertyGroupProperty.builder()
                .propertyGroupId(PROPERTY_GROUP)
                .propertyMap(properties)
                .build());
        if (direction == Direction.REVERSE) {
            groups.add(CfnApplication.PropertyGroupProperty.builder()
                    .propertyGroupId(JOB_PROPERTY_GROUP)
                    .propertyMap(Map.of(io.kinesisha.common.config.ConfigLoader.JOB_REVERSE, "true"))
                    .build());
        }
        return groups;
    }

    /**
     * Managed Flink may assume the role only for this application of this account (confused-deputy protection): a
     * role name guessed by another account's application is useless to it.
     */
    static ServicePrincipal trustedService(DeploymentSettings settings, String region, String application) {
        return new ServicePrincipal(
                "kinesisanalytics.amazonaws.com",
                ServicePrincipalOpts.builder()
                        .conditions(Map.of(
                                "StringEquals", Map.of("aws:SourceAccount", settings.account()),
                                "ArnEquals",
                                        Map.of("aws:SourceArn", Names.applicationArn(settings, region, application))))
                        .build());
    }

    static PolicyStatement allow(String sid, List<String> actions, List<String> resources) {
        return PolicyStatement.Builder.create()
                .sid(sid)
                .effect(Effect.ALLOW)
                .actions(actions)
                .resources(resources)
                .build();
    }

    public String applicationName() {
        return applicationName;
    }

    public CfnApplication application() {
        return application;
    }

    public Role role() {
        return role;
    }
}
