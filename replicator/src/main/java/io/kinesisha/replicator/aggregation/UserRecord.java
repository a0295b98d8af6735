package io.kinesisha.replicator.aggregation;

import java.util.Objects;

/**
 * One record a producer put through the KPL, as it sits inside an aggregate: its own partition key, its explicit
 * hash key if it had one, and its data. Each one routes and orders on its own key, not on the aggregate's.
 */
public final class UserRecord {
    private final String partitionKey;
    private final String explicitHashKey;
    private final byte[] data;

    UserRecord(String partitionKey, String explicitHashKey, byte[] data) {
        this.partitionKey = Objects.requireNonNull(partitionKey, "partitionKey");
        this.explicitHashKey = explicitHashKey;
        this.data = Objects.requireNonNull(data, "data");
    }

    public String partitionKey() {
        return partitionKey;
    }

    /** The explicit hash key in canonical decimal form (as PutRecords accepts it), or null: routed by the key's MD5. */
    public String explicitHashKey() {
        return explicitHashKey;
    }

    public byte[] data() {
        return data;
    }

    @Override
    public String toString() {
        return "UserRecord{key=" + partitionKey + (explicitHashKey == null ? "" : " ehk=" + explicitHashKey) + ", "
                + data.length + " bytes}";
    }
}
