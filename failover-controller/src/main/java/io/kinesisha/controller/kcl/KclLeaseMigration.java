package io.kinesisha.controller.kcl;

import io.kinesisha.common.control.ReplicationStart;
import io.kinesisha.common.control.ShardProgress;
import io.kinesisha.common.control.StreamCut;
import io.kinesisha.common.kinesis.SequenceNumbers;
import io.kinesisha.controller.actions.ApiCall;
import io.kinesisha.controller.kcl.CheckpointTranslator.Kind;
import io.kinesisha.controller.kcl.CheckpointTranslator.Rec;
import io.kinesisha.controller.kcl.CheckpointTranslator.SourceShard;
import io.kinesisha.controller.kcl.CheckpointTranslator.TargetLease;
import io.kinesisha.controller.kcl.CheckpointTranslator.TargetShard;
import io.kinesisha.controller.reconcile.ShardReader;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.ToIntFunction;
import java.util.stream.Collectors;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.Record;
import software.amazon.awssdk.services.kinesis.model.Shard;

/**
 * Moves one KCL application's position from the stream it read to the other: reads its leases and the records
 * replication covered on both sides, translates (see {@link CheckpointTranslator}) and writes the other region's
 * lease table. When the old region cannot be read (an outage), it falls back to what the progress rows prove: if
 * every lease is at or past its shard's last replicated record, the application finished every copy; otherwise
 * it resumes at the start of the copies (duplicates, counted as an upper bound; never a skip). The copies in the
 * target are bounded by positions when the replication's start is recorded (its target tips: what the target held
 * before it could write), otherwise by arrival time; a failback needs the positions, since the primary's own records
 * of the last seconds before the failover are no copies but arrived within any time slack of the failover's cut.
 * A failback also moves the orphans: the ledger names where each republished copy landed in the source and where its
 * original is in the target, so the copies stay out of the per-key counts and every original whose copy the
 * application has not finished is read again in the target (never skipped; what lies between is duplicates).
 */
public final class KclLeaseMigration {
    /**
     * Copies arrive after their originals; this absorbs clock skew between the controller and Kinesis (only when the
     * replication's start positions are not recorded).
     */
    static final Duration CLOCK_SLACK = Duration.ofSeconds(30);

    /** One side of the move: region, stream and the application's lease table there. */
    public record Side(String region, KinesisClient kinesis, String streamArn, KclLeaseTable leases) {}

    /** The leases that would be written, how they were derived and what resuming there costs. */
    public record Plan(
            String application,
            String targetRegion,
            String table,
            String method,
            List<TargetLease> leases,
            int orphans,
            int orphansUnfinished) {
        public long duplicates() {
            return leases.stream().mapToLong(TargetLease::duplicates).sum();
        }

        public long skips() {
            return leases.stream().mapToLong(TargetLease::skips).sum();
        }

        /** Audit evidence under {@code kcl.<application>.}: method, totals and every lease. */
        public Map<String, String> evidence() {
            String p = "kcl." + application + ".";
            Map<String, String> e = new LinkedHashMap<>();
            e.put(p + "table", targetRegion + "/" + table);
            e.put(p + "method", method);
            e.put(p + "duplicates", Long.toString(duplicates()));
            e.put(p + "skips", Long.toString(skips()));
            if (orphans > 0) {
                e.put(p + "orphans", orphans + " republished, " + orphansUnfinished + " unprocessed");
            }
            leases.forEach(l -> e.put(
                    p + "lease." + l.shardId(),
                    l.checkpoint()
                            + (l.parentShardIds().isEmpty() ? "" : " parents=" + String.join(",", l.parentShardIds()))
                            + " duplicates=" + l.duplicates()));
            return e;
        }

        /** The writes, one PutItem per lease, for a dry run. */
        public List<ApiCall> calls() {
            return leases.stream()
                    .map(l -> new ApiCall(
                            "dynamodb",
                            "PutItem",
                            targetRegion,
                            Map.of(
                                    "TableName",
                                    table,
                                    "leaseKey",
                                    l.shardId(),
                                    "checkpoint",
                                    l.checkpoint(),
                                    "parentShardId",
                                    String.join(",", l.parentShardIds()),
                                    "expectedDuplicates",
                                    Long.toString(l.duplicates()),
                                    "application",
                                    application)))
                    .collect(Collectors.toList());
        }
    }

