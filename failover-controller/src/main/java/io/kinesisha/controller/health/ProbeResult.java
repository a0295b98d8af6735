package io.kinesisha.controller.health;

import java.time.Duration;
import java.time.Instant;

/**
 * One active probe of a region's Kinesis endpoint: whether DescribeStreamSummary and ListShards both answered
 * within the timeout (and the stream was usable), how long that took, and the error otherwise.
 */
public record ProbeResult(
        Instant at, String region, boolean healthy, Duration latency, String streamStatus, String error) {
    @Override
    public String toString() {
        return region + (healthy ? " ok " : " FAILED ") + latency.toMillis() + " ms"
                + (streamStatus == null ? "" : " " + streamStatus) + (error == null ? "" : ": " + error);
    }
}
