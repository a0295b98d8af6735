package io.kinesisha.controller.health;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.cloudwatch.CloudWatchClient;
import software.amazon.awssdk.services.cloudwatch.model.Dimension;
import software.amazon.awssdk.services.cloudwatch.model.GetMetricDataRequest;
import software.amazon.awssdk.services.cloudwatch.model.GetMetricDataResponse;
import software.amazon.awssdk.services.cloudwatch.model.MetricDataQuery;
import software.amazon.awssdk.services.cloudwatch.model.MetricDataResult;
import software.amazon.awssdk.services.cloudwatch.model.ScanBy;

/**
 * Reads a stream's health from CloudWatch in one GetMetricData call: the error rate as failed calls and failed
 * records over all calls and records, weighted by traffic (an idle API neither dominates nor drops out, and
 * per-record PutRecords failures count), with throttling kept apart as a capacity signal; and the readers' iterator
 * age. Kinesis publishes per call, so a period without datapoints means no calls, not an outage (SubscribeToShard
 * reports about once per 5 minutes per shard): absent metrics count as zero; the probes are what notice a region that
 * went dark.
 *
 * <p>Per period: failed = (PutRecord calls - successes - throttled PutRecord calls) + PutRecords.FailedRecords +
 * (GetRecords calls - successes - ReadProvisionedThroughputExceeded) + (SubscribeToShard calls - successes), total =
 * PutRecord calls + PutRecords.TotalRecords + GetRecords calls + SubscribeToShard calls, where calls are the
 * {@code .Success} metric's SampleCount and successes its Sum, and throttled PutRecord calls are
 * WriteProvisionedThroughputExceeded less PutRecords.ThrottledRecords. The window's rate is sum(failed) / sum(total).
 *
 * <p>The window ends {@code publishDelay} before now, rounded down to the period, so periods CloudWatch has not
 * aggregated yet are not read. SubscribeToShard metrics carry a ConsumerName dimension, hence the consumer names.
 */
public final class CloudWatchSignals {
    private static final String NAMESPACE = "AWS/Kinesis";
    static final String PUT_RECORD_CALLS = "putRecordCalls";
    static final String PUT_RECORD_OK = "putRecordOk";
    static final String PUT_RECORDS_RECORDS = "putRecordsRecords";
    static final String PUT_RECORDS_FAILED = "putRecordsFailed";
    static final String PUT_RECORDS_THROTTLED = "putRecordsThrottled";
    static final String GET_RECORDS_CALLS = "getRecordsCalls";
    static final String GET_RECORDS_OK = "getRecordsOk";
    static final String READ_THROTTLED = "readThrottled";
    static final String WRITE_THROTTLED = "writeThrottled";
    static final String GET_RECORDS_AGE = "getRecordsAge";
    static final String SUBSCRIBE_CALLS = "subscribeCalls";
    static final String SUBSCRIBE_OK = "subscribeOk";
    static final String SUBSCRIBE_BEHIND = "subscribeBehind";

    private final CloudWatchClient cloudWatch;
    private final Clock clock;
    private final Duration period;
    private final Duration publishDelay;

    public CloudWatchSignals(CloudWatchClient cloudWatch, Clock clock, Duration period, Duration publishDelay) {
        if (period.toSeconds() < 60 || period.toSeconds() % 60 != 0) {
            throw new IllegalArgumentException(
                    "period must be a multiple of 60 s for standard-resolution metrics: " + period);
        }
        this.cloudWatch = cloudWatch;
        this.clock = clock;
        this.period = period;
        this.publishDelay = publishDelay;
    }

    /** The stream's calls, failures and iterator age over the last {@code window} (a multiple of the period). */
    public StreamSignals read(String streamName, List<String> consumerNames, Duration window) {
        long p = period.toSeconds();
        long endSecond = Math.floorDiv(clock.instant().minus(publishDelay).getEpochSecond(), p) * p;
        Instant end = Instant.ofEpochSecond(endSecond);
        Instant start = end.minus(window);
        GetMetricDataRequest request = request(streamName, consumerNames, start, end);
        Map<String, Map<Instant, Double>> points = new HashMap<>();
        String status = "Complete";
        String token = null;
        do {
            GetMetricDataResponse page = cloudWatch.getMetricData(
                    request.toBuilder().nextToken(token).build());
            for (MetricDataResult r : page.metricDataResults()) {
                Map<Instant, Double> byTime = points.computeIfAbsent(r.id(), k -> new HashMap<>());
                for (int i = 0; i < r.timestamps().size() && i < r.values().size(); i++) {
                    byTime.put(r.timestamps().get(i), r.values().get(i));
                }
                if (!"Complete".equals(r.statusCodeAsString())) {
                    status = r.statusCodeAsString();
                }
            }
            token = page.nextToken();
        } while (token != null && !token.isEmpty());
        return signals(streamName, consumerNames.size(), points, status, start, end);
    }

