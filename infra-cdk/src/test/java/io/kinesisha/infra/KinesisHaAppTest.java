package io.kinesisha.infra;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.cdklabs.cdknag.AwsSolutionsChecks;
import io.kinesisha.common.config.ConfigKey;
import io.kinesisha.common.config.ConfigLoader;
import io.kinesisha.common.config.ConsumerLifecycle;
import io.kinesisha.common.config.ReplicationPairConfig;
import io.kinesisha.common.metrics.MetricNames;
import io.kinesisha.infra.constructs.ControlTable;
import io.kinesisha.infra.constructs.ControllerFunction;
import io.kinesisha.infra.constructs.HealthAlarms;
import io.kinesisha.infra.constructs.ReplicatorApplication;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awscdk.App;
import software.amazon.awscdk.PolicyValidationPluginReport;
import software.amazon.awscdk.Validations;
import software.amazon.awscdk.assertions.Template;
import software.constructs.IConstruct;
import software.constructs.MetadataEntry;

/**
 * One synthesis of the whole app (three stacks), then assertions on the templates: what is deployed where, with which
 * configuration and permissions, and that cdk-nag has nothing left unacknowledged.
 */
class KinesisHaAppTest {
    static final String ACCOUNT = "111111111111";
    static final String PRIMARY = "us-west-2";
    static final String SECONDARY = "us-east-2";
    static final String PRIMARY_STREAM = "arn:aws:kinesis:us-west-2:111111111111:stream/orders";
    static final String SECONDARY_STREAM = "arn:aws:kinesis:us-east-2:111111111111:stream/orders";

    @TempDir
    static Path dir;

    static App app;
    static KinesisHaApp.Stacks stacks;
    static Template control;
    static Template primary;
    static Template secondary;

    @BeforeAll
    static void synthesize() throws IOException {
        Map<String, Object> context = new HashMap<>();
        context.put("account", ACCOUNT);
        context.put("replicatorJar", TestJars.create(dir, "replicator.jar").toString());
        context.put("controllerJar", TestJars.create(dir, "controller.jar").toString());
        context.put("producerFunctions", "orders-producer");
        context.put("consumerFunctions", "orders-consumer");
        context.put("notificationEmails", "oncall@example.com");
        app = KinesisHaApp.newApp(context);
        stacks = KinesisHaApp.build(
                app, DeploymentSettings.fromContext(key -> app.getNode().tryGetContext(key), null, dir));
        control = Template.fromStack(stacks.control());
        primary = Template.fromStack(stacks.primary());
        secondary = Template.fromStack(stacks.secondary());
    }

    // ---- cdk-nag and IAM hygiene ----

    @Test
    void cdkNagAwsSolutionsHasNoUnacknowledgedFinding() {
        PolicyValidationPluginReport report = new AwsSolutionsChecks().validateScope(app);
        assertThat(report.getViolations().stream()
                        .map(v -> v.getRuleName() + " "
                                + v.getViolatingResources().stream()
                                        .map(r -> r.getConstructPath())
                                        .toList())
                        .toList())
                .isEmpty();
        assertThat(report.getSuccess()).isTrue();
    }

    @Test
    void everyAcknowledgementIsSpecificAndGivesAReason() {
        Map<String, String> acknowledged = acknowledgements();
        List<String> rules = acknowledged.keySet().stream()
                .map(k -> k.replaceAll("^.*? ", "").replaceAll("\\[.*", ""))
                .distinct()
                .sorted()
                .toList();
        assertThat(rules).containsExactly("AwsSolutions-IAM5", "AwsSolutions-KDS3", "AwsSolutions-L1");
        acknowledged.forEach((id, reason) -> assertThat(reason).as(id).hasSizeGreaterThan(60));
        assertThat(acknowledged.keySet())
                .noneMatch(id -> id.endsWith("AwsSolutions-IAM5"))
                .as("IAM5 is acknowledged per finding, never as a whole rule");
    }

    @Test
    void noPolicyAnywhereUsesAWildcardAction() {
        for (Template t : List.of(control, primary, secondary)) {
            List<String> actions = new ArrayList<>();
            collectActions(t.toJSON(), actions);
            assertThat(actions).noneMatch(a -> a.contains("*"));
            assertThat(actions).as("the check sees the policies").hasSizeGreaterThan(t == control ? -1 : 20);
        }
    }

