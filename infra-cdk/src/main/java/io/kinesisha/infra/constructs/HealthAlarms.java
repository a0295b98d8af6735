package io.kinesisha.infra.constructs;

import io.kinesisha.common.config.HealthThresholds;
import io.kinesisha.infra.DeploymentSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.services.cloudwatch.Alarm;
import software.amazon.awscdk.services.cloudwatch.ComparisonOperator;
import software.amazon.awscdk.services.cloudwatch.IMetric;
import software.amazon.awscdk.services.cloudwatch.MathExpression;
import software.amazon.awscdk.services.cloudwatch.Metric;
import software.amazon.awscdk.services.cloudwatch.TreatMissingData;
import software.amazon.awscdk.services.cloudwatch.actions.LambdaAction;
import software.amazon.awscdk.services.cloudwatch.actions.LambdaActionProps;
import software.amazon.awscdk.services.lambda.IFunction;
import software.constructs.Construct;

/**
 * CloudWatch's opinion on one region, wired to that region's controller (an alarm cannot invoke a function in
 * another region). Thresholds are the pair's {@code health.*} settings, the same numbers the controller's own
 * evaluation uses, so the alarm and the controller never disagree about what "unhealthy" means. The controller
 * treats an alarm as evidence to verify, not as an order to fail over.
 */
public final class HealthAlarms extends Construct {
    public static final String KINESIS = "AWS/Kinesis";
    public static final String FLINK = "AWS/KinesisAnalytics";
    /** The replicator's lag gauge (ProgressListener.REPLICATION_LAG in the replicator module). */
    public static final String REPLICATION_LAG_METRIC = "replicationLagMillis";

    static final Duration ONE_MINUTE = Duration.minutes(1);

    private final List<Alarm> alarms = new ArrayList<>();
    private final DeploymentSettings settings;
    private final IFunction controller;

    public HealthAlarms(Construct scope, String id, DeploymentSettings settings, IFunction controller) {
        super(scope, id);
        this.settings = settings;
        this.controller = controller;
    }

    /**
     * Failed calls and records of the stream (writes and polling reads) as a percentage of all of them over
     * {@code health.error-rate-window-minutes}, throttling excluded; it invokes the controller, which judges the
     * same rate (plus the replicator's SubscribeToShard calls) with its probes before acting.
     */
    public Alarm errorRate(String streamName) {
        HealthThresholds h = settings.pairConfig().health();
        Duration window = Duration.minutes(h.errorRateWindow().toMinutes());
        MathExpression expression = errorRateExpression(streamName, window);
        return add(Alarm.Builder.create(this, "ErrorRate")
                .alarmName(name("error-rate-" + streamName))
                .alarmDescription(
                        "Failed Kinesis calls and records on " + streamName + " (throttling excluded) above"
                                + " health.error-rate-threshold-percent over health.error-rate-window-minutes; invokes the controller")
                .metric(expression)
                .threshold(h.errorRateThresholdPercent())
                .comparisonOperator(ComparisonOperator.GREATER_THAN_THRESHOLD)
                .evaluationPeriods(1)
                .treatMissingData(TreatMissingData.NOT_BREACHING)
                .build());
    }

    /**
     * The controller's error rate (CloudWatchSignals) as metric math: failed PutRecord calls (less the throttled
     * ones: WriteProvisionedThroughputExceeded minus PutRecords.ThrottledRecords), PutRecords.FailedRecords and failed
     * GetRecords calls (less ReadProvisionedThroughputExceeded), over PutRecord calls, PutRecords.TotalRecords and
     * GetRecords calls; calls are a {@code .Success} metric's SampleCount, successes its Sum, and a metric without a
     * datapoint had no calls (FILL 0). An alarm may use at most 10 metrics, so SubscribeToShard is left to the
     * controller. No calls at all is no datapoint (not breaching).
     */
    public static MathExpression errorRateExpression(String streamName, Duration window) {
        Map<String, String> stream = Map.of("StreamName", streamName);
        Map<String, IMetric> metrics = new java.util.LinkedHashMap<>();
        metrics.put("putCalls", metric(KINESIS, "PutRecord.Success", stream, "SampleCount", window));
        metrics.put("putOk", metric(KINESIS, "PutRecord.Success", stream, "Sum", window));
        metrics.put("batchRecords", metric(KINESIS, "PutRecords.TotalRecords", stream, "Sum", window));
        metrics.put("batchFailed", metric(KINESIS, "PutRecords.FailedRecords", stream, "Sum", window));
        metrics.put("batchThrottled", metric(KINESIS, "PutRecords.ThrottledRecords", stream, "Sum", window));
        metrics.put("writeThrottled", metric(KINESIS, "WriteProvisionedThroughputExceeded", stream, "Sum", window));
        metrics.put("getCalls", metric(KINESIS, "GetRecords.Success", stream, "SampleCount", window));
        metrics.put("getOk", metric(KINESIS, "GetRecords.Success", stream, "Sum", window));
        metrics.put("readThrottled", metric(KINESIS, "ReadProvisionedThroughputExceeded", stream, "Sum", window));
        return MathExpression.Builder.create()
                .expression(ERROR_RATE)
                .label("error rate % " + streamName)
                .period(window)
                .usingMetrics(metrics)
                .build();
    }

