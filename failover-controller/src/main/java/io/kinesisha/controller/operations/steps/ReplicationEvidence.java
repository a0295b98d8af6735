package io.kinesisha.controller.operations.steps;

import io.kinesisha.common.control.ShardProgress;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The recovery-point evidence of an unplanned failover, taken from the progress rows of the replication it stops:
 * per source shard the last record the secondary is known to hold, when it arrived in the primary and how far
 * behind the replicator was. Whatever the primary acknowledged after those positions may be lost (until failback
 * reconciles it); the audit item says exactly from where.
 */
public final class ReplicationEvidence {
    private ReplicationEvidence() {}

    /** Flat audit evidence: {@code rpo.shards}, {@code rpo.maxLagMillis}, {@code rpo.oldestArrival} and one line per shard. */
    public static Map<String, String> rpo(List<ShardProgress> progress, Instant now) {
        Map<String, String> e = new LinkedHashMap<>();
        e.put("rpo.shards", Integer.toString(progress.size()));
        if (progress.isEmpty()) {
            e.put("rpo.note", "no progress recorded: nothing is known to be replicated");
            return e;
        }
        e.put(
                "rpo.maxLagMillis",
                Long.toString(progress.stream()
                        .mapToLong(ShardProgress::millisBehindLatest)
                        .max()
                        .orElse(0)));
        long oldest = progress.stream()
                .mapToLong(ShardProgress::lastArrivalEpochMillis)
                .min()
                .orElse(0);
        e.put("rpo.oldestArrival", Instant.ofEpochMilli(oldest).toString());
        e.put(
                "rpo.progressAgeMillis",
                Long.toString(now.toEpochMilli()
                        - progress.stream()
                                .mapToLong(ShardProgress::updatedEpochMillis)
                                .max()
                                .orElse(0)));
        progress.stream()
                .sorted(Comparator.comparing(ShardProgress::sourceShardId))
                .forEach(p -> e.put("rpo." + p.sourceShardId(), line(p)));
        return e;
    }

    static String line(ShardProgress p) {
        return "last=" + p.lastSequenceNumber() + " arrival=" + Instant.ofEpochMilli(p.lastArrivalEpochMillis())
                + " lagMillis=" + p.millisBehindLatest() + " target=" + p.targetShardId() + "@"
                + p.targetSequenceNumber()
                + " updated=" + Instant.ofEpochMilli(p.updatedEpochMillis()) + (p.shardFinished() ? " finished" : "");
    }
}
