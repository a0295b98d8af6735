package io.kinesisha.controller.reconcile;

import io.kinesisha.common.control.ControlStore;
import io.kinesisha.common.control.ReplicationLedger;
import io.kinesisha.common.control.ShardProgress;
import io.kinesisha.common.control.StreamCut;
import io.kinesisha.common.control.ReplicationDirection;
import io.kinesisha.common.control.ReplicationStart;
import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
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
 * Finds the orphans of the switch that made {@code cut}: records the old primary acknowledged from producers that
 * never reached the active region. Exact by positions, never by payload: the old primary's own records are those
 * after where the fenced replication started reading it and before any later replication into it started writing
 * ({@link ReplicationStart}: records that arrived by replication are never candidates); the copies of them in the
 * active stream are those after where the fenced replication started writing there, up to the cut. The replicator
 * keeps each key's order, so per key the first n records of the old primary are the ones replicated, n being the
 * number of copies of that key; everything after the progress rows beyond those n is an orphan.
 */
public final class OrphanFinder {
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

    /** A record of the old primary in the fenced replication's scope; {@code orphan} null if a progress row covers it. */
    private record Entry(String id, Orphan candidate) {
    }

    public Findings find(StreamCut cut, String oldPrimary, KinesisClient oldClient, String oldArn, KinesisClient activeClient,
                         String activeArn, String policy) {
        ShardReader old = new ShardReader(oldClient, oldArn);
        ShardReader active = new ShardReader(activeClient, activeArn);
        ReplicationDirection fenced = cut.fencedDirection();
        List<ShardProgress> rows = fenced == null ? List.of() : store.readProgress(pair, fenced, cut.fencedEpoch());
        Map<String, ShardProgress> byShard = rows.stream().collect(Collectors.toMap(ShardProgress::sourceShardId, Function.identity()));
        Optional<StreamCut> oldCut = ledger.latestCut(pair, oldPrimary, cut.fencedEpoch());
        Optional<ReplicationStart> fencedStart = fenced == null ? Optional.empty()
                : ledger.start(pair, fenced, cut.fencedEpoch());
        Map<String, String> readFrom = fencedStart.map(ReplicationStart::sourceTips)
                .orElseGet(() -> oldCut.map(StreamCut::tips).orElse(Map.of()));
        ReplicatedRanges intoOld = ReplicatedRanges.after(ledger.starts(pair, oldPrimary), cut.fencedEpoch());
        Set<String> republishedIntoOld = new HashSet<>();
        oldCut.ifPresent(c -> ledger.batches(pair, c.epoch()).forEach(b -> republishedIntoOld.addAll(b.targets())));

        // the old primary's own records, per key in its order
        Map<String, List<Entry>> byKey = new LinkedHashMap<>();
        List<Orphan> candidates = new ArrayList<>();
        for (Shard shard : old.shards()) {
            String id = shard.shardId();
            if (intoOld.excludesWhole(id)) {
                continue;
            }
            ShardProgress row = byShard.get(id);
            BigInteger replicatedTo = row == null || row.lastSequenceNumber() == null ? null : new BigInteger(row.lastSequenceNumber());
            for (Record r : old.after(id, emptyToNull(readFrom.get(id)), intoOld.lastOwn(id))) {
                String recordId = id + "@" + r.sequenceNumber();
                if (republishedIntoOld.contains(recordId)) {
                    continue;
                }
                Orphan candidate = null;
                if (replicatedTo == null || new BigInteger(r.sequenceNumber()).compareTo(replicatedTo) > 0) {
                    candidate = new Orphan(id, r.sequenceNumber(), arrival(r), r.partitionKey(), r.data().asByteArray());
                    candidates.add(candidate);
                }
                byKey.computeIfAbsent(r.partitionKey(), k -> new ArrayList<>()).add(new Entry(recordId, candidate));
            }
        }

        // their copies in the active stream: from where the fenced replication started writing to the cut
        Map<String, Integer> copies = new HashMap<>();
        if (!candidates.isEmpty()) {
            Map<String, String> writtenFrom = fencedStart.map(ReplicationStart::targetTips).orElse(Map.of());
            for (Map.Entry<String, String> tip : cut.tips().entrySet()) {
                if (tip.getValue().isEmpty()) {
                    continue;
                }
                for (Record r : active.after(tip.getKey(), emptyToNull(writtenFrom.get(tip.getKey())), tip.getValue())) {
                    if (byKey.containsKey(r.partitionKey())) {
                        copies.merge(r.partitionKey(), 1, Integer::sum);
                    }
                }
            }
        }
        Set<String> replicated = new HashSet<>();
        Set<String> unrecognised = new TreeSet<>();
        byKey.forEach((key, entries) -> {
            int copied = Math.min(copies.getOrDefault(key, 0), entries.size());
            for (int i = 0; i < entries.size(); i++) {
                Entry e = entries.get(i);
                if (i < copied && e.candidate() != null) {
                    replicated.add(e.id());
                } else if (i >= copied && e.candidate() == null) {
                    unrecognised.add(key); // fewer copies than progress rows vouch for: no count can be trusted
                }
            }
        });
        byKey.forEach((key, entries) -> {
            if (unrecognised.contains(key)) {
                entries.forEach(e -> replicated.remove(e.id()));
            }
        });
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
                (unrecognised.isEmpty() ? "" : unrecognised.size() + " key(s) with fewer copies in " + cut.region()
                        + " than the progress rows vouch for (e.g. " + unrecognised.iterator().next() + "): all their records"
                        + " after the progress rows count as orphans (a copy may result twice, none is lost); ")
                        + (orphans.isEmpty() ? "nothing the old primary acknowledged is missing in " + cut.region()
                        : "a republished orphan lands after newer records of its key in " + cut.region() + " (" + keysAfter.size()
                        + " key(s) affected); consumers see it late, in its own key's order among the orphans"));
        return new Findings(report, orphans, afterCut, afterCutShard);
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

    private static String emptyToNull(String position) {
        return position == null || position.isEmpty() ? null : position;
    }

    private static long arrival(Record r) {
        return r.approximateArrivalTimestamp() == null ? 0 : r.approximateArrivalTimestamp().toEpochMilli();
    }
}