    // ---- streams ----

    @Test
    void bothRegionsHaveAnEncryptedStreamOnlyThePrimaryTheReplicatorConsumer() {
        for (Template t : List.of(primary, secondary)) {
            Map<String, Object> stream = onlyResource(t, "AWS::Kinesis::Stream");
            assertThat(stream)
                    .containsEntry("Name", "orders")
                    .containsEntry("ShardCount", 2)
                    .containsEntry("RetentionPeriodHours", 168);
            assertThat(map(stream.get("StreamEncryption"))).containsEntry("EncryptionType", "KMS");
            assertThat(onlyResource(t, "AWS::KMS::Key", "Streams")).containsEntry("EnableKeyRotation", true);
        }
        assertThat(onlyResource(primary, "AWS::Kinesis::StreamConsumer"))
                .containsEntry(
                        "ConsumerName",
                        ConfigKey.REPLICATION_CONSUMER_NAME.defaultValue().orElseThrow());
        secondary.resourceCountIs("AWS::Kinesis::StreamConsumer", 0);
    }

    // ---- the replicator ----

    @Test
    void forwardReplicatorRunsInTheSecondaryWithTheJobConfigUnderConfigKeyNames() {
        Map<String, Object> app = onlyResource(secondary, "AWS::KinesisAnalyticsV2::Application");
        assertThat(app)
                .containsEntry("ApplicationName", "kinesis-ha-orders-forward")
                .containsEntry("RuntimeEnvironment", "FLINK-1_20");
        Map<String, Object> props = jobProperties(app);
        assertThat(props.keySet())
                .allMatch(k -> ConfigKey.fromKey(k).isPresent(), "a ConfigKey key")
                .containsAll(Arrays.stream(ConfigKey.values())
                        .filter(ConfigKey::isRequired)
                        .map(ConfigKey::key)
                        .toList());
        assertThat(props)
                .containsEntry(ConfigKey.PRIMARY_STREAM_ARN.key(), PRIMARY_STREAM)
                .containsEntry(ConfigKey.SECONDARY_STREAM_ARN.key(), SECONDARY_STREAM)
                .containsEntry(
                        ConfigKey.REPLICATION_CONSUMER_LIFECYCLE.key(), ConsumerLifecycle.SELF_MANAGED.configValue())
                .containsEntry(ConfigKey.CONTROL_REGION.key(), SECONDARY)
                .containsKey(ConfigKey.REPLICATION_CONSUMER_ARN.key());

        // What the job does at startup on Managed Flink: load this group. The consumer ARN is resolved at deploy time.
        Properties group = new Properties();
        props.forEach((k, v) -> group.setProperty(
                k, v instanceof String ? (String) v : PRIMARY_STREAM + "/consumer/kinesis-ha-replicator:1700000000"));
        ReplicationPairConfig loaded =
                ConfigLoader.fromFlinkPropertyGroups(Map.of(ConfigLoader.FLINK_PROPERTY_GROUP, group));
        assertThat(loaded.secondary().region()).isEqualTo(SECONDARY);
        assertThat(loaded.control().region()).isEqualTo(SECONDARY);

        Map<String, Object> flink = map(map(app.get("ApplicationConfiguration")).get("FlinkApplicationConfiguration"));
        assertThat(map(flink.get("CheckpointConfiguration")))
                .containsEntry("CheckpointingEnabled", true)
                .containsEntry("CheckpointInterval", 10000);
        // 2 shards x 1 MB/s x catch-up 2 over the measured 11.6 MB/s per core: one subtask (./kinesis-ha size agrees)
        assertThat(map(flink.get("ParallelismConfiguration")))
                .containsEntry("Parallelism", 1)
                .containsEntry("ParallelismPerKPU", 1)
                .containsEntry("AutoScalingEnabled", true);
        secondary.resourceCountIs("AWS::KinesisAnalyticsV2::ApplicationCloudWatchLoggingOption", 1);
    }

