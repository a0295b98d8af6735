package io.kinesisha.infra.constructs;

import static io.kinesisha.infra.constructs.ReplicatorApplication.allow;

import io.kinesisha.common.config.ConfigKey;
import io.kinesisha.common.metrics.MetricNames;
import io.kinesisha.infra.DeploymentSettings;
import io.kinesisha.infra.Names;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awscdk.Acknowledgment;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.Validations;
import software.amazon.awscdk.services.events.Rule;
import software.amazon.awscdk.services.events.Schedule;
import software.amazon.awscdk.services.events.targets.LambdaFunction;
import software.amazon.awscdk.services.iam.Effect;
import software.amazon.awscdk.services.iam.PolicyDocument;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.iam.ServicePrincipal;
import software.amazon.awscdk.services.lambda.Code;
import software.amazon.awscdk.services.lambda.Function;
import software.amazon.awscdk.services.lambda.Runtime;
import software.amazon.awscdk.services.logs.LogGroup;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.constructs.Construct;

/**
 * The failover controller in one region. Its configuration is the pair's, passed as the {@code KINESIS_HA_*}
 * variables the controller's config loader reads ({@link ConfigKey#envVar()}), with the control table read in its
 * own region: a controller never depends on the region it may have to fail away from. In both regions a schedule
 * invokes it every minute (alarms add invocations): the standby's detection does not wait for CloudWatch, whose alarms
 * in a failed region cannot fire, and either region alone resumes an operation the other left and keeps publishing
 * the pair's metrics. Reserved concurrency 1 keeps it to one round at a time per region; between the regions the
 * control table's conditional writes decide.
 */
public final class ControllerFunction extends Construct {
    public static final String HANDLER = "io.kinesisha.controller.lambda.ControllerHandler::handleRequest";
    /** An invocation probes for about a minute; the timeout leaves room for a failover's actions after the last probe. */
    static final Duration TIMEOUT = Duration.seconds(120);

    static final int MEMORY_MB = 1024;
    /** One round at a time in a region: a second invocation waits (Lambda retries throttled async invocations). */
    static final int RESERVED_CONCURRENCY = 1;

    private final Function function;
    private final Rule schedule;

