package io.kinesisha.replicator.sink;

/**
 * Names of the metrics the sink registers in its writer metric group (next to Flink's standard
 * {@code numRecordsSend}, {@code numBytesSend} and {@code numRecordsSendErrors}, which it also maintains).
 */
public final class SinkMetrics {
    /** Counter: entries acknowledged by Kinesis. */
    public static final String RECORDS_OUT = "kinesisRecordsOut";
    /** Counter: bytes (data plus partition key) acknowledged by Kinesis. */
    public static final String BYTES_OUT = "kinesisBytesOut";
    /** Counter: entries sent again after a retryable failure (entry error or failed request). */
    public static final String RETRIES = "kinesisRetries";
    /** Counter: entries that came back throttled (ProvisionedThroughputExceeded or a throttled request). */
    public static final String THROTTLED = "kinesisThrottledEntries";
    /** Counter: entries that failed with a non-retryable error (the job fails). */
    public static final String FAILED = "kinesisFailedEntries";
    /** Counter: PutRecords requests sent. */
    public static final String BATCHES = "kinesisBatches";
    /** Counter: acknowledgements that arrived for an entry older than one already acknowledged for its key. Must stay 0. */
    public static final String REORDERS = "kinesisReorders";
    /** Gauge: PutRecords requests in flight. */
    public static final String IN_FLIGHT = "kinesisInFlightBatches";
    /** Gauge: entries accepted and not yet acknowledged (including those in flight). */
    public static final String BUFFERED = "kinesisBufferedRecords";
    /** Gauge: 1 while the write gate does not permit writing, else 0. */
    public static final String FENCED = "kinesisFenced";

    private SinkMetrics() {
    }
}
