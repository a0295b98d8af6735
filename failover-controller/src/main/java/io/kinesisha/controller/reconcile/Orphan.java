package io.kinesisha.controller.reconcile;

import java.util.Arrays;

/** A record the old primary acknowledged that never reached the other region, with where it sits there. */
public record Orphan(String shardId, String sequenceNumber, long arrivalEpochMillis, String partitionKey, byte[] data) {
    /** {@code <shard>@<sequence number>}: how the ledger names it. */
    public String id() {
        return shardId + "@" + sequenceNumber;
    }

    /** Key and bytes: a copy has the same content. */
    String content() {
        return partitionKey + '\u0000' + java.util.Base64.getEncoder().encodeToString(data);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Orphan other && id().equals(other.id()) && Arrays.equals(data, other.data);
    }

    @Override
    public int hashCode() {
        return id().hashCode();
    }
}
