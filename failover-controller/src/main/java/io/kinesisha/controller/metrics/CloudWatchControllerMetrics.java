package io.kinesisha.controller.metrics;

import io.kinesisha.common.metrics.MetricNames;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.services.cloudwatch.CloudWatchClient;
import software.amazon.awssdk.services.cloudwatch.model.Dimension;
import software.amazon.awssdk.services.cloudwatch.model.MetricDatum;
import software.amazon.awssdk.services.cloudwatch.model.StandardUnit;

/**
 * {@link ControllerMetrics} as one PutMetricData call per round in the controller's own region (namespace
 * {@value MetricNames#CONTROLLER_NAMESPACE}, dimension {@value MetricNames#CONTROLLER_PAIR_DIMENSION}); the SDK's
 * retry policy handles throttling and transient errors.
 */
public final class CloudWatchControllerMetrics implements ControllerMetrics {
    private final CloudWatchClient cloudWatch;
    private final Clock clock;

    public CloudWatchControllerMetrics(CloudWatchClient cloudWatch, Clock clock) {
        this.cloudWatch = cloudWatch;
        this.clock = clock;
    }

    @Override
    public void publish(String pair, RoundMetrics m) {
        Instant now = clock.instant();
        Dimension dimension = Dimension.builder()
                .name(MetricNames.CONTROLLER_PAIR_DIMENSION)
                .value(pair)
                .build();
        List<MetricDatum> data = new ArrayList<>();
        data.add(datum(
                MetricNames.CONTROLLER_STATE, RoundMetrics.stateValue(m.state()), StandardUnit.NONE, dimension, now));
        if (m.replicationLagMillis() != null) {
            data.add(datum(
                    MetricNames.CONTROLLER_REPLICATION_LAG,
                    m.replicationLagMillis(),
                    StandardUnit.MILLISECONDS,
                    dimension,
                    now));
        }
        if (m.orphanRecords() != null) {
            data.add(datum(MetricNames.ORPHAN_RECORDS, m.orphanRecords(), StandardUnit.COUNT, dimension, now));
        }
        if (m.decision() != null) {
            data.add(datum(
                    MetricNames.LAST_DECISION,
                    RoundMetrics.decisionValue(m.decision()),
                    StandardUnit.NONE,
                    dimension,
                    now));
        }
        cloudWatch.putMetricData(
                b -> b.namespace(MetricNames.CONTROLLER_NAMESPACE).metricData(data));
    }

    private static MetricDatum datum(String name, double value, StandardUnit unit, Dimension dimension, Instant at) {
        return MetricDatum.builder()
                .metricName(name)
                .value(value)
                .unit(unit)
                .dimensions(dimension)
                .timestamp(at)
                .build();
    }
}
