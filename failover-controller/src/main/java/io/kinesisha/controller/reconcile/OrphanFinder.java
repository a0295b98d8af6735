package io.kinesisha.controller.reconcile;

import io.kinesisha.common.control.ControlStore;
import io.kinesisha.common.control.ReplicationLedger;
import io.kinesisha.common.control.ShardProgress;
import io.kinesisha.common.control.StreamCut;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.Record;
import software.amazon.awssdk.services.kinesis.model.Shard;

/**
 * Finds the orphans of the switch that made {@code cut}: per shard of the old primary, the records after the
 * position the stopped replication's progress row names (or, for a shard without one, after where that
 * replication started), less those that did reach the active region after the last progress row. Those are
 * recognised per key: the replicator keeps each key's order, so the active stream's records of a key up to the cut
 * end with the first ones of the key's candidates; the longest such overlap is taken as replicated.
 */
public final class OrphanFinder {
    /** How far before the oldest progress row the active stream is searched for late replicated records. */
    static final Duration PROGRESS_SLACK = Duration.ofSeconds(30);
    static final int KEY_EXAMPLES = 20;

    private final ControlStore store;
    private final ReplicationLedger ledger;
    private final String pair;

    public OrphanFinder(ControlStore store, ReplicationLedger ledger, String pair) {
        this.store = store;
        this.ledger = ledger;
        this.pair = pair;
    }

    /** What was found: the report, the orphans in copy order, and the active stream's records after the cut. */
    public record Findings(OrphanReport report, List<Orphan> orphans, List<Record> afterCut, Map<String, String> afterCutShard) {
    }

    public Findings find(StreamCut cut, String oldPrimary, KinesisClient oldClient, String oldArn, KinesisClient activeClient,
                         String activeArn, String policy) {
        ShardReader old = new ShardReader(oldClient, oldArn);
        ShardReader active = new ShardReader(activeClient, activeArn);
        List<ShardProgress> rows = cut.fencedDirection() == null ? List.of()
                : store.readProgress(pair, cut.fencedDirection(), cut.fencedEpoch());
        Map<String, ShardProgress> byShard = rows.stream().collect(Collectors.toMap(ShardProgress::sourceShardId, Function.identity()));
        Optional<StreamCut> oldCut = ledger.latestCut(pair, oldPrimary, cut.fencedEpoch());

        // candidates: every record after the replicated position, per key in the old primary's order
        Map<String, List<Orphan>> candidatesByKey = new LinkedHashMap<>();
        List<Orphan> candidates = new ArrayList<>();
        for (Shard shard : old.shards()) {
            String after = startOf(shard.shardId(), byShard, oldCut);
            for (Record r : old.after(shard.shardId(), after, null)) {
                Orphan o = new Orphan(shard.shardId(), r.sequenceNumber(), arrival(r), r.partitionKey(), r.data().asByteArray());
                candidates.add(o);
                candidatesByKey.computeIfAbsent(o.partitionKey(), k -> new ArrayList<>()).add(o);
            }
        }

        // late replication: the active stream up to the cut, from shortly before the oldest progress row
        Set<String> replicated = new java.util.HashSet<>();
        if (!candidates.isEmpty()) {
            Instant from = rows.isEmpty() ? null : Instant.ofEpochMilli(rows.stream()
                    .mapToLong(ShardProgress::updatedEpochMillis).min().orElseThrow()).minus(PROGRESS_SLACK);
            Map<String, List<String>> tailByKey = new HashMap<>();
            for (Map.Entry<String, String> tip : cut.tips().entrySet()) {
                if (tip.getValue().isEmpty()) {
                    continue;
                }
                List<Record> tail = from == null ? active.after(tip.getKey(), null, tip.getValue())
                        : active.since(tip.getKey(), from, tip.getValue());
                for (Record r : tail) {
                    if (candidatesByKey.containsKey(r.partitionKey())) {
                        tailByKey.computeIfAbsent(r.partitionKey(), k -> new ArrayList<>()).add(content(r));
                    }
                }
            }
            candidatesByKey.forEach((key, list) -> {
                int overlap = overlap(tailByKey.getOrDefault(key, List.of()), list);
                for (int i = 0; i < overlap; i++) {
                    replicated.add(list.get(i).id());
                }
            });
        }
        List<Orphan> orphans = candidates.stream().filter(o -> !replicated.contains(o.id())).collect(Collectors.toList());

        // the active stream after the cut: newer records of the orphans' keys, and where copies landed
        List<Record> afterCut = new ArrayList<>();
        Map<String, String> afterCutShard = new HashMap<>();
        Set<String> orphanKeys = orphans.stream().map(Orphan::partitionKey).collect(Collectors.toCollection(LinkedHashSet::new));
        Set<String> keysAfter = new TreeSet<>();
        if (!orphans.isEmpty()) {
            for (Shard shard : active.shards()) {
                String after = cut.covers(shard.shardId()) ? cut.tip(shard.shardId()) : null;
                for (Record r : active.after(shard.shardId(), after, null)) {
                    afterCut.add(r);
                    afterCutShard.put(r.sequenceNumber(), shard.shardId());
                    if (orphanKeys.contains(r.partitionKey())) {
                        keysAfter.add(r.partitionKey());
                    }
                }
            }
        }
        OrphanReport report = new OrphanReport(pair, oldPrimary, cut.region(), cut.epoch(), cut.takenAt(),
                cut.fencedDirection() == null ? null : cut.fencedDirection().toString(), cut.fencedEpoch(), orphans.size(),
                orphanKeys.size(), keysAfter.size(), replicated.size(), perShard(orphans),
                orphanKeys.stream().limit(KEY_EXAMPLES).collect(Collectors.toList()), policy, null,
                orphans.isEmpty() ? "nothing the old primary acknowledged is missing in " + cut.region()
                        : "a republished orphan lands after newer records of its key in " + cut.region() + " (" + keysAfter.size()
                        + " key(s) affected); consumers see it late, in its own key's order among the orphans");
        return new Findings(report, orphans, afterCut, afterCutShard);
    }

