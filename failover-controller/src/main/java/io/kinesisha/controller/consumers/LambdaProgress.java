package io.kinesisha.controller.consumers;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import software.amazon.awssdk.services.cloudwatch.CloudWatchClient;
import software.amazon.awssdk.services.cloudwatch.model.GetMetricDataRequest;
import software.amazon.awssdk.services.cloudwatch.model.GetMetricDataResponse;
import software.amazon.awssdk.services.cloudwatch.model.MetricDataResult;
import software.amazon.awssdk.services.cloudwatch.model.ScanBy;

/**
 * A Lambda consumer's own position in the source stream, from its {@code AWS/Lambda IteratorAge} (the age of the
 * last record of each batch its mappings sent, per function, 1-minute Maximum), as the reference design derives it:
 * in the last minute with a datapoint, every batch was sent at or after the minute's start with records no older
 * than the maximum age, so the function had got to at least {@code minute start - max age} on every shard that sent
 * one. A shard without a batch since had nothing waiting. Metrics arrive a minute or two late: the position is
 * older than the true one (duplicates, not gaps). A batch that was failing and retried is counted up to its last
 * record; the margin of {@link LambdaStart} covers a short one, a mapping with long batching windows wants a larger one.
 */
public final class LambdaProgress {
    static final String NAMESPACE = "AWS/Lambda";
    static final String ID = "iteratorAge";
    private static final int PERIOD_SECONDS = 60;

    private final CloudWatchClient cloudWatch;
    private final Clock clock;
    private final Duration window;

    public LambdaProgress(CloudWatchClient cloudWatch, Clock clock, Duration window) {
        this.cloudWatch = cloudWatch;
        this.clock = clock;
        this.window = window;
    }

    /** The function's position, or unknown with the reason when CloudWatch does not answer. */
    public ConsumerPosition position(String function) {
        long minute = Math.floorDiv(clock.instant().getEpochSecond(), PERIOD_SECONDS) * PERIOD_SECONDS;
        Instant end = Instant.ofEpochSecond(minute + PERIOD_SECONDS);
        Instant start = end.minus(window);
        Instant latest = null;
        double age = 0;
        try {
            GetMetricDataRequest request = request(function, start, end);
            String token = null;
            do {
                GetMetricDataResponse page = cloudWatch.getMetricData(
                        request.toBuilder().nextToken(token).build());
                for (MetricDataResult r : page.metricDataResults()) {
                    for (int i = 0; i < r.timestamps().size() && i < r.values().size(); i++) {
                        Instant t = r.timestamps().get(i);
                        Double v = r.values().get(i);
                        if (v != null && !v.isNaN() && (latest == null || t.isAfter(latest))) {
                            latest = t;
                            age = v;
                        }
                    }
                }
                token = page.nextToken();
            } while (token != null && !token.isEmpty());
        } catch (RuntimeException e) {
            return ConsumerPosition.unknown(function, "IteratorAge of " + function + " unreadable: " + e.getMessage());
        }
        if (latest == null) {
            return new ConsumerPosition(
                    function,
                    start,
                    "no IteratorAge datapoint since " + start + ": no batch was sent,"
                            + " so nothing was waiting (or its mapping was off); the window's start");
        }
        long ageMillis = Math.round(age);
        return new ConsumerPosition(
                function,
                latest.minusMillis(ageMillis),
                "IteratorAge max " + ageMillis + " ms in the minute from " + latest);
    }

    /** The exact request {@link #position} sends. */
    public GetMetricDataRequest request(String function, Instant start, Instant end) {
        return GetMetricDataRequest.builder()
                .startTime(start)
                .endTime(end)
                .scanBy(ScanBy.TIMESTAMP_DESCENDING)
                .metricDataQueries(q -> q.id(ID)
                        .returnData(true)
                        .metricStat(s -> s.stat("Maximum")
                                .period(PERIOD_SECONDS)
                                .metric(m -> m.namespace(NAMESPACE)
                                        .metricName("IteratorAge")
                                        .dimensions(List.of(
                                                software.amazon.awssdk.services.cloudwatch.model.Dimension.builder()
                                                        .name("FunctionName")
                                                        .value(function)
                                                        .build())))))
                .build();
    }
}