    public ControllerFunction(
            Construct scope, String id, DeploymentSettings settings, Map<String, String> pairProperties) {
        super(scope, id);
        String region = Stack.of(this).getRegion();
        String functionName = Names.controllerFunction(settings);
        String logGroupName = "/aws/lambda/" + functionName;
        LogGroup logGroup = LogGroup.Builder.create(this, "Logs")
                .logGroupName(logGroupName)
                .retention(RetentionDays.THREE_MONTHS)
                .removalPolicy(RemovalPolicy.DESTROY)
                .build();

        Role role = Role.Builder.create(this, "Role")
                .assumedBy(new ServicePrincipal("lambda.amazonaws.com"))
                .description("kinesis-ha " + functionName + " in " + region)
                .inlinePolicies(Map.of(
                        "controller",
                        PolicyDocument.Builder.create()
                                .statements(
                                        statements(settings, region, Names.logGroupArn(settings, region, logGroupName)))
                                .build()))
                .build();
        Validations.of(role)
                .acknowledge(Acknowledgment.builder()
                        .id("AwsSolutions-IAM5[Resource::*]")
                        .reason(
                                "cloudwatch:GetMetricData (the health evidence), cloudwatch:PutMetricData (the controller's own"
                                        + " metrics, limited to the " + MetricNames.CONTROLLER_NAMESPACE
                                        + " namespace by the"
                                        + " cloudwatch:namespace condition) and lambda:ListEventSourceMappings (read-only) support no"
                                        + " resource-level permissions.")
                        .build());
        Validations.of(role)
                .acknowledge(Acknowledgment.builder()
                        .id("AwsSolutions-IAM5[Resource::" + Names.logGroupArn(settings, region, logGroupName)
                                + ":log-stream:*]")
                        .reason(
                                "Lambda creates one log stream per execution environment with generated names, all inside the"
                                        + " function's own log group.")
                        .build());
        for (String r : List.of(settings.primaryRegion(), settings.secondaryRegion())) {
            Validations.of(role)
                    .acknowledge(Acknowledgment.builder()
                            .id("AwsSolutions-IAM5[Resource::" + Names.anyKeyArn(settings, r) + "]")
                            .reason(
                                    "The stream's KMS key id is generated; use is limited to the stream key's alias and to calls"
                                            + " made through Kinesis in that region (kms:ResourceAliases, kms:ViaService): reading the"
                                            + " streams for cuts and orphans, republishing orphans.")
                            .build());
            if (!settings.consumerFunctions().isEmpty()) {
                Validations.of(role)
                        .acknowledge(Acknowledgment.builder()
                                .id("AwsSolutions-IAM5[Resource::" + eventSourceMappings(settings, r) + "]")
                                .reason(
                                        "Event source mapping ids are generated; the statement is limited to the configured"
                                                + " consumer functions by the lambda:FunctionArn condition.")
                                .build());
            }
        }

        function = Function.Builder.create(this, "Function")
                .functionName(functionName)
                .description("kinesis-ha " + settings.pairName() + " failover controller (" + region + ")")
                .runtime(settings.controllerRuntime().equals("java17") ? Runtime.JAVA_17 : Runtime.JAVA_21)
                .handler(HANDLER)
                .code(Code.fromAsset(settings.controllerJar().toString()))
                .memorySize(MEMORY_MB)
                .timeout(TIMEOUT)
                .reservedConcurrentExecutions(RESERVED_CONCURRENCY)
                .role(role)
                .logGroup(logGroup)
                .environment(environment(pairProperties))
                .build();
        function.getNode().addDependency(role);
        Validations.of(function)
                .acknowledge(Acknowledgment.builder()
                        .id("AwsSolutions-L1")
                        .reason(
                                "The controller is compiled for Java 17 and its tests run on JDK 17, the project's toolchain;"
                                        + " it runs on the java17 or java21 Lambda runtime (both LTS) and has never been run on Java 25,"
                                        + " the newest runtime.")
                        .build());

        schedule = Rule.Builder.create(this, "EvaluateEveryMinute")
                .ruleName(functionName + "-evaluate")
                .description("Controller round of " + settings.pairName() + " in " + region
                        + ": evaluates without waiting for alarms, resumes operations, publishes the pair's metrics")
                .schedule(Schedule.rate(Duration.minutes(1)))
                .targets(List.of(
                        LambdaFunction.Builder.create(function).retryAttempts(0).build()))
                .build();
    }

    /** The pair's settings as the controller's environment: one variable per key, names from {@link ConfigKey}. */
    static Map<String, String> environment(Map<String, String> pairProperties) {
        Map<String, String> env = new LinkedHashMap<>();
        pairProperties.forEach((key, value) -> env.put(
                ConfigKey.fromKey(key)
                        .orElseThrow(() -> new IllegalArgumentException("not a config key: " + key))
                        .envVar(),
                value));
        return env;
    }

    private static String eventSourceMappings(DeploymentSettings s, String region) {
        return "arn:" + Names.partition(region) + ":lambda:" + region + ":" + s.account() + ":event-source-mapping:*";
    }