    @Test
    void reverseReplicatorRunsInThePrimaryAndIsMarkedReverse() {
        Map<String, Object> app = onlyResource(primary, "AWS::KinesisAnalyticsV2::Application");
        assertThat(app).containsEntry("ApplicationName", "kinesis-ha-orders-reverse");
        assertThat(jobProperties(app)).containsEntry(ConfigKey.CONTROL_REGION.key(), PRIMARY);
        List<Map<String, Object>> groups = propertyGroups(app);
        assertThat(groups).anySatisfy(g -> {
            assertThat(g).containsEntry("PropertyGroupId", ReplicatorApplication.JOB_PROPERTY_GROUP);
            assertThat(map(g.get("PropertyMap"))).containsEntry("reverse", "true");
        });
    }

    @Test
    void replicatorRoleReadsTheOtherRegionAndWritesItsOwn() {
        Map<String, List<String>> forward = statements(secondary, "Replicator");
        assertThat(forward.get("ReadSourceStream")).containsExactly(PRIMARY_STREAM);
        assertThat(forward.get("ReadSourceWithFanOut")).hasSize(1).noneMatch(r -> r.contains("*"));
        assertThat(forward.get("WriteTargetStream")).hasSize(1);
        // the record size limits of both streams (the target's stream ARN is a token of its own stack)
        assertThat(forward.get("DescribeStreams"))
                .hasSize(2)
                .contains(PRIMARY_STREAM)
                .containsAll(forward.get("WriteTargetStream"));
        assertThat(forward.get("DecryptSourceStream")).containsExactly("arn:aws:kms:us-west-2:111111111111:key/*");
        assertThat(forward.get("ControlStore"))
                .containsExactly("arn:aws:dynamodb:us-east-2:111111111111:table/kinesis-ha-orders-control");
        assertThat(forward).doesNotContainKey("RegisterOwnConsumer");

        Map<String, List<String>> reverse = statements(primary, "Replicator");
        assertThat(reverse.get("ReadSourceStream")).containsExactly(SECONDARY_STREAM);
        assertThat(reverse.get("DescribeStreams"))
                .hasSize(2)
                .contains(SECONDARY_STREAM)
                .containsAll(reverse.get("WriteTargetStream"));
        assertThat(reverse.get("RegisterOwnConsumer")).containsExactly(SECONDARY_STREAM);
        assertThat(reverse.get("ReadSourceWithFanOut"))
                .containsExactly(SECONDARY_STREAM + "/consumer/kinesis-ha-replicator:*");
    }

    // ---- the controller ----

    @Test
    void controllerInEachRegionConfiguredByConfigKeyVariablesReadingItsLocalReplica() {
        for (var entry : Map.of(PRIMARY, primary, SECONDARY, secondary).entrySet()) {
            Map<String, Object> fn = onlyResource(entry.getValue(), "AWS::Lambda::Function", "ControllerFunction");
            assertThat(fn)
                    .containsEntry("FunctionName", "kinesis-ha-orders-controller")
                    .containsEntry("Handler", ControllerFunction.HANDLER)
                    .containsEntry("Runtime", "java21");
            Map<String, Object> env = map(map(fn.get("Environment")).get("Variables"));
            assertThat(env.keySet()).allMatch(v -> ConfigKey.fromEnvVar(v).isPresent(), "a ConfigKey variable");
            assertThat(env)
                    .containsEntry(ConfigKey.CONTROL_REGION.envVar(), entry.getKey())
                    .containsEntry(ConfigKey.PAIR_NAME.envVar(), "orders")
                    .containsEntry(ConfigKey.REPLICATION_FORWARD_APPLICATION.envVar(), "kinesis-ha-orders-forward")
                    .containsEntry(ConfigKey.REPLICATION_REVERSE_APPLICATION.envVar(), "kinesis-ha-orders-reverse");
        }
    }

    @Test
    void bothRegionsRunTheControllerEveryMinuteOneRoundAtATime() {
        for (Template t : List.of(primary, secondary)) {
            Map<String, Object> rule = onlyResource(t, "AWS::Events::Rule");
            assertThat(rule)
                    .containsEntry("ScheduleExpression", "rate(1 minute)")
                    .containsEntry("State", "ENABLED");
            assertThat(rule.get("Targets").toString()).contains("ControllerFunction");
            assertThat(onlyResource(t, "AWS::Lambda::Function", "ControllerFunction"))
                    .containsEntry("ReservedConcurrentExecutions", 1);
        }
    }