    private KclLeaseMigration() {}

    /**
     * @param sourceCut where replication out of the source started (empty: from the start of the stream)
     * @param targetCut the target's cut of this switch, bounding the copies (empty: up to the target's end now)
     * @param start     where the stopped replication started (empty: not recorded; the copies are then told by
     *                  arrival time, from the source cut on)
     * @param progress  the stopped replication's progress rows, for the fallback
     * @param republished orphans republished into the source against {@code sourceCut}: each copy's position
     *                  {@code <shard>@<sequence number>} in the source to its original's in the target
     */
    public static Plan plan(
            String application,
            Side source,
            Side target,
            Optional<StreamCut> sourceCut,
            Optional<StreamCut> targetCut,
            Optional<ReplicationStart> start,
            List<ShardProgress> progress,
            Map<String, String> republished) {
        Instant regionStart = sourceCut.map(c -> c.takenAt().minus(CLOCK_SLACK)).orElse(null);
        ToIntFunction<String> finished;
        boolean unknown = false;
        String method;
        Map<String, LeaseCheckpoint> leases = null;
        try {
            leases = source.leases().checkpoints();
            Map<String, Integer> counts =
                    CheckpointTranslator.finished(sourceShards(source, sourceCut, republished.keySet()), leases);
            finished = k -> counts.getOrDefault(k, 0);
            method = "translated: " + leases.size() + " leases of " + source.region() + "/"
                    + source.leases().name() + " through the records of both streams";
        } catch (RuntimeException e) {
            Map<String, LeaseCheckpoint> known = leases;
            boolean allDone = known != null
                    && !progress.isEmpty()
                    && progress.stream()
                            .allMatch(p -> known.getOrDefault(p.sourceShardId(), LeaseCheckpoint.NONE)
                                    .atOrAfter(p.lastSequenceNumber()));
            finished = allDone ? k -> Integer.MAX_VALUE : k -> 0;
            unknown = !allDone;
            method = "fallback (" + source.region() + " unreadable: " + e.getMessage() + "): "
                    + (allDone
                            ? "every lease is at or past its shard's last replicated record, so every copy is done"
                            : "resuming at the start of the copies (duplicates are an upper bound)");
        }
        // the target's old table matters only for orphans: no Scan of it on a switch that republished none
        Map<String, Kind> originals =
                originals(republished, leases, republished.isEmpty() ? Map.of() : earlierCheckpoints(target));
        List<TargetShard> targetShards =
                targetShards(target, targetCut, start.map(ReplicationStart::targetTips), regionStart, originals);
        return new Plan(
                application,
                target.region(),
                target.leases().name(),
                method,
                CheckpointTranslator.translate(finished, targetShards, unknown),
                originals.size(),
                (int) originals.values().stream()
                        .filter(k -> k == Kind.ORPHAN_UNFINISHED)
                        .count());
    }

    /**
     * Each orphan original's position in the target and whether the application finished it: it processed the copy
     * (the source's lease covers it), or the original itself before the switch that left it behind (the lease the
     * application last checkpointed in the target's own table covers it: the orphans of an outage are the primary's
     * last records, and an application reading live had often processed them there). Without either, not finished.
     */
    private static Map<String, Kind> originals(
            Map<String, String> republished,
            Map<String, LeaseCheckpoint> sourceLeases,
            Map<String, LeaseCheckpoint> targetLeases) {
        Map<String, Kind> originals = new HashMap<>();
        republished.forEach((copy, original) -> {
            boolean done = sourceLeases != null && covered(sourceLeases, copy) || covered(targetLeases, original);
            originals.put(original, done ? Kind.ORPHAN_FINISHED : Kind.ORPHAN_UNFINISHED);
        });
        return originals;
    }

