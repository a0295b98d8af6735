package io.kinesisha.controller.health;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import software.amazon.awssdk.services.cloudwatch.CloudWatchClient;
import software.amazon.awssdk.services.cloudwatch.model.Dimension;
import software.amazon.awssdk.services.cloudwatch.model.GetMetricDataRequest;
import software.amazon.awssdk.services.cloudwatch.model.GetMetricDataResponse;
import software.amazon.awssdk.services.cloudwatch.model.MetricDataQuery;
import software.amazon.awssdk.services.cloudwatch.model.MetricDataResult;
import software.amazon.awssdk.services.cloudwatch.model.ScanBy;

/**
 * Reads a stream's health from CloudWatch in one GetMetricData call, letting metric math do the arithmetic:
 * error rate = 100 * (1 - AVG of the {@code *.Success} averages of PutRecord, PutRecords, GetRecords and
 * SubscribeToShard) and iterator age = MAX(GetRecords.IteratorAgeMilliseconds, SubscribeToShardEvent
 * .MillisBehindLatest). Every period of the window is reported; a period without a datapoint is
 * {@link PeriodValue#missing}, never silently dropped, because a region that stopped publishing looks quiet.
 *
 * <p>The window ends {@code publishDelay} before now, rounded down to the period, so periods CloudWatch has not
 * aggregated yet are not mistaken for missing ones. SubscribeToShard metrics carry a ConsumerName dimension,
 * hence the consumer names (the replicator's EFO consumer keeps the primary's metrics flowing on an idle stream).
 */
public final class CloudWatchSignals {
    static final String ERROR_RATE_ID = "errorRatePercent";
    static final String ITERATOR_AGE_ID = "iteratorAgeMillis";
    private static final String NAMESPACE = "AWS/Kinesis";

    private final CloudWatchClient cloudWatch;
    private final Clock clock;
    private final Duration period;
    private final Duration publishDelay;

    public CloudWatchSignals(CloudWatchClient cloudWatch, Clock clock, Duration period, Duration publishDelay) {
        if (period.toSeconds() < 60 || period.toSeconds() % 60 != 0) {
            throw new IllegalArgumentException("period must be a multiple of 60 s for standard-resolution metrics: " + period);
        }
        this.cloudWatch = cloudWatch;
        this.clock = clock;
        this.period = period;
        this.publishDelay = publishDelay;
    }

    /** The stream's error rate and iterator age over the last {@code window} (a multiple of the period). */
    public StreamSignals read(String streamName, List<String> consumerNames, Duration window) {
        long p = period.toSeconds();
        long endSecond = Math.floorDiv(clock.instant().minus(publishDelay).getEpochSecond(), p) * p;
        Instant end = Instant.ofEpochSecond(endSecond);
        Instant start = end.minus(window);
        GetMetricDataRequest request = request(streamName, consumerNames, start, end);
        Map<String, Map<Instant, Double>> points = new HashMap<>();
        Map<String, String> status = new HashMap<>();
        String token = null;
        do {
            GetMetricDataResponse page = cloudWatch.getMetricData(request.toBuilder().nextToken(token).build());
            for (MetricDataResult r : page.metricDataResults()) {
                Map<Instant, Double> byTime = points.computeIfAbsent(r.id(), k -> new HashMap<>());
                for (int i = 0; i < r.timestamps().size() && i < r.values().size(); i++) {
                    byTime.put(r.timestamps().get(i), r.values().get(i));
                }
                status.put(r.id(), r.statusCodeAsString());
            }
            token = page.nextToken();
        } while (token != null && !token.isEmpty());
        return new StreamSignals(streamName, start, end, series(ERROR_RATE_ID, points, status, start, end),
                series(ITERATOR_AGE_ID, points, status, start, end));
    }

    /** The exact request {@link #read} sends (also what a dry run shows). */
    public GetMetricDataRequest request(String streamName, List<String> consumerNames, Instant start, Instant end) {
        List<MetricDataQuery> queries = new ArrayList<>();
        StringJoiner successes = new StringJoiner(", ");
        StringJoiner ages = new StringJoiner(", ");
        int n = 0;
        for (String metric : List.of("PutRecord.Success", "PutRecords.Success", "GetRecords.Success")) {
            String id = "s" + n++;
            queries.add(metric(id, metric, "Average", streamName, null));
            successes.add(id);
        }
        queries.add(metric("a0", "GetRecords.IteratorAgeMilliseconds", "Maximum", streamName, null));
        ages.add("a0");
        int c = 1;
        for (String consumer : consumerNames) {
            String sid = "s" + n++;
            queries.add(metric(sid, "SubscribeToShard.Success", "Average", streamName, consumer));
            successes.add(sid);
            String aid = "a" + c++;
            queries.add(metric(aid, "SubscribeToShardEvent.MillisBehindLatest", "Maximum", streamName, consumer));
            ages.add(aid);
        }
        queries.add(MetricDataQuery.builder().id(ERROR_RATE_ID).label("error rate %")
                .expression("100 * (1 - AVG([" + successes + "]))").period((int) period.toSeconds()).returnData(true).build());
        queries.add(MetricDataQuery.builder().id(ITERATOR_AGE_ID).label("iterator age ms")
                .expression("MAX([" + ages + "])").period((int) period.toSeconds()).returnData(true).build());
        return GetMetricDataRequest.builder().startTime(start).endTime(end).scanBy(ScanBy.TIMESTAMP_ASCENDING)
                .metricDataQueries(queries).build();
    }

    private MetricDataQuery metric(String id, String name, String stat, String stream, String consumer) {
        List<Dimension> dims = new ArrayList<>();
        dims.add(Dimension.builder().name("StreamName").value(stream).build());
        if (consumer != null) {
            dims.add(Dimension.builder().name("ConsumerName").value(consumer).build());
        }
        return MetricDataQuery.builder().id(id).returnData(false)
                .metricStat(s -> s.stat(stat).period((int) period.toSeconds())
                        .metric(m -> m.namespace(NAMESPACE).metricName(name).dimensions(dims)))
                .build();
    }

    private Series series(String id, Map<String, Map<Instant, Double>> points, Map<String, String> status,
                          Instant start, Instant end) {
        Map<Instant, Double> byTime = points.getOrDefault(id, Map.of());
        List<PeriodValue> values = new ArrayList<>();
        for (Instant t = start; t.isBefore(end); t = t.plus(period)) {
            Double v = byTime.get(t);
            values.add(v == null || v.isNaN() ? PeriodValue.missing(t) : new PeriodValue(t, v));
        }
        return new Series(id, values, status.getOrDefault(id, "Missing"));
    }
}