    @Test
    void controllerPermissionsAreScopedToThePairsResources() {
        Map<String, List<String>> s = statements(secondary, "Controller");
        assertThat(s.get("ControlStore"))
                .containsExactly("arn:aws:dynamodb:us-east-2:111111111111:table/kinesis-ha-orders-control");
        assertThat(s.get("ProbeStreams")).containsExactly(PRIMARY_STREAM, SECONDARY_STREAM);
        assertThat(s.get("ReadAndRepublish")).containsExactly(PRIMARY_STREAM, SECONDARY_STREAM);
        assertThat(s.get("MoveReplication"))
                .containsExactly(
                        "arn:aws:kinesisanalytics:us-east-2:111111111111:application/kinesis-ha-orders-forward",
                        "arn:aws:kinesisanalytics:us-west-2:111111111111:application/kinesis-ha-orders-reverse");
        assertThat(s.get("MoveProducers"))
                .containsExactly(
                        "arn:aws:lambda:us-west-2:111111111111:function:orders-producer",
                        "arn:aws:lambda:us-east-2:111111111111:function:orders-producer");
        assertThat(s.get("ReadHealthMetrics")).containsExactly("*");
        assertThat(s.get("PublishOwnMetrics")).containsExactly("*");
        Map<String, Object> publish = statement(secondary, "Controller", "PublishOwnMetrics");
        assertThat(publish.get("Action")).isEqualTo("cloudwatch:PutMetricData");
        assertThat(map(map(publish.get("Condition")).get("StringEquals")))
                .containsEntry("cloudwatch:namespace", MetricNames.CONTROLLER_NAMESPACE);
    }

    @Test
    void consumerMappingsCanBeRecreatedAndKclLeaseTablesRewritten() throws IOException {
        Map<String, Object> moveConsumers = statement(secondary, "Controller", "MoveConsumers");
        assertThat(moveConsumers.get("Action").toString())
                .contains(
                        "lambda:CreateEventSourceMapping",
                        "lambda:DeleteEventSourceMapping",
                        "lambda:GetEventSourceMapping");
        assertThat(statements(secondary, "Controller")).doesNotContainKey("TranslateKclLeases");

        Map<String, Object> context = new HashMap<>();
        context.put("account", ACCOUNT);
        context.put("replicatorJar", TestJars.create(dir, "replicator-kcl.jar").toString());
        context.put("controllerJar", TestJars.create(dir, "controller-kcl.jar").toString());
        context.put("consumers.kcl-applications", "billing:us-west-2=billing-leases,us-east-2=billing-leases-east");
        App kclApp = KinesisHaApp.newApp(context);
        Template kclSecondary = Template.fromStack(KinesisHaApp.build(
                        kclApp,
                        DeploymentSettings.fromContext(key -> kclApp.getNode().tryGetContext(key), null, dir))
                .secondary());
        assertThat(statements(kclSecondary, "Controller").get("TranslateKclLeases"))
                .containsExactly(
                        "arn:aws:dynamodb:us-west-2:111111111111:table/billing-leases",
                        "arn:aws:dynamodb:us-east-2:111111111111:table/billing-leases-east");
        Map<String, Object> leases = statement(kclSecondary, "Controller", "TranslateKclLeases");
        assertThat(leases.get("Action").toString())
                .contains("dynamodb:Scan", "dynamodb:PutItem", "dynamodb:DeleteItem");
    }

    @Test
    void noRoleHasAGrantTheCodeDoesNotUse() {
        // the control store puts (conditionally), gets and queries; the sink writes with PutRecords only
        for (Template t : List.of(primary, secondary)) {
            List<String> actions = new ArrayList<>();
            collectActions(t.toJSON(), actions);
            assertThat(actions)
                    .doesNotContain(
                            "dynamodb:UpdateItem",
                            "dynamodb:DeleteItem",
                            "dynamodb:ConditionCheckItem",
                            "dynamodb:TransactWriteItems",
                            "kinesis:PutRecord");
            assertThat(actions).contains("dynamodb:PutItem", "kinesis:PutRecords");
        }
        for (String region : List.of("us-west-2", "us-east-2")) {
            Template t = region.equals(PRIMARY) ? primary : secondary;
            String app = region.equals(PRIMARY) ? "kinesis-ha-orders-reverse" : "kinesis-ha-orders-forward";
            String logGroup = "arn:aws:logs:" + region + ":111111111111:log-group:/aws/kinesis-analytics/" + app;
            Map<String, List<String>> replicator = statements(t, "Replicator");
            assertThat(statement(t, "Replicator", "WriteLogs").get("Action")).isEqualTo("logs:PutLogEvents");
            assertThat(replicator.get("WriteLogs")).containsExactly(logGroup + ":log-stream:replicator");
            assertThat(statement(t, "Replicator", "FindLogStream").get("Action"))
                    .isEqualTo("logs:DescribeLogStreams");
        }
    }

