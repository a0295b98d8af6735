package io.kinesisha.controller.reconcile;

import io.kinesisha.common.control.ControlStore;
import io.kinesisha.common.control.ReplicationDirection;
import io.kinesisha.common.control.ReplicationLedger;
import io.kinesisha.common.control.ReplicationStart;
import io.kinesisha.common.control.ShardProgress;
import io.kinesisha.common.control.StreamCut;
import io.kinesisha.common.kinesis.SequenceNumbers;
import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
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
 * number of copies of that key; everything after the progress rows beyond those n is an orphan. A progress row's
 * flush mark (see {@link ShardProgress#withMark}) narrows both reads to what followed the replicator's last flush.
 * Payloads are only a check that the copies line up with the records (a key whose copies do not, e.g. after a
 * duplicate, has all its unconfirmed records reported as orphans: a copy may result twice, none is lost).
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
    public record Findings(
            OrphanReport report, List<Orphan> orphans, List<Record> afterCut, Map<String, String> afterCutShard) {}

    /** A record of the old primary in scope; {@code candidate} null if a progress row covers it. */
    private record Entry(String id, Orphan candidate, int contentHash) {}

    public Findings find(
            StreamCut cut,
            String oldPrimary,
            KinesisClient oldClient,
            String oldArn,
            KinesisClient activeClient,
            String activeArn,
            String policy) {
        ShardReader old = new ShardReader(oldClient, oldArn);
        ShardReader active = new ShardReader(activeClient, activeArn);
        ReplicationDirection fenced = cut.fencedDirection();
        List<ShardProgress> rows = fenced == null ? List.of() : store.readProgress(pair, fenced, cut.fencedEpoch());
        Map<String, ShardProgress> byShard =
                rows.stream().collect(Collectors.toMap(ShardProgress::sourceShardId, Function.identity()));
        Optional<StreamCut> oldCut = ledger.latestCut(pair, oldPrimary, cut.fencedEpoch());
        Optional<ReplicationStart> fencedStart =
                fenced == null ? Optional.empty() : ledger.start(pair, fenced, cut.fencedEpoch());
        Map<String, String> readFrom = fencedStart
                .map(ReplicationStart::sourceTips)
                .orElseGet(() -> oldCut.map(StreamCut::tips).orElse(Map.of()));
        ReplicatedRanges intoOld = ReplicatedRanges.after(ledger.starts(pair, oldPrimary), cut.fencedEpoch());
        Set<String> republishedIntoOld = new HashSet<>();
        oldCut.ifPresent(c -> ledger.batches(pair, c.epoch()).forEach(b -> republishedIntoOld.addAll(b.targets())));

        Map<String, String> eraTarget =
                fencedStart.map(ReplicationStart::targetTips).orElse(Map.of());
        Map<String, ShardProgress> marked = marks(rows);
        TargetShards targets = new TargetShards(
                marked.isEmpty()
                        ? List.of()
                        : active.shards().stream()
                                .filter(s -> cut.covers(s.shardId()))
                                .collect(Collectors.toList()));
        Scan scan = scanOld(old, readFrom, intoOld, republishedIntoOld, byShard, marked, targets);
        if (scan.keysInSeveralShards() && !marked.isEmpty()) {
            marked = new HashMap<>(); // a key read from two shards (resharding) needs one bound for all its records
            scan = scanOld(old, readFrom, intoOld, republishedIntoOld, byShard, marked, targets);
        }
        List<Orphan> candidates = scan.candidates();
        Map<String, List<Integer>> copies =
                candidates.isEmpty() ? Map.of() : copies(active, cut, scan, marked, eraTarget);

        // per key the first n records are the replicated ones, n copies found; the copies must line up with them
        Set<String> replicated = new HashSet<>();
        Set<String> unrecognised = new TreeSet<>();
        scan.byKey().forEach((key, entries) -> {
            List<Integer> found = copies.getOrDefault(key, List.of());
            int copied = Math.min(found.size(), entries.size());
            boolean aligned = found.size() <= entries.size();
            Set<String> ofKey = new HashSet<>();
            for (int i = 0; i < entries.size(); i++) {
                Entry e = entries.get(i);
                if (i < copied) {
                    aligned &= found.get(i) == e.contentHash();
                    if (e.candidate() != null) {
                        ofKey.add(e.id());
                    }
                } else if (e.candidate() == null) {
                    aligned = false; // fewer copies than progress rows vouch for
                }
            }
            if (aligned) {
                replicated.addAll(ofKey);
            } else {
                unrecognised.add(key);
            }
        });
        List<Orphan> orphans =
                candidates.stream().filter(o -> !replicated.contains(o.id())).collect(Collectors.toList());

        // the active stream after the cut: newer records of the orphans' keys, and where copies landed
        List<Record> afterCut = new ArrayList<>();
        Map<String, String> afterCutShard = new HashMap<>();
        Set<String> orphanKeys =
                orphans.stream().map(Orphan::partitionKey).collect(Collectors.toCollection(LinkedHashSet::new));
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
        OrphanReport report = new OrphanReport(
                pair,
                oldPrimary,
                cut.region(),
                cut.epoch(),
                cut.takenAt(),
                cut.fencedDirection() == null ? null : cut.fencedDirection().toString(),
                cut.fencedEpoch(),
                orphans.size(),
                orphanKeys.size(),
                keysAfter.size(),
                replicated.size(),
                perShard(orphans),
                orphanKeys.stream().limit(KEY_EXAMPLES).collect(Collectors.toList()),
                policy,
                null,
                (unrecognised.isEmpty()
                                ? ""
                                : unrecognised.size() + " key(s) with fewer copies in " + cut.region()
                                        + " than the progress rows vouch for (e.g. "
                                        + unrecognised.iterator().next() + "): all their records"
                                        + " after the progress rows count as orphans (a copy may result twice, none is lost); ")
                        + (orphans.isEmpty()
                                ? "nothing the old primary acknowledged is missing in " + cut.region()
                                : "a republished orphan lands after newer records of its key in " + cut.region() + " ("
                                        + keysAfter.size()
                                        + " key(s) affected); consumers see it late, in its own key's order among the orphans"));
        return new Findings(report, orphans, afterCut, afterCutShard);
    }

    /** The old primary's records in scope, per key in its order; which shard each key was read from. */
    private record Scan(
            Map<String, List<Entry>> byKey,
            List<Orphan> candidates,
            Map<String, String> keyShard,
            boolean keysInSeveralShards) {}

    /** Rows with a flush mark, by source shard. */
    private static Map<String, ShardProgress> marks(List<ShardProgress> rows) {
        Map<String, ShardProgress> marked = new HashMap<>();
        rows.stream().filter(r -> r.markSequenceNumber() != null).forEach(r -> marked.put(r.sourceShardId(), r));
        return marked;
    }

    /**
     * Per shard of the old primary: from its flush mark (or where the fenced replication started reading) to the
     * end of its own records, less the orphan copies republished into it. A mark is used only if it bounds the
     * target shard of every key read after it; otherwise the shard is read from the start and leaves {@code marked}.
     */
    private static Scan scanOld(
            ShardReader old,
            Map<String, String> readFrom,
            ReplicatedRanges intoOld,
            Set<String> republishedIntoOld,
            Map<String, ShardProgress> byShard,
            Map<String, ShardProgress> marked,
            TargetShards targets) {
        Map<String, List<Entry>> byKey = new LinkedHashMap<>();
        List<Orphan> candidates = new ArrayList<>();
        Map<String, String> keyShard = new HashMap<>();
        boolean several = false;
        for (Shard shard : old.shards()) {
            String id = shard.shardId();
            if (intoOld.excludesWhole(id)) {
                continue;
            }
            ShardProgress row = byShard.get(id);
            BigInteger replicatedTo =
                    row == null || row.lastSequenceNumber() == null ? null : new BigInteger(row.lastSequenceNumber());
            ShardProgress mark = marked.get(id);
            List<Record> records = null;
            if (mark != null) {
                records = old.after(id, mark.markSequenceNumber(), intoOld.lastOwn(id));
                if (!records.stream().allMatch(r -> mark.markTargets().containsKey(targets.of(r.partitionKey())))) {
                    marked.remove(id);
                    records = null;
                }
            }
            if (records == null) {
                records = old.after(id, emptyToNull(readFrom.get(id)), intoOld.lastOwn(id));
            }
            for (Record r : records) {
                String recordId = id + "@" + r.sequenceNumber();
                if (republishedIntoOld.contains(recordId)) {
                    continue;
                }
                Orphan candidate = null;
                if (replicatedTo == null || new BigInteger(r.sequenceNumber()).compareTo(replicatedTo) > 0) {
                    candidate = new Orphan(
                            id,
                            r.sequenceNumber(),
                            arrival(r),
                            r.partitionKey(),
                            r.data().asByteArray());
                    candidates.add(candidate);
                }
                String first = keyShard.putIfAbsent(r.partitionKey(), id);
                several |= first != null && !first.equals(id);
                byKey.computeIfAbsent(r.partitionKey(), k -> new ArrayList<>())
                        .add(new Entry(
                                recordId, candidate, Arrays.hashCode(r.data().asByteArray())));
            }
        }
        return new Scan(byKey, candidates, keyShard, several);
    }

    /**
     * Content hashes, per key in order, of the copies in the active stream up to the cut that the fenced replication
     * made of the records {@link #scanOld} read: after the key's shard's flush mark in each target shard, or after
     * where the replication started writing.
     */
    private static Map<String, List<Integer>> copies(
            ShardReader active,
            StreamCut cut,
            Scan scan,
            Map<String, ShardProgress> marked,
            Map<String, String> eraTarget) {
        boolean allMarked = marked.keySet().containsAll(scan.keyShard().values());
        Map<String, List<Integer>> copies = new HashMap<>();
        for (Map.Entry<String, String> tip : cut.tips().entrySet()) {
            String target = tip.getKey();
            if (tip.getValue().isEmpty()) {
                continue;
            }
            String from = emptyToNull(eraTarget.get(target));
            if (allMarked) {
                Optional<BigInteger> lowest = scan.keyShard().values().stream()
                        .distinct()
                        .map(s -> marked.get(s).markTargets().get(target))
                        .filter(java.util.Objects::nonNull)
                        .map(BigInteger::new)
                        .min(BigInteger::compareTo);
                if (lowest.isEmpty()) {
                    continue; // no key read after a mark lands here
                }
                from = lowest.get().toString();
            }
            for (Record r : active.after(target, from, tip.getValue())) {
                String source = scan.keyShard().get(r.partitionKey());
                if (source == null) {
                    continue;
                }
                if (marked.containsKey(source)
                        && !marked.get(source).markTargets().containsKey(target)) {
                    continue; // not where the key lands: counting it could only take an orphan for a copy
                }
                String bound = marked.containsKey(source)
                        ? marked.get(source).markTargets().get(target)
                        : emptyToNull(eraTarget.get(target));
                if (bound == null || SequenceNumbers.compare(r.sequenceNumber(), bound) > 0) {
                    copies.computeIfAbsent(r.partitionKey(), k -> new ArrayList<>())
                            .add(Arrays.hashCode(r.data().asByteArray()));
                }
            }
        }
        return copies;
    }

    private static List<OrphanReport.ShardOrphans> perShard(List<Orphan> orphans) {
        Map<String, List<Orphan>> byShard = orphans.stream()
                .collect(Collectors.groupingBy(Orphan::shardId, java.util.TreeMap::new, Collectors.toList()));
        List<OrphanReport.ShardOrphans> result = new ArrayList<>();
        byShard.forEach((shard, list) -> result.add(new OrphanReport.ShardOrphans(
                shard,
                list.size(),
                list.get(0).sequenceNumber(),
                list.get(list.size() - 1).sequenceNumber(),
                Instant.ofEpochMilli(list.get(0).arrivalEpochMillis()),
                Instant.ofEpochMilli(list.get(list.size() - 1).arrivalEpochMillis()),
                (int) list.stream().map(Orphan::partitionKey).distinct().count())));
        return result;
    }

    static String content(Record r) {
        return r.partitionKey()
                + '\u0000'
                + Base64.getEncoder().encodeToString(r.data().asByteArray());
    }

    private static String emptyToNull(String position) {
        return position == null || position.isEmpty() ? null : position;
    }

    private static long arrival(Record r) {
        return r.approximateArrivalTimestamp() == null
                ? 0
                : r.approximateArrivalTimestamp().toEpochMilli();
    }
}
