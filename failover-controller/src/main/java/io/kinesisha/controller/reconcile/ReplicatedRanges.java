package io.kinesisha.controller.reconcile;

import io.kinesisha.common.control.ReplicationStart;
import java.math.BigInteger;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Where records that arrived by replication begin in a region's stream after it stopped being the source: per
 * shard, the earliest position a later replication into it started writing after. A shard that was empty then, or
 * did not exist, holds no record of the region's own. Without such a replication nothing is excluded.
 */
final class ReplicatedRanges {
    private final List<ReplicationStart> later;

    private ReplicatedRanges(List<ReplicationStart> later) {
        this.later = later;
    }

    /** The replications into the region that run under an epoch after {@code fencedEpoch}. */
    static ReplicatedRanges after(List<ReplicationStart> startsInto, long fencedEpoch) {
        return new ReplicatedRanges(
                startsInto.stream().filter(s -> s.epoch() > fencedEpoch).collect(Collectors.toList()));
    }

    /** True if every record of {@code shardId} arrived by replication. */
    boolean excludesWhole(String shardId) {
        return later.stream().anyMatch(s -> {
            String tip = s.targetTips().get(shardId);
            return tip == null || tip.isEmpty();
        });
    }

    /** The last record of the region's own in {@code shardId}; {@code null}: up to the shard's end. */
    String lastOwn(String shardId) {
        BigInteger min = null;
        for (ReplicationStart s : later) {
            BigInteger tip = new BigInteger(s.targetTips().get(shardId));
            min = min == null || tip.compareTo(min) < 0 ? tip : min;
        }
        return min == null ? null : min.toString();
    }
}