    @Test
    void managedFlinkAssumesTheReplicatorRoleOnlyForItsOwnApplication() {
        for (var entry : Map.of(PRIMARY, primary, SECONDARY, secondary).entrySet()) {
            String app = entry.getKey().equals(PRIMARY) ? "kinesis-ha-orders-reverse" : "kinesis-ha-orders-forward";
            Map<String, Object> role = onlyResource(entry.getValue(), "AWS::IAM::Role", "ReplicatorRole");
            List<Map<String, Object>> trust =
                    list(map(role.get("AssumeRolePolicyDocument")).get("Statement"));
            assertThat(trust).hasSize(1);
            assertThat(map(trust.get(0).get("Principal"))).containsEntry("Service", "kinesisanalytics.amazonaws.com");
            Map<String, Object> condition = map(trust.get(0).get("Condition"));
            assertThat(map(condition.get("StringEquals"))).containsEntry("aws:SourceAccount", ACCOUNT);
            assertThat(map(condition.get("ArnEquals")))
                    .containsEntry(
                            "aws:SourceArn",
                            "arn:aws:kinesisanalytics:" + entry.getKey() + ":111111111111:application/" + app);
        }
    }

    // ---- notifications ----

    @Test
    void eachRegionHasAnEncryptedTlsOnlyOperatorTopicWithTheContextsSubscribers() {
        for (Template t : List.of(primary, secondary)) {
            Map<String, Object> topic = onlyResource(t, "AWS::SNS::Topic");
            assertThat(topic)
                    .containsEntry("TopicName", "kinesis-ha-orders-notifications")
                    .containsKey("KmsMasterKeyId");
            assertThat(onlyResource(t, "AWS::SNS::Subscription"))
                    .containsEntry("Protocol", "email")
                    .containsEntry("Endpoint", "oncall@example.com");
            String policy = onlyResource(t, "AWS::SNS::TopicPolicy").toString();
            assertThat(policy).contains("Effect=Deny", "aws:SecureTransport=false");
            // the topic policy replaces the default one: CloudWatch may publish, for this pair's alarms only
            String region = t == primary ? PRIMARY : SECONDARY;
            assertThat(policy)
                    .contains(
                            "Service=cloudwatch.amazonaws.com",
                            "Action=sns:Publish",
                            "aws:SourceArn=arn:aws:cloudwatch:" + region + ":111111111111:alarm:kinesis-ha-orders-*",
                            "aws:SourceAccount=111111111111");
            Map<String, Object> key = onlyResource(t, "AWS::KMS::Key", "NotificationsKey");
            assertThat(key).containsEntry("EnableKeyRotation", true);
            assertThat(key.get("KeyPolicy").toString()).contains("Service=cloudwatch.amazonaws.com");
        }
    }

