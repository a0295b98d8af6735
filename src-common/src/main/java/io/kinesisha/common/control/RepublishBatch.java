package io.kinesisha.common.control;

import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * One batch of orphans copied into the active stream during failback, written to the ledger before the copy
 * ({@link State#INTENDED}) and after it ({@link State#COPIED}, with where each copy landed). A re-run copies
 * only what no COPIED batch holds, and reverse replication skips the copies' target positions, so an orphan is
 * copied once and never travels back to the region it came from. The {@link #tips()} bound where the copies can
 * land: a batch interrupted between PutRecords and the ledger looks for its copies only after them, so a producer's
 * identical record written before the batch is never taken for a copy (batches of older versions have none).
 */
public final class RepublishBatch {
    /** Before the PutRecords call, or after all of its entries succeeded. */
    public enum State {
        INTENDED,
        COPIED
    }

    private final String pairName;
    private final long cutEpoch;
    private final int number;
    private final State state;
    private final List<String> orphanIds;
    private final List<String> targets;
    private final Instant at;
    private final Map<String, String> tips;

    /**
     * @param cutEpoch  epoch of the {@link StreamCut} the orphans were found against
     * @param orphanIds {@code <source shard>@<source sequence number>} of each orphan, in copy order
     * @param targets   {@code <target shard>@<target sequence number>} of each copy (COPIED only), same order
     */
    public RepublishBatch(
            String pairName,
            long cutEpoch,
            int number,
            State state,
            List<String> orphanIds,
            List<String> targets,
            Instant at) {
        this(pairName, cutEpoch, number, state, orphanIds, targets, at, Map.of());
    }

    /**
     * @param tips per shard of the active stream, a sequence number every copy of this batch lands after ({@code ""}:
     *     the shard had no record; a shard not named was created later); empty: not recorded (older versions)
     */
    public RepublishBatch(
            String pairName,
            long cutEpoch,
            int number,
            State state,
            List<String> orphanIds,
            List<String> targets,
            Instant at,
            Map<String, String> tips) {
        this.pairName = Objects.requireNonNull(pairName, "pairName");
        this.cutEpoch = cutEpoch;
        this.number = number;
        this.state = Objects.requireNonNull(state, "state");
        this.orphanIds = Collections.unmodifiableList(List.copyOf(orphanIds));
        this.targets = Collections.unmodifiableList(List.copyOf(targets));
        this.at = Objects.requireNonNull(at, "at");
        this.tips = Collections.unmodifiableMap(new TreeMap<>(tips));
        if (state == State.COPIED && targets.size() != orphanIds.size()) {
            throw new IllegalArgumentException("a copied batch names a target for every orphan: " + orphanIds.size()
                    + " orphans, " + targets.size() + " targets");
        }
    }

    public String pairName() {
        return pairName;
    }

    public long cutEpoch() {
        return cutEpoch;
    }

    public int number() {
        return number;
    }

    public State state() {
        return state;
    }

    public List<String> orphanIds() {
        return orphanIds;
    }

    public List<String> targets() {
        return targets;
    }

    public Instant at() {
        return at;
    }

    /** Where the copies can land: after these positions (empty for batches recorded without them). */
    public Map<String, String> tips() {
        return tips;
    }

    public RepublishBatch copied(List<String> targetPositions, Instant now) {
        return new RepublishBatch(pairName, cutEpoch, number, State.COPIED, orphanIds, targetPositions, now, tips);
    }
}