    /** The exact request {@link #read} sends (also what a dry run shows). */
    public GetMetricDataRequest request(String streamName, List<String> consumerNames, Instant start, Instant end) {
        List<MetricDataQuery> q = new ArrayList<>();
        q.add(metric(PUT_RECORD_CALLS, "PutRecord.Success", "SampleCount", streamName, null));
        q.add(metric(PUT_RECORD_OK, "PutRecord.Success", "Sum", streamName, null));
        q.add(metric(PUT_RECORDS_RECORDS, "PutRecords.TotalRecords", "Sum", streamName, null));
        q.add(metric(PUT_RECORDS_FAILED, "PutRecords.FailedRecords", "Sum", streamName, null));
        q.add(metric(PUT_RECORDS_THROTTLED, "PutRecords.ThrottledRecords", "Sum", streamName, null));
        q.add(metric(GET_RECORDS_CALLS, "GetRecords.Success", "SampleCount", streamName, null));
        q.add(metric(GET_RECORDS_OK, "GetRecords.Success", "Sum", streamName, null));
        q.add(metric(READ_THROTTLED, "ReadProvisionedThroughputExceeded", "Sum", streamName, null));
        q.add(metric(WRITE_THROTTLED, "WriteProvisionedThroughputExceeded", "Sum", streamName, null));
        q.add(metric(GET_RECORDS_AGE, "GetRecords.IteratorAgeMilliseconds", "Maximum", streamName, null));
        for (int i = 0; i < consumerNames.size(); i++) {
            String consumer = consumerNames.get(i);
            q.add(metric(SUBSCRIBE_CALLS + i, "SubscribeToShard.Success", "SampleCount", streamName, consumer));
            q.add(metric(SUBSCRIBE_OK + i, "SubscribeToShard.Success", "Sum", streamName, consumer));
            q.add(metric(
                    SUBSCRIBE_BEHIND + i, "SubscribeToShardEvent.MillisBehindLatest", "Maximum", streamName, consumer));
        }
        return GetMetricDataRequest.builder()
                .startTime(start)
                .endTime(end)
                .scanBy(ScanBy.TIMESTAMP_ASCENDING)
                .metricDataQueries(q)
                .build();
    }

    private MetricDataQuery metric(String id, String name, String stat, String stream, String consumer) {
        List<Dimension> dims = new ArrayList<>();
        dims.add(Dimension.builder().name("StreamName").value(stream).build());
        if (consumer != null) {
            dims.add(Dimension.builder().name("ConsumerName").value(consumer).build());
        }
        return MetricDataQuery.builder()
                .id(id)
                .returnData(true)
                .metricStat(s -> s.stat(stat)
                        .period((int) period.toSeconds())
                        .metric(m -> m.namespace(NAMESPACE).metricName(name).dimensions(dims)))
                .build();
    }

    private StreamSignals signals(
            String stream,
            int consumers,
            Map<String, Map<Instant, Double>> points,
            String status,
            Instant start,
            Instant end) {
        List<PeriodValue> rates = new ArrayList<>();
        List<PeriodValue> ages = new ArrayList<>();
        double total = 0;
        double failed = 0;
        double throttled = 0;
        for (Instant t = start; t.isBefore(end); t = t.plus(period)) {
            Period at = new Period(points, t);
            double writeThrottled = at.value(WRITE_THROTTLED);
            double readThrottled = at.value(READ_THROTTLED);
            double putRecordThrottled = Math.max(0, writeThrottled - at.value(PUT_RECORDS_THROTTLED));
            double periodFailed = Math.max(0, at.value(PUT_RECORD_CALLS) - at.value(PUT_RECORD_OK) - putRecordThrottled)
                    + at.value(PUT_RECORDS_FAILED)
                    + Math.max(0, at.value(GET_RECORDS_CALLS) - at.value(GET_RECORDS_OK) - readThrottled);
            double periodTotal =
                    at.value(PUT_RECORD_CALLS) + at.value(PUT_RECORDS_RECORDS) + at.value(GET_RECORDS_CALLS);
            Double age = at.max(GET_RECORDS_AGE);
            for (int i = 0; i < consumers; i++) {
                periodFailed += Math.max(0, at.value(SUBSCRIBE_CALLS + i) - at.value(SUBSCRIBE_OK + i));
                periodTotal += at.value(SUBSCRIBE_CALLS + i);
                Double behind = at.max(SUBSCRIBE_BEHIND + i);
                if (behind != null && (age == null || behind > age)) {
                    age = behind;
                }
            }
            rates.add(periodTotal > 0 ? new PeriodValue(t, 100 * periodFailed / periodTotal) : PeriodValue.missing(t));
            ages.add(age == null ? PeriodValue.missing(t) : new PeriodValue(t, age));
            total += periodTotal;
            failed += periodFailed;
            throttled += writeThrottled + readThrottled;
        }
        return new StreamSignals(
                stream,
                start,
                end,
                new StreamSignals.Counts(total, failed, throttled),
                new Series("errorRatePercent", rates, status),
                new Series("iteratorAgeMillis", ages, status));
    }

    /** One period's datapoints by query id; a metric without one had no calls then. */
    private record Period(Map<String, Map<Instant, Double>> points, Instant at) {
        double value(String id) {
            Double v = max(id);
            return v == null ? 0 : v;
        }

        Double max(String id) {
            Double v = points.getOrDefault(id, Map.of()).get(at);
            return v == null || v.isNaN() ? null : v;
        }
    }
}