    @Test
    void everyAlarmNotifiesTheTopicAndTheControllerAlarmsOnlyNotify() {
        for (Template t : List.of(primary, secondary)) {
            Map<String, Map<String, Object>> alarms = t.findResources("AWS::CloudWatch::Alarm");
            assertThat(alarms.values()).map(a -> map(a.get("Properties"))).allSatisfy(a -> {
                assertThat(a.get("AlarmActions").toString()).contains("NotificationsTopic");
                assertThat(a.get("OKActions").toString()).contains("NotificationsTopic");
            });
            Map<String, Object> notOnPrimary = onlyResource(t, "AWS::CloudWatch::Alarm", "NotificationsNotOnPrimary");
            assertThat(notOnPrimary)
                    .containsEntry("Namespace", "KinesisHa")
                    .containsEntry("MetricName", "ControllerState")
                    .containsEntry("Threshold", 0)
                    .containsEntry("ComparisonOperator", "GreaterThanThreshold");
            Map<String, Object> errors = onlyResource(t, "AWS::CloudWatch::Alarm", "NotificationsControllerErrors");
            assertThat(errors)
                    .containsEntry("Namespace", "AWS/Lambda")
                    .containsEntry("MetricName", "Errors")
                    .containsEntry("Threshold", 0);
            assertThat(errors.get("Dimensions").toString()).contains("Value=kinesis-ha-orders-controller");
            Map<String, Object> silent = onlyResource(t, "AWS::CloudWatch::Alarm", "NotificationsControllerSilent");
            assertThat(silent)
                    .containsEntry("MetricName", "ControllerState")
                    .containsEntry("Statistic", "SampleCount")
                    .containsEntry("TreatMissingData", "breaching");
            for (Map<String, Object> onlyNotifies : List.of(notOnPrimary, errors, silent)) {
                assertThat(onlyNotifies.get("AlarmActions").toString()).doesNotContain("ControllerFunction");
            }
        }
    }

    // ---- alarms ----

    @Test
    void errorRateAlarmIsFailedCallsAndRecordsOverAllOfThemWithoutThrottlingAndInvokesTheController() {
        for (Template t : List.of(primary, secondary)) {
            Map<String, Object> alarm = onlyResource(t, "AWS::CloudWatch::Alarm", "AlarmsErrorRate");
            assertThat(alarm)
                    .containsEntry("Threshold", 1)
                    .containsEntry("ComparisonOperator", "GreaterThanThreshold")
                    .containsEntry("EvaluationPeriods", 1)
                    .containsEntry("TreatMissingData", "notBreaching");
            List<Map<String, Object>> metrics = list(alarm.get("Metrics"));
            assertThat(metrics)
                    .as("an alarm may use at most 10 metrics")
                    .filteredOn(m -> m.containsKey("MetricStat"))
                    .hasSizeLessThanOrEqualTo(10);
            String all = metrics.toString();
            assertThat(all)
                    .contains(
                            HealthAlarms.ERROR_RATE,
                            "PutRecord.Success",
                            "PutRecords.TotalRecords",
                            "PutRecords.FailedRecords",
                            "PutRecords.ThrottledRecords",
                            "WriteProvisionedThroughputExceeded",
                            "GetRecords.Success",
                            "ReadProvisionedThroughputExceeded",
                            "Stat=SampleCount",
                            "Period=300");
            assertInvokesController(alarm);
        }
    }

    @Test
    void alarmsInvokeTheControllerDirectlyAsAlarmActionsEachAllowedByItsOwnPermission() {
        // the handler accepts the alarm action's own payload (ControllerHandlerTest: lambda-alarm-action-metric.json)
        Map<String, Map<String, Object>> permissions = secondary.findResources("AWS::Lambda::Permission", Map.of());
        Map<String, Map<String, Object>> alarms =
                new LinkedHashMap<>(secondary.findResources("AWS::CloudWatch::Alarm", Map.of()));
        alarms.keySet().removeIf(id -> id.startsWith("Notifications"));
        List<Map<String, Object>> fromAlarms = permissions.values().stream()
                .map(r -> map(r.get("Properties")))
                .filter(p -> "lambda.alarms.cloudwatch.amazonaws.com".equals(p.get("Principal")))
                .toList();
        assertThat(fromAlarms).hasSize(alarms.size()).allSatisfy(p -> {
            assertThat(p.get("SourceArn").toString()).contains("Alarms");
            assertThat(p.get("FunctionName").toString()).contains("ControllerFunction");
        });
        assertThat(permissions.values())
                .map(r -> map(r.get("Properties")).get("Principal"))
                .containsOnly("lambda.alarms.cloudwatch.amazonaws.com", "events.amazonaws.com");
    }

