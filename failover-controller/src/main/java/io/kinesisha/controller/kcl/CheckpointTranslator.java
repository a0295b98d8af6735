package io.kinesisha.controller.kcl;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToIntFunction;

/**
 * Turns the checkpoints an application holds on the source stream into checkpoints on the target stream. The
 * target is re-partitioned, so records do not map shard to shard; what the replicator does keep is each partition
 * key's order. So per key: the application finished its first n records in the source (counted over the records
 * replication out of the source covers); the target's records of that key, in order, are copies of the same
 * sequence, so its (n+1)th is the first one the application has not seen. Each target shard resumes just before
 * its earliest such record. Anything that breaks the correspondence (a record replicated twice, a target record
 * that is no copy) moves that point earlier, never later: the error is duplicates, which are counted, never a skip.
 * Orphans break the correspondence in a known way: their copies in the source (republished at a failback) are not
 * replicated back, so they are left out of the per-key counts, and the application reads each one it has not
 * finished at its original in the target, which lies before the copies.
 */
public final class CheckpointTranslator {
    private CheckpointTranslator() {}

    /** What a target record is to the application moving onto the target. */
    public enum Kind {
        /** Written before replication out of the source covers: the application has finished it or its copy. */
        EARLIER,
        /** A copy of a source record replication covers (every source record is one of these). */
        COPY,
        /** The original of an orphan whose copy in the source the application finished. */
        ORPHAN_FINISHED,
        /** The original of an orphan whose copy in the source the application has not finished. */
        ORPHAN_UNFINISHED
    }

    /** One record, reduced to what the translation needs. */
    public record Rec(String partitionKey, String sequenceNumber, Kind kind) {
        /** A copy when {@code inRegion} (in the compared region), else written before it. */
        public Rec(String partitionKey, String sequenceNumber, boolean inRegion) {
            this(partitionKey, sequenceNumber, inRegion ? Kind.COPY : Kind.EARLIER);
        }
    }

    /** A source shard with the records of it replication covers, oldest first. */
    public record SourceShard(String shardId, List<Rec> records) {}

    /** A target shard with its records up to the cut (those before the compared region marked so), oldest first. */
    public record TargetShard(
            String shardId,
            List<String> parentShardIds,
            String startingHashKey,
            String endingHashKey,
            boolean closed,
            List<Rec> records) {}

    /** The lease to write for one target shard and what resuming there costs. */
    public record TargetLease(
            String shardId,
            String checkpoint,
            List<String> parentShardIds,
            String startingHashKey,
            String endingHashKey,
            long duplicates,
            long skips) {}

    /** Per key, how many records in the compared source region the application has finished. */
    public static Map<String, Integer> finished(List<SourceShard> source, Map<String, LeaseCheckpoint> leases) {
        Map<String, Integer> counts = new HashMap<>();
        for (SourceShard shard : source) {
            LeaseCheckpoint lease = leases.getOrDefault(shard.shardId(), LeaseCheckpoint.NONE);
            for (Rec r : shard.records()) {
                if (lease.covers(r.sequenceNumber())) {
                    counts.merge(r.partitionKey(), 1, Integer::sum);
                }
            }
        }
        return counts;
    }

    /**
     * The leases for every target shard.
     *
     * @param finished per key, the number of its records the application finished (see {@link #finished}); a
     *                 function so a caller that knows nothing can say "none" or "all"
     * @param target   target shards, parents before children
     */
    public static List<TargetLease> translate(ToIntFunction<String> finished, List<TargetShard> target) {
        return translate(finished, target, false);
    }

    /**
     * As {@link #translate(ToIntFunction, List)}; with {@code finishedUnknown} (nothing proves what the application
     * finished) every copy after the resume point counts as a possible duplicate: the report gives the upper bound.
     */
    public static List<TargetLease> translate(
            ToIntFunction<String> finished, List<TargetShard> target, boolean finishedUnknown) {
        Map<String, Integer> seen = new HashMap<>();
        List<TargetLease> leases = new ArrayList<>();
        for (TargetShard shard : target) {
            List<Rec> records = shard.records();
            boolean[] unfinished = new boolean[records.size()];
            int first = -1;
            for (int i = 0; i < records.size(); i++) {
                Rec r = records.get(i);
                unfinished[i] = switch (r.kind()) {
                    case COPY -> seen.merge(r.partitionKey(), 1, Integer::sum) > finished.applyAsInt(r.partitionKey());
                    case ORPHAN_UNFINISHED -> true;
                    case EARLIER, ORPHAN_FINISHED -> false;
                };
                if (unfinished[i] && first < 0) {
                    first = i;
                }
            }
            String checkpoint;
            int resumeAt;
            if (first >= 0) {
                resumeAt = first;
                checkpoint = first == 0
                        ? LeaseCheckpoint.TRIM_HORIZON
                        : records.get(first - 1).sequenceNumber();
            } else if (shard.closed()) {
                resumeAt = records.size();
                checkpoint = LeaseCheckpoint.SHARD_END;
            } else {
                resumeAt = records.size();
                checkpoint = records.isEmpty()
                        ? LeaseCheckpoint.TRIM_HORIZON
                        : records.get(records.size() - 1).sequenceNumber();
            }
            long duplicates = 0;
            long skips = 0;
            for (int i = 0; i < records.size(); i++) {
                if (i < resumeAt && unfinished[i]) {
                    skips++;
                } else if (i >= resumeAt
                        && (!unfinished[i] || finishedUnknown && records.get(i).kind() != Kind.EARLIER)) {
                    duplicates++;
                }
            }
            leases.add(new TargetLease(
                    shard.shardId(),
                    checkpoint,
                    shard.parentShardIds(),
                    shard.startingHashKey(),
                    shard.endingHashKey(),
                    duplicates,
                    skips));
        }
        return leases;
    }
}
