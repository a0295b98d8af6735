package io.kinesisha.replicator.sink;

import java.util.Objects;

/**
 * What one element becomes in the target stream: a partition key, the data bytes and, optionally, an explicit
 * hash key. Order is kept per partition key, so the key is the ordering unit; it is also the routing unit unless an
 * explicit hash key overrides it (a de-aggregated KPL user record that was routed by one keeps its routing).
 */
public final class SinkEntry {
    /** The most a record may weigh in Kinesis: data plus partition key. */
    public static final int MAX_RECORD_BYTES = 1024 * 1024;
    /** Kinesis partition keys are 1 to 256 Unicode characters. */
    public static final int MAX_PARTITION_KEY_LENGTH = 256;

    private final String partitionKey;
    private final byte[] data;
    private final String explicitHashKey;

    private SinkEntry(String partitionKey, byte[] data, String explicitHashKey) {
        this.partitionKey = Objects.requireNonNull(partitionKey, "partitionKey");
        this.data = Objects.requireNonNull(data, "data");
        this.explicitHashKey = explicitHashKey;
    }

    /** An entry with these bytes (not copied: do not modify them afterwards). */
    public static SinkEntry of(String partitionKey, byte[] data) {
        return new SinkEntry(partitionKey, data, null);
    }

    /**
     * An entry routed by {@code explicitHashKey} (a decimal 0 to 2^128-1) instead of its partition key's MD5, or by
     * the key if it is null.
     */
    public static SinkEntry of(String partitionKey, byte[] data, String explicitHashKey) {
        return new SinkEntry(partitionKey, data, explicitHashKey);
    }

    public String partitionKey() {
        return partitionKey;
    }

    public byte[] data() {
        return data;
    }

    /** The explicit hash key, or null when the partition key routes the entry. */
    public String explicitHashKey() {
        return explicitHashKey;
    }

    /** The size Kinesis counts against its per-record and per-request limits: data plus UTF-8 key. */
    public int sizeInBytes() {
        return data.length + utf8Length(partitionKey);
    }

    /** The key's UTF-8 length, counted without encoding it (this runs once per record). */
    static int utf8Length(String s) {
        int n = s.length();
        int bytes = n;
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c >= 0x80) {
                if (c < 0x800) {
                    bytes += 1;
                } else if (!Character.isSurrogate(c)) {
                    bytes += 2;
                } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                    bytes += 2; // 4 bytes for the pair of 2 chars
                    i++;
                } // a lone surrogate is encoded as '?', 1 byte, as String.getBytes does
            }
        }
        return bytes;
    }
}
