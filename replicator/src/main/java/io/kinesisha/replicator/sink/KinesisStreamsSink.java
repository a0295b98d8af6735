package io.kinesisha.replicator.sink;

import io.kinesisha.common.aws.AwsTarget;
import io.kinesisha.common.aws.ClientTuning;
import java.io.IOException;
import java.time.Duration;
import java.util.Objects;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/**
 * A Kinesis Data Streams sink that keeps per-partition-key order in the target even when PutRecords entries fail
 * partially, are throttled or retried: it keeps at most one entry per key in flight, so a later record of a key
 * can never overtake an earlier one (see {@link OrderedKinesisWriter}). At-least-once with checkpoints: a
 * checkpoint completes only after everything before its barrier is acknowledged. Optionally fenced by a
 * {@link WriteGate}: while the gate is closed nothing is sent and back-pressure builds up. Each PutRecords call is
 * one SDK attempt bounded by the request timeout; the writer, not the SDK, retries, and only after asking the gate
 * again, so no request is sent later than one gate confirmation and lives longer than one request timeout.
 *
 * <p>Upstream must route all elements of a partition key to the same sink subtask in order (e.g. {@code keyBy}
 * on the partition key, or one source shard per subtask); the sink keeps the order it is given. Each writer reads
 * the target's maximum record size when it starts; a larger record fails the job (it is never dropped).
 *
 * @param <T> the element type
 */
public final class KinesisStreamsSink<T> implements Sink<T> {
    private static final long serialVersionUID = 1L;

    /** Kinesis limits for one PutRecords request. */
    public static final int MAX_RECORDS_PER_REQUEST = 500;

    public static final long MAX_BYTES_PER_REQUEST = 5L * 1024 * 1024;
    /** Records of one partition key a writer holds before {@code write} waits (see {@link Builder#maxBufferedPerKey}). */
    public static final int DEFAULT_MAX_BUFFERED_PER_KEY = 200;
    /** PutRecords answers in tens of milliseconds; a second means the target is in trouble. */
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(1);

    private final AwsTarget target;
    private final String streamArn;
    private final long requestTimeoutMillis;
    private final KinesisSinkElementConverter<T> converter;
    private final int maxBatchSize;
    private final long maxBatchBytes;
    private final int maxInFlightBatches;
    private final int maxBufferedRecords;
    private final int maxBufferedPerKey;
    private final long initialBackoffMillis;
    private final long maxBackoffMillis;
    private final SinkWriteListener<T> listener;
    private final RecordDescriber<T> describer;
    private final WriteGate gate;
    private final ClientOverrides clientOverrides;

    private KinesisStreamsSink(Builder<T> b) {
        this.target = Objects.requireNonNull(b.target, "target");
        this.streamArn = Objects.requireNonNull(b.streamArn, "streamArn");
        this.requestTimeoutMillis = b.requestTimeout.toMillis();
        this.converter = Objects.requireNonNull(b.converter, "converter");
        this.maxBatchSize = b.maxBatchSize;
        this.maxBatchBytes = b.maxBatchBytes;
        this.maxInFlightBatches = b.maxInFlightBatches;
        this.maxBufferedRecords = b.maxBufferedRecords;
        this.maxBufferedPerKey = b.maxBufferedPerKey;
        this.initialBackoffMillis = b.initialBackoff.toMillis();
        this.maxBackoffMillis = b.maxBackoff.toMillis();
        this.listener = b.listener;
        this.describer = b.describer;
        this.gate = b.gate;
        this.clientOverrides = b.clientOverrides;
    }

    public static <T> Builder<T> builder() {
        return new Builder<>();
    }

    @Override
    public SinkWriter<T> createWriter(WriterInitContext context) throws IOException {
        return new OrderedKinesisWriter<>(this, context);
    }

    /** Flink 1.20 still declares the old factory method abstract; the runtime calls the one above. */
    @Override
    @Deprecated
    public SinkWriter<T> createWriter(InitContext context) {
        throw new UnsupportedOperationException("KinesisStreamsSink needs a WriterInitContext (Flink 1.20+)");
    }

    AwsTarget target() {
        return target;
    }

    String streamArn() {
        return streamArn;
    }

    /** One attempt per call, bounded by the request timeout: the SDK never resends behind the write gate's back. */
    ClientTuning tuning() {
        Duration timeout = Duration.ofMillis(requestTimeoutMillis);
        return new ClientTuning(timeout, timeout, 1);
    }

    KinesisSinkElementConverter<T> converter() {
        return converter;
    }

    int maxBatchSize() {
        return maxBatchSize;
    }

    long maxBatchBytes() {
        return maxBatchBytes;
    }

    int maxInFlightBatches() {
        return maxInFlightBatches;
    }

    int maxBufferedRecords() {
        return maxBufferedRecords;
    }

    int maxBufferedPerKey() {
        return maxBufferedPerKey;
    }

    long initialBackoffMillis() {
        return initialBackoffMillis;
    }

    long maxBackoffMillis() {
        return maxBackoffMillis;
    }

    SinkWriteListener<T> listener() {
        return listener;
    }

    RecordDescriber<T> describer() {
        return describer;
    }

    WriteGate gate() {
        return gate;
    }

    ClientOverrides clientOverrides() {
        return clientOverrides;
    }

    @Override
    public String toString() {
        return "KinesisStreamsSink{" + streamArn + " in " + target + "}";
    }

