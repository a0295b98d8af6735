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

    /** Failed calls of the stream's API (writes, polling reads, fan-out subscriptions) as a percentage. */
    public Alarm errorRate(String streamName, String consumerName) {
        HealthThresholds h = settings.pairConfig().health();
        Duration window = Duration.minutes(h.errorRateWindow().toMinutes());
        MathExpression expression = errorRateExpression(streamName, consumerName, window);
        return add(Alarm.Builder.create(this, "ErrorRate")
                .alarmName(name("error-rate-" + streamName))
                .alarmDescription("Failed Kinesis calls on " + streamName + " above health.error-rate-threshold-percent over"
                        + " health.error-rate-window-minutes; invokes the controller")
                .metric(expression)
                .threshold(h.errorRateThresholdPercent())
                .comparisonOperator(ComparisonOperator.GREATER_THAN_THRESHOLD)
                .evaluationPeriods(1)
                .treatMissingData(TreatMissingData.NOT_BREACHING)
                .build());
    }

    /** 100 * (1 - the average of the Success metrics): each is 1 for a success and 0 for a failure. */
    public static MathExpression errorRateExpression(String streamName, String consumerName, Duration window) {
        Map<String, String> stream = Map.of("StreamName", streamName);
        return MathExpression.Builder.create()
                .expression("100 * (1 - AVG([putRecord, putRecords, getRecords, subscribe]))")
                .label("error rate % " + streamName)
                .period(window)
                .usingMetrics(Map.<String, IMetric>of(
                        "putRecord", metric(KINESIS, "PutRecord.Success", stream, "Average", window),
                        "putRecords", metric(KINESIS, "PutRecords.Success", stream, "Average", window),
                        "getRecords", metric(KINESIS, "GetRecords.Success", stream, "Average", window),
                        "subscribe", metric(KINESIS, "SubscribeToShard.Success",
                                Map.of("StreamName", streamName, "ConsumerName", consumerName), "Average", window)))
                .build();
    }

    /** How far the replicator's fan-out reader is behind the tip of the stream it reads. */
    public Alarm iteratorAge(String streamName, String consumerName) {
        HealthThresholds h = settings.pairConfig().health();
        return add(Alarm.Builder.create(this, "IteratorAge")
                .alarmName(name("iterator-age-" + streamName))
                .alarmDescription("Replicator consumer on " + streamName + " behind by more than health.iterator-age-threshold-ms")
                .metric(metric(KINESIS, "SubscribeToShardEvent.MillisBehindLatest",
                        Map.of("StreamName", streamName, "ConsumerName", consumerName), "Maximum", ONE_MINUTE))
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
                .alarmDescription("Replication lag of " + application + " above health.replication-lag-threshold-ms, or not reported")
                .metric(metric(FLINK, REPLICATION_LAG_METRIC, Map.of("Application", application), "Maximum", ONE_MINUTE))
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
                        .usingMetrics(Map.of("restarts", metric(FLINK, "fullRestarts", Map.of("Application", application),
                                "Maximum", ONE_MINUTE)))
                        .build())
                .threshold(0)
                .comparisonOperator(ComparisonOperator.GREATER_THAN_THRESHOLD)
                .evaluationPeriods(1)
                .treatMissingData(TreatMissingData.NOT_BREACHING)
                .build());
    }

    private Alarm add(Alarm alarm) {
        // One permission per alarm: each lets only that alarm (its ARN) invoke the controller.
        LambdaAction action = new LambdaAction(controller, LambdaActionProps.builder().useUniquePermissionId(true).build());
        alarm.addAlarmAction(action);
        alarm.addOkAction(action);
        alarms.add(alarm);
        return alarm;
    }

    private String name(String what) {
        return "kinesis-ha-" + settings.pairName() + "-" + what;
    }

    static Metric metric(String namespace, String name, Map<String, String> dimensions, String statistic, Duration period) {
        return Metric.Builder.create().namespace(namespace).metricName(name).dimensionsMap(dimensions)
                .statistic(statistic).period(period).build();
    }

    public List<Alarm> alarms() {
        return List.copyOf(alarms);
    }
}