    /** Where the stopped replication had got to in {@code shardId}: null means from the shard's start. */
    private static String startOf(String shardId, Map<String, ShardProgress> rows, Optional<StreamCut> oldCut) {
        ShardProgress row = rows.get(shardId);
        if (row != null && row.lastSequenceNumber() != null) {
            return row.lastSequenceNumber();
        }
        return oldCut.map(c -> c.tip(shardId)).orElse(null);
    }

    /** The longest k such that the last k of {@code tail} equal the first k of {@code candidates}. */
    static int overlap(List<String> tail, List<Orphan> candidates) {
        for (int k = Math.min(tail.size(), candidates.size()); k > 0; k--) {
            boolean match = true;
            for (int i = 0; i < k && match; i++) {
                match = tail.get(tail.size() - k + i).equals(candidates.get(i).content());
            }
            if (match) {
                return k;
            }
        }
        return 0;
    }

    private static List<OrphanReport.ShardOrphans> perShard(List<Orphan> orphans) {
        Map<String, List<Orphan>> byShard = orphans.stream()
                .collect(Collectors.groupingBy(Orphan::shardId, java.util.TreeMap::new, Collectors.toList()));
        List<OrphanReport.ShardOrphans> result = new ArrayList<>();
        byShard.forEach((shard, list) -> result.add(new OrphanReport.ShardOrphans(shard, list.size(),
                list.get(0).sequenceNumber(), list.get(list.size() - 1).sequenceNumber(),
                Instant.ofEpochMilli(list.get(0).arrivalEpochMillis()),
                Instant.ofEpochMilli(list.get(list.size() - 1).arrivalEpochMillis()),
                (int) list.stream().map(Orphan::partitionKey).distinct().count())));
        return result;
    }

    static String content(Record r) {
        return r.partitionKey() + '\u0000' + Base64.getEncoder().encodeToString(r.data().asByteArray());
    }

    private static long arrival(Record r) {
        return r.approximateArrivalTimestamp() == null ? 0 : r.approximateArrivalTimestamp().toEpochMilli();
    }
}