    private static List<PolicyStatement> statements(DeploymentSettings s, String region, String logGroupArn) {
        List<String> regions = List.of(s.primaryRegion(), s.secondaryRegion());
        List<PolicyStatement> statements = new ArrayList<>();
        statements.add(allow(
                "WriteLogs",
                List.of("logs:CreateLogStream", "logs:PutLogEvents"),
                List.of(logGroupArn + ":log-stream:*")));
        // the control store only reads, puts (conditionally) and queries: ControlStore, DeliveryLog, ReplicationLedger
        statements.add(allow(
                "ControlStore",
                List.of("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query"),
                List.of(Names.tableArn(s, region))));
        statements.add(allow(
                "ProbeStreams",
                List.of("kinesis:DescribeStreamSummary", "kinesis:ListShards"),
                regions.stream().map(r -> Names.streamArn(s, r)).toList()));
        // cuts, the switchover barrier, position translation and orphan reconciliation read both streams;
        // republishing orphans writes to the active one
        statements.add(allow(
                "ReadAndRepublish",
                List.of("kinesis:GetShardIterator", "kinesis:GetRecords", "kinesis:PutRecords"),
                regions.stream().map(r -> Names.streamArn(s, r)).toList()));
        for (String r : regions) {
            statements.add(PolicyStatement.Builder.create()
                    .sid("StreamKey" + r.replace("-", ""))
                    .effect(Effect.ALLOW)
                    .actions(List.of("kms:Decrypt", "kms:GenerateDataKey"))
                    .resources(List.of(Names.anyKeyArn(s, r)))
                    .conditions(Map.of(
                            "StringEquals", Map.of("kms:ViaService", "kinesis." + r + ".amazonaws.com"),
                            "ForAnyValue:StringEquals", Map.of("kms:ResourceAliases", Names.streamKeyAlias(s))))
                    .build());
        }
        statements.add(allow("ReadHealthMetrics", List.of("cloudwatch:GetMetricData"), List.of("*")));
        statements.add(PolicyStatement.Builder.create()
                .sid("PublishOwnMetrics")
                .effect(Effect.ALLOW)
                .actions(List.of("cloudwatch:PutMetricData"))
                .resources(List.of("*"))
                .conditions(Map.of("StringEquals", Map.of("cloudwatch:namespace", MetricNames.CONTROLLER_NAMESPACE)))
                .build());
        statements.add(allow(
                "MoveReplication",
                List.of(
                        "kinesisanalytics:DescribeApplication",
                        "kinesisanalytics:StartApplication",
                        "kinesisanalytics:StopApplication"),
                List.of(
                        Names.applicationArn(s, s.secondaryRegion(), Names.forwardApplication(s)),
                        Names.applicationArn(s, s.primaryRegion(), Names.reverseApplication(s)))));
        if (!s.producerFunctions().isEmpty()) {
            statements.add(allow(
                    "MoveProducers",
                    List.of(
                            "lambda:GetFunctionConfiguration",
                            "lambda:UpdateFunctionConfiguration",
                            "lambda:GetFunctionConcurrency",
                            "lambda:PutFunctionConcurrency",
                            "lambda:DeleteFunctionConcurrency"),
                    functionArns(s, s.producerFunctions())));
        }
        if (!s.consumerFunctions().isEmpty()) {
            statements.add(allow("FindConsumerMappings", List.of("lambda:ListEventSourceMappings"), List.of("*")));
            statements.add(PolicyStatement.Builder.create()
                    .sid("MoveConsumers")
                    .effect(Effect.ALLOW)
                    // a mapping cannot take a new start position: START_CONSUMERS deletes and recreates it
                    .actions(List.of(
                            "lambda:CreateEventSourceMapping",
                            "lambda:UpdateEventSourceMapping",
                            "lambda:GetEventSourceMapping",
                            "lambda:DeleteEventSourceMapping"))
                    .resources(
                            regions.stream().map(r -> eventSourceMappings(s, r)).toList())
                    .conditions(Map.of("ArnLike", Map.of("lambda:FunctionArn", functionArns(s, s.consumerFunctions()))))
                    .build());
        }
        List<String> leaseTables = s.pairConfig().kclApplications().stream()
                .flatMap(a -> a.leaseTables().entrySet().stream())
                .map(e -> "arn:" + Names.partition(e.getKey()) + ":dynamodb:" + e.getKey() + ":" + s.account()
                        + ":table/" + e.getValue())
                .distinct()
                .toList();
        if (!leaseTables.isEmpty()) {
            // START_CONSUMERS rewrites each KCL application's lease table for the new stream (KclLeaseTable): it
            // creates the table as KCL would when missing, scans it, puts translated leases, deletes stale ones
            statements.add(allow(
                    "TranslateKclLeases",
                    List.of(
                            "dynamodb:DescribeTable",
                            "dynamodb:CreateTable",
                            "dynamodb:Scan",
                            "dynamodb:PutItem",
                            "dynamodb:DeleteItem"),
                    leaseTables));
        }
        return statements;
    }

    private static List<String> functionArns(DeploymentSettings s, List<String> names) {
        List<String> arns = new ArrayList<>();
        for (String region : List.of(s.primaryRegion(), s.secondaryRegion())) {
            for (String name : names) {
                arns.add(Names.functionArn(s, region, name));
            }
        }
        return arns;
    }

    public Function function() {
        return function;
    }

    /** The every-minute rule. */
    public Rule schedule() {
        return schedule;
    }
}