    @Test
    void secondaryAlarmsOnReplicationLagDowntimeAndRestartsPrimaryOnIteratorAge() {
        Map<String, Object> lag = onlyResource(secondary, "AWS::CloudWatch::Alarm", "AlarmsReplicationLag");
        assertThat(lag)
                .containsEntry("Namespace", "AWS/KinesisAnalytics")
                .containsEntry("MetricName", "replicationLagMillis")
                .containsEntry("Threshold", 30000)
                .containsEntry("TreatMissingData", "breaching");
        assertThat(lag.get("Dimensions").toString()).contains("Name=Application", "Value=kinesis-ha-orders-forward");
        assertInvokesController(lag);
        assertThat(onlyResource(secondary, "AWS::CloudWatch::Alarm", "AlarmsDowntime"))
                .containsEntry("MetricName", "downtime")
                .containsEntry("Threshold", 0);
        assertThat(onlyResource(secondary, "AWS::CloudWatch::Alarm", "AlarmsFullRestarts")
                        .get("Metrics")
                        .toString())
                .contains("DIFF(restarts)", "fullRestarts");
        Map<String, Object> age = onlyResource(primary, "AWS::CloudWatch::Alarm", "AlarmsIteratorAge");
        assertThat(age)
                .containsEntry("MetricName", "SubscribeToShardEvent.MillisBehindLatest")
                .containsEntry("Threshold", 60000);
        assertInvokesController(age);
        // plus the three that only notify (not on primary, controller errors, controller silent)
        secondary.resourceCountIs("AWS::CloudWatch::Alarm", 7);
        primary.resourceCountIs("AWS::CloudWatch::Alarm", 5);
        // one invoke permission per health alarm, each limited to that alarm, and the schedule's
        secondary.resourceCountIs("AWS::Lambda::Permission", 5);
        primary.resourceCountIs("AWS::Lambda::Permission", 3);
    }

    // ---- control table, dashboards, outputs ----

    @Test
    void controlTableIsAStronglyConsistentGlobalTableWithAWitness() {
        Map<String, Object> table = onlyResource(control, "AWS::DynamoDB::GlobalTable");
        assertThat(table)
                .containsEntry("TableName", "kinesis-ha-orders-control")
                .containsEntry("MultiRegionConsistency", "STRONG")
                .containsEntry("BillingMode", "PAY_PER_REQUEST");
        assertThat(table.get("GlobalTableWitnesses").toString()).contains("Region=us-east-1");
        assertThat(table.get("KeySchema").toString())
                .contains(
                        "AttributeName=" + ControlTable.PARTITION_KEY + ", KeyType=HASH",
                        "AttributeName=" + ControlTable.SORT_KEY + ", KeyType=RANGE");
        assertThat(table.get("AttributeDefinitions").toString())
                .contains("AttributeName=pk, AttributeType=S", "AttributeName=sk, AttributeType=S");
        List<Map<String, Object>> replicas = list(table.get("Replicas"));
        assertThat(replicas).extracting(r -> r.get("Region")).containsExactlyInAnyOrder(PRIMARY, SECONDARY);
        assertThat(replicas).allSatisfy(r -> {
            assertThat(r).containsEntry("DeletionProtectionEnabled", true);
            assertThat(map(r.get("PointInTimeRecoverySpecification")))
                    .containsEntry("PointInTimeRecoveryEnabled", true);
        });
    }

    @Test
    void dashboardsAndOutputs() {
        assertThat(onlyResource(primary, "AWS::CloudWatch::Dashboard"))
                .containsEntry("DashboardName", "kinesis-ha-orders-us-west-2");
        assertThat(onlyResource(secondary, "AWS::CloudWatch::Dashboard"))
                .containsEntry("DashboardName", "kinesis-ha-orders-us-east-2");
        String body = onlyResource(secondary, "AWS::CloudWatch::Dashboard")
                .get("DashboardBody")
                .toString();
        assertThat(body)
                .contains(
                        "replicationLagMillis",
                        "IncomingRecords",
                        "PutRecords.FailedRecords",
                        "ControllerState",
                        "OrphanRecords",
                        "LastDecision",
                        "ReplicationLagMillis",
                        "alarm",
                        "NotificationsNotOnPrimary");
        assertThat(primary.findOutputs("*").keySet())
                .contains(
                        "StreamArn",
                        "ReplicatorConsumerArn",
                        "NotificationTopicArn",
                        "ReplicatorApplicationName",
                        "ControllerFunctionName",
                        "DashboardUrl");
        assertThat(secondary.findOutputs("*").keySet())
                .contains("StreamArn", "ReplicatorApplicationName", "ControllerFunctionName", "DashboardUrl");
    }

