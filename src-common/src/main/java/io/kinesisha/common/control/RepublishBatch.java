package io.kinesisha.common.control;

import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * One batch of orphans copied into the active stream during failback, written to the ledger before the copy
 * ({@link State#INTENDED}) and after it ({@link State#COPIED}, with where each copy landed). A re-run copies
 * only what no COPIED batch holds, and reverse replication skips the copies' target positions, so an orphan is
 * copied once and never travels back to the region it came from.
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
        this.pairName = Objects.requireNonNull(pairName, "pairName");
        this.cutEpoch = cutEpoch;
        this.number = number;
        this.state = Objects.requireNonNull(state, "state");
        this.orphanIds = Collections.unmodifiableList(List.copyOf(orphanIds));
        this.targets = Collections.unmodifiableList(List.copyOf(targets));
        this.at = Objects.requireNonNull(at, "at");
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

    public RepublishBatch copied(List<String> targetPositions, Instant now) {
        return new RepublishBatch(pairName, cutEpoch, number, State.COPIED, orphanIds, targetPositions, now);
    }
}
