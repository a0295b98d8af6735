package io.kinesisha.common.control;

import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Where one region's stream stood when it became the replication source: per shard, the last record written
 * before producers were moved into it (empty string: the shard had no record). Everything after a shard's tip
 * was written by producers (or by orphan republishing) in that region, everything up to it came from the other
 * region, so replication out of this region starts after the tips and never copies a record back where it came
 * from. Taken once per switch, after the fence has settled and before the region is activated.
 */
public final class StreamCut {
    private final String pairName;
    private final String region;
    private final long epoch;
    private final Instant takenAt;
    private final ReplicationDirection fencedDirection;
    private final long fencedEpoch;
    private final Map<String, String> tips;

    /**
     * @param epoch           the control record's epoch when the cut was taken (the fence's epoch)
     * @param fencedDirection the replication the switch stopped ({@code null} if none ran)
     * @param fencedEpoch     the epoch that replication ran under (its progress rows are keyed by it)
     * @param tips            shard id to the sequence number of its last record, or "" for an empty shard
     */
    public StreamCut(
            String pairName,
            String region,
            long epoch,
            Instant takenAt,
            ReplicationDirection fencedDirection,
            long fencedEpoch,
            Map<String, String> tips) {
        this.pairName = Objects.requireNonNull(pairName, "pairName");
        this.region = Objects.requireNonNull(region, "region");
        this.epoch = epoch;
        this.takenAt = Objects.requireNonNull(takenAt, "takenAt");
        this.fencedDirection = fencedDirection;
        this.fencedEpoch = fencedEpoch;
        this.tips = Collections.unmodifiableMap(new TreeMap<>(tips));
    }

    public String pairName() {
        return pairName;
    }

    public String region() {
        return region;
    }

    public long epoch() {
        return epoch;
    }

    public Instant takenAt() {
        return takenAt;
    }

    public ReplicationDirection fencedDirection() {
        return fencedDirection;
    }

    public long fencedEpoch() {
        return fencedEpoch;
    }

    /** Shard id to the last sequence number before the cut; "" for a shard that was empty. */
    public Map<String, String> tips() {
        return tips;
    }

    /** True if {@code shardId} existed at the cut (shards created later are entirely after it). */
    public boolean covers(String shardId) {
        return tips.containsKey(shardId);
    }

    /** The shard's last sequence number before the cut, {@code null} if it was empty or did not exist. */
    public String tip(String shardId) {
        String tip = tips.get(shardId);
        return tip == null || tip.isEmpty() ? null : tip;
    }

    @Override
    public String toString() {
        return "StreamCut{" + pairName + " " + region + " epoch " + epoch + " at " + takenAt + ", fenced "
                + fencedDirection + " epoch " + fencedEpoch + ", " + tips.size() + " shard(s)}";
    }
}