    // ---- helpers ----

    private static void assertInvokesController(Map<String, Object> alarm) {
        assertThat(alarm.get("AlarmActions").toString()).contains("ControllerFunction");
        assertThat(alarm.get("OKActions").toString()).contains("ControllerFunction");
    }

    private static Map<String, Object> jobProperties(Map<String, Object> application) {
        return propertyGroups(application).stream()
                .filter(g -> ReplicatorApplication.PROPERTY_GROUP.equals(g.get("PropertyGroupId")))
                .map(g -> map(g.get("PropertyMap")))
                .findFirst()
                .orElseThrow();
    }

    private static List<Map<String, Object>> propertyGroups(Map<String, Object> application) {
        return list(map(map(application.get("ApplicationConfiguration")).get("EnvironmentProperties"))
                .get("PropertyGroups"));
    }

    /** Statement sid -> resources of the role whose logical id starts with {@code prefix}. */
    private static Map<String, List<String>> statements(Template t, String prefix) {
        Map<String, Object> role = onlyResource(t, "AWS::IAM::Role", prefix + "Role");
        Map<String, List<String>> bySid = new TreeMap<>();
        for (Map<String, Object> policy : list(role.get("Policies"))) {
            for (Map<String, Object> st : list(map(policy.get("PolicyDocument")).get("Statement"))) {
                Object resource = st.get("Resource");
                List<Object> resources = resource instanceof List<?> l ? new ArrayList<>(l) : List.of(resource);
                bySid.put(
                        (String) st.get("Sid"),
                        resources.stream().map(String::valueOf).toList());
            }
        }
        return bySid;
    }

    /** The statement {@code sid} of the role whose logical id starts with {@code prefix}. */
    private static Map<String, Object> statement(Template t, String prefix, String sid) {
        Map<String, Object> role = onlyResource(t, "AWS::IAM::Role", prefix + "Role");
        for (Map<String, Object> policy : list(role.get("Policies"))) {
            for (Map<String, Object> st : list(map(policy.get("PolicyDocument")).get("Statement"))) {
                if (sid.equals(st.get("Sid"))) {
                    return st;
                }
            }
        }
        throw new AssertionError("no statement " + sid + " in " + prefix + "Role");
    }

    private static Map<String, Object> onlyResource(Template t, String type) {
        return onlyResource(t, type, "");
    }

    private static Map<String, Object> onlyResource(Template t, String type, String logicalIdPrefix) {
        Map<String, Map<String, Object>> found = t.findResources(type);
        List<Map<String, Object>> matching = found.entrySet().stream()
                .filter(e -> e.getKey().startsWith(logicalIdPrefix))
                .map(Map.Entry::getValue)
                .toList();
        assertThat(matching).as(type + " " + logicalIdPrefix).hasSize(1);
        return map(matching.get(0).get("Properties"));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        return (Map<String, Object>) o;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> list(Object o) {
        return (List<Map<String, Object>>) o;
    }

    private static void collectActions(Object node, List<String> actions) {
        if (node instanceof Map<?, ?> m) {
            for (var e : m.entrySet()) {
                if (e.getKey().equals("Action") || e.getKey().equals("NotAction")) {
                    Object a = e.getValue();
                    if (a instanceof List<?> l) {
                        l.forEach(x -> actions.add(String.valueOf(x)));
                    } else {
                        actions.add(String.valueOf(a));
                    }
                }
                collectActions(e.getValue(), actions);
            }
        } else if (node instanceof List<?> l) {
            l.forEach(x -> collectActions(x, actions));
        }
    }

    /** "path id" -> reason of every acknowledgement in the app. */
    static Map<String, String> acknowledgements() {
        Map<String, String> all = new LinkedHashMap<>();
        for (IConstruct c : app.getNode().findAll()) {
            for (MetadataEntry entry : c.getNode().getMetadata()) {
                if (Validations.ACKNOWLEDGED_RULES_METADATA_KEY.equals(entry.getType())
                        && entry.getData() instanceof Map<?, ?> data) {
                    data.forEach((id, reason) -> all.put(
                            c.getNode().getPath() + " " + String.valueOf(id).replaceFirst("^(?i)annotation::", ""),
                            String.valueOf(reason)));
                }
            }
        }
        return all;
    }
}
