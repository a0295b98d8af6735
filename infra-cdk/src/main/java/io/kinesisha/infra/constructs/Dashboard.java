package io.kinesisha.infra.constructs;

import static io.kinesisha.infra.constructs.HealthAlarms.FLINK;
import static io.kinesisha.infra.constructs.HealthAlarms.KINESIS;
import static io.kinesisha.infra.constructs.HealthAlarms.metric;

import io.kinesisha.common.metrics.MetricNames;
import io.kinesisha.infra.DeploymentSettings;
import io.kinesisha.infra.Names;
import java.util.List;
import java.util.Map;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.cloudwatch.Alarm;
import software.amazon.awscdk.services.cloudwatch.AlarmStatusWidget;
import software.amazon.awscdk.services.cloudwatch.GraphWidget;
import software.amazon.awscdk.services.cloudwatch.IAlarm;
import software.amazon.awscdk.services.cloudwatch.IMetric;
import software.amazon.awscdk.services.cloudwatch.TextWidget;
import software.amazon.awscdk.services.lambda.IFunction;
import software.constructs.Construct;

/**
 * One dashboard per region, showing what an operator needs during an incident from the region that still works:
 * replication lag, records in and out, error rates, the controller (the state, lag, orphans and last decision it
 * publishes every round in the {@value MetricNames#CONTROLLER_NAMESPACE} namespace) and every alarm of the region.
 */
public final class Dashboard extends Construct {
    static final Duration PERIOD = Duration.minutes(1);

    private final software.amazon.awscdk.services.cloudwatch.Dashboard dashboard;

    /**
     * @param application the replicator application of this region (the forward one in the secondary, the reverse
     *                    one in the primary)
     * @param consumerName fan-out consumer reading this region's stream for replication
     */
    public Dashboard(
            Construct scope,
            String id,
            DeploymentSettings settings,
            String application,
            String consumerName,
            IFunction controller,
            List<Alarm> alarms) {
        super(scope, id);
        String region = Stack.of(this).getRegion();
        String stream = settings.streamName();
        Map<String, String> streamDims = Map.of("StreamName", stream);
        Map<String, String> consumerDims = Map.of("StreamName", stream, "ConsumerName", consumerName);
        Map<String, String> pairDims = Map.of(MetricNames.CONTROLLER_PAIR_DIMENSION, settings.pairName());

        dashboard = software.amazon.awscdk.services.cloudwatch.Dashboard.Builder.create(this, "Dashboard")
                .dashboardName(Names.dashboard(settings, region))
                .build();
        dashboard.addWidgets(TextWidget.Builder.create()
                .markdown("# kinesis-ha " + settings.pairName() + " - " + region
                        + (region.equals(settings.primaryRegion()) ? " (primary)" : " (secondary)")
                        + "\nReplicator here: `" + application + "`; controller: `" + Names.controllerFunction(settings)
                        + "`."
                        + " Runbooks: `runbooks/`.")
                .width(24)
                .height(2)
                .build());
        dashboard.addWidgets(
                graph(
                        "Replication lag (ms)",
                        List.of(
                                metric(
                                        FLINK,
                                        HealthAlarms.REPLICATION_LAG_METRIC,
                                        Map.of("Application", application),
                                        "Maximum",
                                        PERIOD),
                                metric(
                                        KINESIS,
                                        "SubscribeToShardEvent.MillisBehindLatest",
                                        consumerDims,
                                        "Maximum",
                                        PERIOD))),
                graph(
                        "Records in / out of " + stream,
                        List.of(
                                metric(KINESIS, "IncomingRecords", streamDims, "Sum", PERIOD),
                                metric(KINESIS, "GetRecords.Records", streamDims, "Sum", PERIOD),
                                metric(KINESIS, "SubscribeToShardEvent.Records", consumerDims, "Sum", PERIOD))),
                graph(
                        "Error rate (%)",
                        List.of(
                                HealthAlarms.errorRateExpression(stream, PERIOD),
                                metric(KINESIS, "WriteProvisionedThroughputExceeded", streamDims, "Sum", PERIOD),
                                metric(KINESIS, "ReadProvisionedThroughputExceeded", streamDims, "Sum", PERIOD))));
        dashboard.addWidgets(
                graph(
                        "Controller: state, last decision, orphans",
                        List.of(
                                metric(
                                        MetricNames.CONTROLLER_NAMESPACE,
                                        MetricNames.CONTROLLER_STATE,
                                        pairDims,
                                        "Maximum",
                                        PERIOD),
                                metric(
                                        MetricNames.CONTROLLER_NAMESPACE,
                                        MetricNames.LAST_DECISION,
                                        pairDims,
                                        "Maximum",
                                        PERIOD),
                                metric(
                                        MetricNames.CONTROLLER_NAMESPACE,
                                        MetricNames.ORPHAN_RECORDS,
                                        pairDims,
                                        "Maximum",
                                        PERIOD))),
                graph(
                        "Replication lag seen by the controller (ms)",
                        List.of(metric(
                                MetricNames.CONTROLLER_NAMESPACE,
                                MetricNames.CONTROLLER_REPLICATION_LAG,
                                pairDims,
                                "Maximum",
                                PERIOD))),
                graph(
                        "Controller function",
                        List.of(
                                metric(
                                        "AWS/Lambda",
                                        "Invocations",
                                        Map.of("FunctionName", Names.controllerFunction(settings)),
                                        "Sum",
                                        PERIOD),
                                metric(
                                        "AWS/Lambda",
                                        "Errors",
                                        Map.of("FunctionName", Names.controllerFunction(settings)),
                                        "Sum",
                                        PERIOD),
                                metric(
                                        "AWS/Lambda",
                                        "Duration",
                                        Map.of("FunctionName", Names.controllerFunction(settings)),
                                        "Maximum",
                                        PERIOD))));
        dashboard.addWidgets(graph(
                "Replicator restarts / downtime",
                List.of(
                        metric(FLINK, "fullRestarts", Map.of("Application", application), "Maximum", PERIOD),
                        metric(FLINK, "downtime", Map.of("Application", application), "Maximum", PERIOD))));
        dashboard.addWidgets(AlarmStatusWidget.Builder.create()
                .title("Alarms (" + region + ")")
                .alarms(List.<IAlarm>copyOf(alarms))
                .width(24)
                .build());
    }

    private static GraphWidget graph(String title, List<? extends IMetric> metrics) {
        return GraphWidget.Builder.create()
                .title(title)
                .left(List.copyOf(metrics))
                .width(8)
                .height(6)
                .build();
    }

    public software.amazon.awscdk.services.cloudwatch.Dashboard dashboard() {
        return dashboard;
    }
}
