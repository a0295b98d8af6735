package io.kinesisha.replicator;

import io.kinesisha.common.control.ControlStore;
import io.kinesisha.common.control.ReplicationDirection;
import io.kinesisha.common.control.ReplicationLedger;
import io.kinesisha.common.control.RepublishBatch;
import io.kinesisha.common.control.ShardProgress;
import io.kinesisha.common.control.StreamCut;
import io.kinesisha.replicator.source.split.ShardStartingPosition;
import java.io.Serializable;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Where a newly submitted job starts reading, per source shard, so that nothing is copied twice and nothing
 * travels back: after the position its own epoch's progress rows record (a resubmitted job resumes), else after
 * the tip of the source region's newest {@link StreamCut} (replication out of a region that just became active
 * skips what came from the other region), else the configured starting position. Orphan copies republished into
 * the source after the cut are excluded by their positions.
 */
final class StartPositions implements Serializable {
    private static final long serialVersionUID = 1L;

    private final HashMap<String, ShardStartingPosition> positions;
    private final HashSet<String> excluded;
    private final boolean fromCut;
    /** Epoch of the cut orphans may be republished against while the job runs, or {@code null} if none can be. */
    private final Long republishCutEpoch;

    private final String summary;

    private StartPositions(
            Map<String, ShardStartingPosition> positions,
            Set<String> excluded,
            boolean fromCut,
            Long republishCutEpoch,
            String summary) {
        this.positions = new HashMap<>(positions);
        this.excluded = new HashSet<>(excluded);
        this.fromCut = fromCut;
        this.republishCutEpoch = republishCutEpoch;
        this.summary = summary;
    }

    static StartPositions resolve(
            ControlStore store, ReplicationLedger ledger, String pair, ReplicationDirection direction, long epoch) {
        Map<String, ShardStartingPosition> positions = new HashMap<>();
        Optional<StreamCut> cut = ledger.latestCut(pair, direction.sourceRegion(), epoch);
        cut.ifPresent(c -> c.tips()
                .forEach((shard, tip) -> positions.put(
                        shard,
                        tip.isEmpty()
                                ? ShardStartingPosition.trimHorizon()
                                : ShardStartingPosition.afterSequenceNumber(tip))));
        int resumed = 0;
        for (ShardProgress row : store.readProgress(pair, direction, epoch)) {
            if (row.lastSequenceNumber() != null) {
                positions.put(row.sourceShardId(), ShardStartingPosition.afterSequenceNumber(row.lastSequenceNumber()));
                resumed++;
            }
        }
        Set<String> excluded = new HashSet<>();
        if (cut.isPresent()) {
            List<RepublishBatch> batches = ledger.batches(pair, cut.get().epoch());
            List<Integer> unfinished = batches.stream()
                    .filter(b -> b.state() == RepublishBatch.State.INTENDED)
                    .map(RepublishBatch::number)
                    .collect(Collectors.toList());
            if (!unfinished.isEmpty()) {
                throw new IllegalStateException("orphan republishing against the cut of epoch "
                        + cut.get().epoch()
                        + " is unfinished (batches " + unfinished + "): finish it first (./kinesis-ha orphans --apply"
                        + " --yes, or resume the failback), or this job could copy those records back");
            }
            batches.forEach(b -> excluded.addAll(b.targets()));
        }
        String summary = cut.map(c ->
                                "after the cut of " + c.region() + " at epoch " + c.epoch() + " (" + c.takenAt() + ")")
                        .orElse("configured starting position")
                + (resumed == 0 ? "" : ", " + resumed + " shard(s) resumed from " + "progress of epoch " + epoch)
                + (excluded.isEmpty() ? "" : ", " + excluded.size() + " orphan copies skipped");
        // orphans of the target region are republished into the source against this cut (Reconciliation)
        boolean orphansPossible = cut.isPresent()
                && cut.get().fencedDirection() != null
                && cut.get().fencedDirection().sourceRegion().equals(direction.targetRegion());
        return new StartPositions(
                positions,
                excluded,
                cut.isPresent(),
                orphansPossible ? cut.get().epoch() : null,
                summary);
    }

    static StartPositions configured() {
        return new StartPositions(Map.of(), Set.of(), false, null, "configured starting position");
    }

    Map<String, ShardStartingPosition> positions() {
        return positions;
    }

    Set<String> excluded() {
        return excluded;
    }

    /** True when the job continues from a cut: shards it does not name started after it, so read them whole. */
    boolean fromCut() {
        return fromCut;
    }

    /** The cut orphan copies may land against while the job runs (its source took over from its target). */
    java.util.OptionalLong republishCutEpoch() {
        return republishCutEpoch == null
                ? java.util.OptionalLong.empty()
                : java.util.OptionalLong.of(republishCutEpoch);
    }

    String summary() {
        return summary;
    }
}
