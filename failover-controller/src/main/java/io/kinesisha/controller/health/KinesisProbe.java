package io.kinesisha.controller.health;

import io.kinesisha.common.aws.AwsClientFactory;
import io.kinesisha.common.aws.AwsTarget;
import io.kinesisha.common.aws.ClientTuning;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.StreamStatus;

/**
 * Asks a region's Kinesis endpoint, from where the controller runs, whether the stream answers: CloudWatch
 * lags by minutes and lives in the same region, a probe sees an outage within one timeout. One attempt, no
 * retries, every socket timeout and the whole probe bounded by {@code timeout}: a blackholed endpoint becomes a
 * failed probe, never a hung controller.
 */
public final class KinesisProbe implements AutoCloseable {
    private final KinesisClient kinesis;
    private final String region;
    private final String streamArn;
    private final Duration timeout;
    private final Clock clock;

    public KinesisProbe(AwsTarget target, String streamArn, Duration timeout, Clock clock) {
        AwsClientFactory factory = new AwsClientFactory(new ClientTuning(timeout, timeout, 1));
        this.kinesis = factory.configure(KinesisClient.builder(), target)
                .httpClientBuilder(ApacheHttpClient.builder()
                        .connectionTimeout(timeout)
                        .socketTimeout(timeout)
                        .connectionAcquisitionTimeout(timeout)
                        .maxConnections(2))
                .build();
        this.region = target.regionName();
        this.streamArn = streamArn;
        this.timeout = timeout;
        this.clock = clock;
    }

    public ProbeResult probe() {
        Instant at = clock.instant();
        long started = System.nanoTime();
        String status = null;
        try {
            StreamStatus s = kinesis.describeStreamSummary(b ->
                            b.streamARN(streamArn).overrideConfiguration(c -> c.apiCallTimeout(remaining(started))))
                    .streamDescriptionSummary()
                    .streamStatus();
            status = s.toString();
            kinesis.listShards(b -> b.streamARN(streamArn)
                    .maxResults(1)
                    .overrideConfiguration(c -> c.apiCallTimeout(remaining(started))));
            Duration latency = Duration.ofNanos(System.nanoTime() - started);
            boolean usable = s == StreamStatus.ACTIVE || s == StreamStatus.UPDATING;
            return new ProbeResult(at, region, usable, latency, status, usable ? null : "stream is " + status);
        } catch (RuntimeException e) {
            return new ProbeResult(
                    at,
                    region,
                    false,
                    Duration.ofNanos(System.nanoTime() - started),
                    status,
                    e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    private Duration remaining(long startedNanos) {
        Duration left = timeout.minusNanos(System.nanoTime() - startedNanos);
        return left.compareTo(Duration.ofMillis(1)) < 0 ? Duration.ofMillis(1) : left;
    }

    @Override
    public void close() {
        kinesis.close();
    }
}