    public static final String ERROR_RATE =
            "100 * ((FILL(putCalls, 0) - FILL(putOk, 0) - (FILL(writeThrottled, 0) - FILL(batchThrottled, 0)))"
                    + " + FILL(batchFailed, 0) + (FILL(getCalls, 0) - FILL(getOk, 0) - FILL(readThrottled, 0)))"
                    + " / (FILL(putCalls, 0) + FILL(batchRecords, 0) + FILL(getCalls, 0))";

    /** How far the replicator's fan-out reader is behind the tip of the stream it reads. */
    public Alarm iteratorAge(String streamName, String consumerName) {
        HealthThresholds h = settings.pairConfig().health();
        return add(Alarm.Builder.create(this, "IteratorAge")
                .alarmName(name("iterator-age-" + streamName))
                .alarmDescription("Replicator consumer on " + streamName
                        + " behind by more than health.iterator-age-threshold-ms")
                .metric(metric(
                        KINESIS,
                        "SubscribeToShardEvent.MillisBehindLatest",
                        Map.of("StreamName", streamName, "ConsumerName", consumerName),
                        "Maximum",
                        ONE_MINUTE))
                .threshold(h.iteratorAgeThreshold().toMillis())
                .comparisonOperator(ComparisonOperator.GREATER_THAN_THRESHOLD)
                .evaluationPeriods(1)
                .treatMissingData(TreatMissingData.NOT_BREACHING)
                .build());
    }

    /**
     * Time from a write to the primary until its copy is in the secondary. Missing data breaches: a replicator that
     * stopped reporting is not replicating.
     */
    public Alarm replicationLag(String application) {
        HealthThresholds h = settings.pairConfig().health();
        return add(Alarm.Builder.create(this, "ReplicationLag")
                .alarmName(name("replication-lag-" + application))
                .alarmDescription("Replication lag of " + application
                        + " above health.replication-lag-threshold-ms, or not reported")
                .metric(metric(
                        FLINK, REPLICATION_LAG_METRIC, Map.of("Application", application), "Maximum", ONE_MINUTE))
                .threshold(h.replicationLagThreshold().toMillis())
                .comparisonOperator(ComparisonOperator.GREATER_THAN_THRESHOLD)
                .evaluationPeriods(1)
                .treatMissingData(TreatMissingData.BREACHING)
                .build());
    }

    /** The application is not running (downtime counts milliseconds since the job last failed). */
    public Alarm downtime(String application) {
        return add(Alarm.Builder.create(this, "Downtime")
                .alarmName(name("downtime-" + application))
                .alarmDescription(application + " is down (Flink downtime > 0)")
                .metric(metric(FLINK, "downtime", Map.of("Application", application), "Maximum", ONE_MINUTE))
                .threshold(0)
                .comparisonOperator(ComparisonOperator.GREATER_THAN_THRESHOLD)
                .evaluationPeriods(1)
                .treatMissingData(TreatMissingData.NOT_BREACHING)
                .build());
    }

    /** The job restarted within the minute (fullRestarts is a running count: alarm on its increase). */
    public Alarm fullRestarts(String application) {
        return add(Alarm.Builder.create(this, "FullRestarts")
                .alarmName(name("restarts-" + application))
                .alarmDescription(application + " restarted (increase of Flink fullRestarts)")
                .metric(MathExpression.Builder.create()
                        .expression("DIFF(restarts)")
                        .label("full restarts per minute")
                        .period(ONE_MINUTE)
                        .usingMetrics(Map.of(
                                "restarts",
                                metric(
                                        FLINK,
                                        "fullRestarts",
                                        Map.of("Application", application),
                                        "Maximum",
                                        ONE_MINUTE)))
                        .build())
                .threshold(0)
                .comparisonOperator(ComparisonOperator.GREATER_THAN_THRESHOLD)
                .evaluationPeriods(1)
                .treatMissingData(TreatMissingData.NOT_BREACHING)
                .build());
    }

    private Alarm add(Alarm alarm) {
        // One permission per alarm: each lets only that alarm (its ARN) invoke the controller.
        LambdaAction action = new LambdaAction(
                controller,
                LambdaActionProps.builder().useUniquePermissionId(true).build());
        alarm.addAlarmAction(action);
        alarm.addOkAction(action);
        alarms.add(alarm);
        return alarm;
    }

    private String name(String what) {
        return "kinesis-ha-" + settings.pairName() + "-" + what;
    }

    static Metric metric(
            String namespace, String name, Map<String, String> dimensions, String statistic, Duration period) {
        return Metric.Builder.create()
                .namespace(namespace)
                .metricName(name)
                .dimensionsMap(dimensions)
                .statistic(statistic)
                .period(period)
                .build();
    }

    public List<Alarm> alarms() {
        return List.copyOf(alarms);
    }
}
