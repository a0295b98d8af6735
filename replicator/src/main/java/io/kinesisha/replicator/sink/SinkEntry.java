package io.kinesisha.replicator.sink;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * What one element becomes in the target stream: a partition key and the data bytes. Order is kept per
 * partition key, so the key is both the routing and the ordering unit.
 */
public final class SinkEntry {
    /** The most a record may weigh in Kinesis: data plus partition key. */
    public static final int MAX_RECORD_BYTES = 1024 * 1024;
    /** Kinesis partition keys are 1 to 256 Unicode characters. */
    public static final int MAX_PARTITION_KEY_LENGTH = 256;

    private final String partitionKey;
    private final byte[] data;

    private SinkEntry(String partitionKey, byte[] data) {
        this.partitionKey = Objects.requireNonNull(partitionKey, "partitionKey");
        this.data = Objects.requireNonNull(data, "data");
    }

    /** An entry with these bytes (not copied: do not modify them afterwards). */
    public static SinkEntry of(String partitionKey, byte[] data) {
        return new SinkEntry(partitionKey, data);
    }

    public String partitionKey() {
        return partitionKey;
    }

    public byte[] data() {
        return data;
    }

    /** The size Kinesis counts against its per-record and per-request limits: data plus UTF-8 key. */
    public int sizeInBytes() {
        return data.length + partitionKey.getBytes(StandardCharsets.UTF_8).length;
    }
}
