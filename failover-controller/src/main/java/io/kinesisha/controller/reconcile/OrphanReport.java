package io.kinesisha.controller.reconcile;

import java.time.Instant;
import java.util.List;

/**
 * What reconciliation found and did, for the operator and the audit trail. Orphans are the records the old
 * primary acknowledged after the replicator's last replicated position that the other region does not hold;
 * records replicated after the last progress row but before the fence are recognised per key by order and count
 * (see {@link OrphanFinder}) and counted separately, not reported as orphans. A republished orphan lands after newer records of its key in the active
 * stream: {@code keysOrderedAfterNewer} counts the keys where that happened.
 */
public record OrphanReport(
        String pair,
        String oldPrimary,
        String activeRegion,
        long cutEpoch,
        Instant cutTakenAt,
        String fencedDirection,
        long fencedEpoch,
        long orphans,
        int keys,
        int keysOrderedAfterNewer,
        long replicatedAfterLastProgress,
        List<ShardOrphans> shards,
        List<String> keyExamples,
        String policy,
        Republish republish,
        String note) {

    /** Orphans of one shard of the old primary. */
    public record ShardOrphans(
            String shardId,
            long count,
            String firstSequenceNumber,
            String lastSequenceNumber,
            Instant firstArrival,
            Instant lastArrival,
            int keys) {}

    /**
     * The republish ledger: copied before this run, copied by it, recovered from an interrupted batch. Of the
     * recovered, {@code recognisedInInterruptedBatch} had landed (found after the batch's tips, unambiguously) and
     * {@code rewrittenFromInterruptedBatch} were written now; of those, {@code possibleDuplicates} may stand twice in
     * the active stream, because a record identical to the copy lay in the bound and may have been the copy or a
     * producer's ({@code possibleDuplicateExamples}: the orphans, {@code <shard>@<sequence number> key <key>}).
     * {@code interruptedBatchesByContent}: batches recorded without tips (older versions), recognised as before by
     * content after the cut, where a producer's identical record may be taken for a copy.
     */
    public record Republish(
            long alreadyCopied,
            long copiedNow,
            long recoveredFromInterruptedBatch,
            long remaining,
            long recognisedInInterruptedBatch,
            long rewrittenFromInterruptedBatch,
            long possibleDuplicates,
            List<String> possibleDuplicateExamples,
            long interruptedBatchesByContent) {
        public Republish(long alreadyCopied, long copiedNow, long recoveredFromInterruptedBatch, long remaining) {
            this(alreadyCopied, copiedNow, recoveredFromInterruptedBatch, remaining, 0, 0, 0, List.of(), 0);
        }

        public static Republish none(long remaining) {
            return new Republish(0, 0, 0, remaining);
        }
    }

    public OrphanReport withPolicy(String appliedPolicy, Republish result, String newNote) {
        return new OrphanReport(
                pair,
                oldPrimary,
                activeRegion,
                cutEpoch,
                cutTakenAt,
                fencedDirection,
                fencedEpoch,
                orphans,
                keys,
                keysOrderedAfterNewer,
                replicatedAfterLastProgress,
                shards,
                keyExamples,
                appliedPolicy,
                result,
                newNote);
    }

    /** One line for logs and audit messages. */
    public String summary() {
        return orphans + " orphan(s) in " + shards.size() + " shard(s) of " + oldPrimary + ", " + keys + " key(s), "
                + keysOrderedAfterNewer + " key(s) with newer records already in " + activeRegion + "; "
                + replicatedAfterLastProgress
                + " record(s) replicated after the last progress row (not orphans); policy "
                + policy
                + (republish == null
                        ? ""
                        : ": copied "
                                + (republish.alreadyCopied()
                                        + republish.copiedNow()
                                        + republish.recoveredFromInterruptedBatch())
                                + ", remaining " + republish.remaining()
                                + (republish.recoveredFromInterruptedBatch() == 0
                                        ? ""
                                        : " (interrupted batch: " + republish.recognisedInInterruptedBatch()
                                                + " found landed, " + republish.rewrittenFromInterruptedBatch()
                                                + " written again, of which " + republish.possibleDuplicates()
                                                + " possible duplicate(s)"
                                                + (republish
                                                                .possibleDuplicateExamples()
                                                                .isEmpty()
                                                        ? ""
                                                        : " e.g. "
                                                                + republish
                                                                        .possibleDuplicateExamples()
                                                                        .get(0))
                                                + ")"));
    }
}