    /** Builds a {@link KinesisStreamsSink}; target, stream ARN and converter are required. */
    public static final class Builder<T> {
        private AwsTarget target;
        private String streamArn;
        private Duration requestTimeout = DEFAULT_REQUEST_TIMEOUT;
        private KinesisSinkElementConverter<T> converter;
        private int maxBatchSize = MAX_RECORDS_PER_REQUEST;
        private long maxBatchBytes = MAX_BYTES_PER_REQUEST;
        private int maxInFlightBatches = 4;
        private int maxBufferedRecords = 10_000;
        private int maxBufferedPerKey = DEFAULT_MAX_BUFFERED_PER_KEY;
        private Duration initialBackoff = Duration.ofMillis(100);
        private Duration maxBackoff = Duration.ofSeconds(5);
        private SinkWriteListener<T> listener;
        private RecordDescriber<T> describer;
        private WriteGate gate;
        private ClientOverrides clientOverrides = builder -> {};

        private Builder() {}

        /** Region, endpoint and credentials of the target stream (default credentials chain or static keys). */
        public Builder<T> target(AwsTarget awsTarget) {
            this.target = awsTarget;
            return this;
        }

        public Builder<T> streamArn(String arn) {
            this.streamArn = arn;
            return this;
        }

        /**
         * The whole life of one PutRecords call, a single attempt (default 1 s). With a write gate, the gate's lease
         * plus this is the longest a record can land after the gate closes.
         */
        public Builder<T> requestTimeout(Duration timeout) {
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("requestTimeout must be positive, was " + timeout);
            }
            this.requestTimeout = timeout;
            return this;
        }

        public Builder<T> elementConverter(KinesisSinkElementConverter<T> elementConverter) {
            this.converter = elementConverter;
            return this;
        }

        /** Entries per PutRecords request, 1 to 500 (default 500). */
        public Builder<T> maxBatchSize(int records) {
            if (records < 1 || records > MAX_RECORDS_PER_REQUEST) {
                throw new IllegalArgumentException(
                        "maxBatchSize must be 1.." + MAX_RECORDS_PER_REQUEST + ", was " + records);
            }
            this.maxBatchSize = records;
            return this;
        }

        /**
         * Bytes (data plus keys) per request, 1 MiB to 5 MiB (default 5 MiB). A record larger than this (a stream
         * may accept up to 10 MiB) is sent in a request of its own.
         */
        public Builder<T> maxBatchBytes(long bytes) {
            if (bytes < SinkEntry.MAX_RECORD_BYTES || bytes > MAX_BYTES_PER_REQUEST) {
                throw new IllegalArgumentException("maxBatchBytes must be " + SinkEntry.MAX_RECORD_BYTES + ".."
                        + MAX_BYTES_PER_REQUEST + ", was " + bytes);
            }
            this.maxBatchBytes = bytes;
            return this;
        }

        /** PutRecords requests in flight per writer (default 4). */
        public Builder<T> maxInFlightBatches(int batches) {
            if (batches < 1) {
                throw new IllegalArgumentException("maxInFlightBatches must be >= 1, was " + batches);
            }
            this.maxInFlightBatches = batches;
            return this;
        }

        /** Unacknowledged entries per writer above which {@code write} back-pressures (default 10,000). */
        public Builder<T> maxBufferedRecords(int records) {
            if (records < 1) {
                throw new IllegalArgumentException("maxBufferedRecords must be >= 1, was " + records);
            }
            this.maxBufferedRecords = records;
            return this;
        }

        /**
         * Unacknowledged entries of one partition key above which {@code write} waits (default 200). A key's entries
         * go one round trip each, so this bounds how long a checkpoint flush takes with a hot key.
         */
        public Builder<T> maxBufferedPerKey(int records) {
            if (records < 1) {
                throw new IllegalArgumentException("maxBufferedPerKey must be >= 1, was " + records);
            }
            this.maxBufferedPerKey = records;
            return this;
        }

        /** Backoff before an entry is sent again: doubles per attempt from {@code initial} up to {@code max}. */
        public Builder<T> retryBackoff(Duration initial, Duration max) {
            if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
                throw new IllegalArgumentException(
                        "retry backoff must satisfy 0 < initial <= max, was " + initial + ", " + max);
            }
            this.initialBackoff = initial;
            this.maxBackoff = max;
            return this;
        }

        public Builder<T> listener(SinkWriteListener<T> writeListener) {
            this.listener = writeListener;
            return this;
        }

        /** Where an element comes from, named in the error when the target refuses its size. */
        public Builder<T> recordDescriber(RecordDescriber<T> recordDescriber) {
            this.describer = recordDescriber;
            return this;
        }

        public Builder<T> writeGate(WriteGate writeGate) {
            this.gate = writeGate;
            return this;
        }

        /** Extra SDK client configuration, e.g. execution interceptors. */
        public Builder<T> clientOverrides(ClientOverrides overrides) {
            this.clientOverrides = Objects.requireNonNull(overrides, "overrides");
            return this;
        }

        public KinesisStreamsSink<T> build() {
            if (streamArn == null || !streamArn.startsWith("arn:")) {
                throw new IllegalArgumentException("streamArn must be a Kinesis stream ARN, was " + streamArn);
            }
            return new KinesisStreamsSink<>(this);
        }
    }
}