    /** Whether {@code leases} cover {@code position} ({@code <shard>@<sequence number>}). */
    private static boolean covered(Map<String, LeaseCheckpoint> leases, String position) {
        int at = position.lastIndexOf('@');
        return leases.getOrDefault(position.substring(0, at), LeaseCheckpoint.NONE)
                .covers(position.substring(at + 1));
    }

    /**
     * The checkpoints the application left in the target's table when it last read there (read before this plan's
     * write replaces them); none when the table cannot be read: the orphans are then read again, never skipped.
     */
    private static Map<String, LeaseCheckpoint> earlierCheckpoints(Side target) {
        try {
            return target.leases().checkpoints();
        } catch (RuntimeException e) {
            return Map.of();
        }
    }

    /** Writes the plan's leases into the target region's lease table. */
    public static void write(Plan plan, KclLeaseTable table) {
        table.write(
                plan.leases(), plan.leases().stream().map(TargetLease::shardId).collect(Collectors.toSet()));
    }

    private static List<SourceShard> sourceShards(Side source, Optional<StreamCut> sourceCut, Set<String> copies) {
        ShardReader reader = new ShardReader(source.kinesis(), source.streamArn());
        Map<String, String> tips = sourceCut.map(StreamCut::tips).orElse(Map.of());
        List<SourceShard> shards = new ArrayList<>();
        for (Shard shard : reader.shards()) {
            String tip = tips.get(shard.shardId());
            List<Rec> records = reader.after(shard.shardId(), tip == null || tip.isEmpty() ? null : tip, null).stream()
                    .filter(r -> !copies.contains(shard.shardId() + "@" + r.sequenceNumber()))
                    .map(r -> new Rec(r.partitionKey(), r.sequenceNumber(), Kind.COPY))
                    .collect(Collectors.toList());
            shards.add(new SourceShard(shard.shardId(), records));
        }
        return shards;
    }

    private static List<TargetShard> targetShards(
            Side target,
            Optional<StreamCut> targetCut,
            Optional<Map<String, String>> startTips,
            Instant regionStart,
            Map<String, Kind> originals) {
        ShardReader reader = new ShardReader(target.kinesis(), target.streamArn());
        List<TargetShard> shards = new ArrayList<>();
        for (Shard shard : reader.shards()) {
            List<Record> records;
            if (targetCut.isPresent()) {
                String tip = targetCut.get().tips().get(shard.shardId());
                records = tip == null || tip.isEmpty() ? List.of() : reader.after(shard.shardId(), null, tip);
            } else {
                records = reader.after(shard.shardId(), null, null);
            }
            String startTip = startTips.map(t -> t.get(shard.shardId())).orElse(null);
            List<Rec> recs = records.stream()
                    .map(r -> new Rec(
                            r.partitionKey(),
                            r.sequenceNumber(),
                            originals.getOrDefault(
                                    shard.shardId() + "@" + r.sequenceNumber(),
                                    inRegion(r, startTips.isPresent(), startTip, regionStart)
                                            ? Kind.COPY
                                            : Kind.EARLIER)))
                    .collect(Collectors.toList());
            List<String> parents = new ArrayList<>();
            if (shard.parentShardId() != null) {
                parents.add(shard.parentShardId());
            }
            if (shard.adjacentParentShardId() != null) {
                parents.add(shard.adjacentParentShardId());
            }
            boolean closed = shard.sequenceNumberRange().endingSequenceNumber() != null;
            shards.add(new TargetShard(
                    shard.shardId(),
                    parents,
                    shard.hashKeyRange().startingHashKey(),
                    shard.hashKeyRange().endingHashKey(),
                    closed,
                    recs));
        }
        return shards;
    }

    /** After the replication's start tip when it is recorded, else arrived after the region's start. */
    private static boolean inRegion(Record r, boolean tipsRecorded, String startTip, Instant regionStart) {
        if (tipsRecorded) {
            return startTip == null || startTip.isEmpty() || after(r.sequenceNumber(), startTip);
        }
        return regionStart == null || !r.approximateArrivalTimestamp().isBefore(regionStart);
    }

    private static boolean after(String sequenceNumber, String tip) {
        return SequenceNumbers.compare(sequenceNumber, tip) > 0;
    }
}
