package io.kinesisha.common.control;

import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Where a replication direction started, in both streams: per source shard the position it reads after (the
 * source's cut), and per target shard the last record the target held before it could write ("" for an empty
 * shard). Everything in the target after {@link #targetTips()} up to where the replication was fenced arrived by
 * replication, so orphan reconciliation never takes those records for ones producers wrote, whatever operations
 * followed (a failback after a switchover, a failback abandoned and run again, {@code orphans --apply} later).
 */
public final class ReplicationStart {
    private final String pairName;
    private final ReplicationDirection direction;
    private final long epoch;
    private final Instant takenAt;
    private final Map<String, String> sourceTips;
    private final Map<String, String> targetTips;

    public ReplicationStart(
            String pairName,
            ReplicationDirection direction,
            long epoch,
            Instant takenAt,
            Map<String, String> sourceTips,
            Map<String, String> targetTips) {
        this.pairName = Objects.requireNonNull(pairName, "pairName");
        this.direction = Objects.requireNonNull(direction, "direction");
        this.epoch = epoch;
        this.takenAt = Objects.requireNonNull(takenAt, "takenAt");
        this.sourceTips = Collections.unmodifiableMap(new TreeMap<>(sourceTips));
        this.targetTips = Collections.unmodifiableMap(new TreeMap<>(targetTips));
    }

    public String pairName() {
        return pairName;
    }

    public ReplicationDirection direction() {
        return direction;
    }

    /** The epoch the replication writes under (its progress rows are keyed by it). */
    public long epoch() {
        return epoch;
    }

    public Instant takenAt() {
        return takenAt;
    }

    /** Source shard to the position reading starts after ("" or absent: the shard's start). */
    public Map<String, String> sourceTips() {
        return sourceTips;
    }

    /** Target shard to its last record before the replication could write; "" for an empty shard. */
    public Map<String, String> targetTips() {
        return targetTips;
    }

    @Override
    public String toString() {
        return "ReplicationStart{" + direction + " epoch " + epoch + " at " + takenAt + ", " + targetTips.size()
                + " target shard(s)}";
    }
}
