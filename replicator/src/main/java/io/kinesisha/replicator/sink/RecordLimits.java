package io.kinesisha.replicator.sink;

import java.time.Duration;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.kinesis.model.DescribeStreamSummaryResponse;
import software.amazon.awssdk.services.kinesis.model.StreamDescriptionSummary;

/**
 * The largest record a stream accepts. Streams take 1 MiB unless raised with UpdateMaxRecordSize (up to 10 MiB), so a
 * replicator must ask the target instead of assuming the old fixed limit: a larger record the source accepted would
 * otherwise fail or be refused for no reason.
 */
public final class RecordLimits {
    private static final Logger LOG = LoggerFactory.getLogger(RecordLimits.class);
    /** What a stream accepts when DescribeStreamSummary does not say (the default of every stream). */
    public static final int DEFAULT_MAX_RECORD_BYTES = SinkEntry.MAX_RECORD_BYTES;
    /** The most UpdateMaxRecordSize allows. */
    public static final int LARGEST_MAX_RECORD_BYTES = 10 * 1024 * 1024;
    /** Bounds the DescribeStreamSummary call when a writer or a plan starts. */
    public static final Duration DESCRIBE_TIMEOUT = Duration.ofSeconds(10);

    private RecordLimits() {}

    /** Bytes (data plus partition key) of the largest record {@code summary}'s stream accepts. */
    public static int maxRecordBytes(StreamDescriptionSummary summary) {
        Integer kib = summary == null ? null : summary.maxRecordSizeInKiB();
        return kib == null || kib <= 0
                ? DEFAULT_MAX_RECORD_BYTES
                : (int) Math.min((long) kib * 1024, LARGEST_MAX_RECORD_BYTES);
    }

    /**
     * Asks the stream; if it cannot be asked (no permission, unreachable), assumes the default and says so: a larger
     * record then fails the job with both limits named rather than being written or dropped silently.
     */
    public static int maxRecordBytes(String streamArn, Supplier<DescribeStreamSummaryResponse> describe) {
        try {
            int bytes = maxRecordBytes(describe.get().streamDescriptionSummary());
            LOG.info("{} accepts records of up to {} KiB", streamArn, bytes / 1024);
            return bytes;
        } catch (RuntimeException e) {
            LOG.warn(
                    "cannot read the maximum record size of {} (DescribeStreamSummary: {}); assuming the default of {} KiB",
                    streamArn,
                    e.toString(),
                    DEFAULT_MAX_RECORD_BYTES / 1024);
            return DEFAULT_MAX_RECORD_BYTES;
        }
    }
}
