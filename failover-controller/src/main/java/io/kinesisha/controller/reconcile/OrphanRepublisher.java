package io.kinesisha.controller.reconcile;

import io.kinesisha.common.control.ReplicationLedger;
import io.kinesisha.common.control.RepublishBatch;
import io.kinesisha.common.kinesis.SequenceNumbers;
import io.kinesisha.controller.time.ControllerTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResultEntry;
import software.amazon.awssdk.services.kinesis.model.Record;
import software.amazon.awssdk.services.kinesis.model.Shard;

/**
 * Copies orphans into the active stream exactly once. Each batch is written to the ledger as INTENDED before the
 * PutRecords call, with the active stream's tips (every copy lands after them), and as COPIED (with where every copy
 * landed) after it; a re-run skips COPIED orphans, and for an INTENDED batch (a crash between the call and the
 * ledger) it looks for the copies only after the batch's tips, per key in order ({@link InterruptedBatchMatch}), and
 * writes those not found; where a producer's identical record may have been taken for a copy it writes the copy
 * again and reports a possible duplicate. A batch holds at most one record per key and its failed entries are
 * retried before the next batch, so the orphans of a key land in their original order.
 */
public final class OrphanRepublisher {
    static final int MAX_BATCH = 500;
    static final int MAX_ATTEMPTS = 10;

    /** Test seam: runs after a batch's PutRecords succeeded and before the ledger records it. */
    public interface BatchHook {
        void afterPut(int batchNumber);

        /** Runs before a batch is intended and written (the runner lease is checked here); throws to stop. */
        default void beforePut(int batchNumber) {}
    }

    private final ReplicationLedger ledger;
    private final KinesisClient active;
    private final String activeArn;
    private final String pair;
    private final ControllerTime time;
    private final Consumer<String> progress;
    private BatchHook hook = n -> {};

    public OrphanRepublisher(
            ReplicationLedger ledger,
            KinesisClient active,
            String activeArn,
            String pair,
            ControllerTime time,
            Consumer<String> progress) {
        this.ledger = ledger;
        this.active = active;
        this.activeArn = activeArn;
        this.pair = pair;
        this.time = time;
        this.progress = progress;
    }

    public OrphanRepublisher withHook(BatchHook batchHook) {
        this.hook = batchHook;
        return this;
    }

    public OrphanReport.Republish republish(long cutEpoch, OrphanFinder.Findings findings) {
        List<RepublishBatch> batches = ledger.batches(pair, cutEpoch);
        Set<String> copied = new HashSet<>();
        Set<String> claimedTargets = new HashSet<>();
        int next = 0;
        for (RepublishBatch b : batches) {
            next = Math.max(next, b.number() + 1);
            if (b.state() == RepublishBatch.State.COPIED) {
                copied.addAll(b.orphanIds());
                claimedTargets.addAll(b.targets());
            }
        }
        long alreadyCopied =
                findings.orphans().stream().filter(o -> copied.contains(o.id())).count();
        Map<String, Orphan> byId = new HashMap<>();
        findings.orphans().forEach(o -> byId.put(o.id(), o));
        Recovery recovery = new Recovery();
        for (RepublishBatch b : batches) {
            if (b.state() == RepublishBatch.State.INTENDED) {
                finishInterrupted(b, byId, findings, claimedTargets, recovery);
                copied.addAll(b.orphanIds());
            }
        }
        List<Orphan> remaining = new ArrayList<>();
        for (Orphan o : findings.orphans()) {
            if (!copied.contains(o.id())) {
                remaining.add(o);
            }
        }
        long copiedNow = 0;
        Map<String, String> tips = null;
        while (!remaining.isEmpty()) {
            List<Orphan> batch = nextBatch(remaining);
            hook.beforePut(next);
            if (tips == null) {
                tips = new TreeMap<>(StreamTips.take(active, activeArn, time.clock()));
            }
            RepublishBatch intended = new RepublishBatch(
                    pair, cutEpoch, next, RepublishBatch.State.INTENDED, ids(batch), List.of(), time.now(), tips);
            ledger.putBatch(intended);
            List<String> targets = put(batch);
            hook.afterPut(next);
            ledger.putBatch(intended.copied(targets, time.now()));
            advance(tips, targets);
            copiedNow += batch.size();
            next++;
            progress.accept("republished " + (alreadyCopied + recovery.total() + copiedNow) + " of "
                    + findings.orphans().size() + " orphan(s)");
        }
        return new OrphanReport.Republish(
                alreadyCopied,
                copiedNow,
                recovery.total(),
                0,
                recovery.recognised,
                recovery.rewritten,
                recovery.possibleDuplicates,
                List.copyOf(recovery.examples),
                recovery.byContent);
    }

    /** What finishing the interrupted batches found and did. */
    private static final class Recovery {
        long recognised;
        long rewritten;
        long possibleDuplicates;
        final List<String> examples = new ArrayList<>();
        long byContent;

        long total() {
            return recognised + rewritten;
        }
    }

    /**
     * The next batch's copies land after this one's on every shard this one wrote to: its positions tighten the
     * bound without reading the stream again.
     */
    private static void advance(Map<String, String> tips, List<String> targets) {
        for (String target : targets) {
            int at = target.indexOf('@');
            String shard = target.substring(0, at);
            String sequence = target.substring(at + 1);
            String tip = tips.get(shard);
            if (tip == null || tip.isEmpty() || SequenceNumbers.compare(sequence, tip) > 0) {
                tips.put(shard, sequence);
            }
        }
    }

    /**
     * An INTENDED batch: its copies are looked for after its tips (by content after the cut for batches recorded
     * without tips); what is not found, or found only ambiguously, is written now.
     */
    private void finishInterrupted(
            RepublishBatch b,
            Map<String, Orphan> byId,
            OrphanFinder.Findings findings,
            Set<String> claimedTargets,
            Recovery recovery) {
        List<Orphan> orphans = new ArrayList<>();
        for (String id : b.orphanIds()) {
            Orphan o = byId.get(id);
            if (o == null) {
                throw new IllegalStateException("ledger batch " + b.number() + " names " + id
                        + ", which is no longer an orphan of this cut: the old primary's data changed (retention?)");
            }
            orphans.add(o);
        }
        List<InterruptedBatchMatch.Decision> decisions = b.tips().isEmpty()
                ? byContentAfterCut(b, orphans, findings, claimedTargets, recovery)
                : InterruptedBatchMatch.match(
                        orphans, inBound(b.tips(), claimedTargets), repeatedOutside(b, findings, claimedTargets));
        List<String> targets = new ArrayList<>();
        List<Orphan> toWrite = new ArrayList<>();
        List<Integer> toWriteAt = new ArrayList<>();
        for (InterruptedBatchMatch.Decision d : decisions) {
            if (d.outcome() == InterruptedBatchMatch.Outcome.RECOGNISED) {
                claimedTargets.add(d.target());
                recovery.recognised++;
            } else {
                toWrite.add(d.orphan());
                toWriteAt.add(targets.size());
                recovery.rewritten++;
                if (d.outcome() == InterruptedBatchMatch.Outcome.AMBIGUOUS) {
                    recovery.possibleDuplicates++;
                    if (recovery.examples.size() < OrphanFinder.KEY_EXAMPLES) {
                        recovery.examples.add(
                                d.orphan().id() + " key " + d.orphan().partitionKey());
                    }
                }
            }
            targets.add(d.target());
        }
        if (!toWrite.isEmpty()) {
            hook.beforePut(b.number());
            List<String> written = put(toWrite);
            for (int i = 0; i < written.size(); i++) {
                targets.set(toWriteAt.get(i), written.get(i));
            }
        }
        ledger.putBatch(b.copied(targets, time.now()));
        long ambiguous = decisions.stream()
                .filter(d -> d.outcome() == InterruptedBatchMatch.Outcome.AMBIGUOUS)
                .count();
        progress.accept("finished interrupted republish batch " + b.number() + ": "
                + (decisions.size() - toWrite.size()) + " copy(ies) found landed, " + toWrite.size()
                + " written now, of which " + ambiguous
                + " possible duplicate(s) (a record identical to the copy, which may be a producer's, lay where the"
                + " copy would have landed)");
    }

    /** The active stream's records after {@code tips} that no COPIED batch names, per shard in order. */
    private List<InterruptedBatchMatch.Landed> inBound(Map<String, String> tips, Set<String> claimedTargets) {
        ShardReader reader = new ShardReader(active, activeArn);
        List<InterruptedBatchMatch.Landed> landed = new ArrayList<>();
        for (Shard shard : reader.shards()) {
            String tip = tips.get(shard.shardId()); // absent: a shard created after the tips, all of it counts
            for (Record r : reader.after(shard.shardId(), tip == null || tip.isEmpty() ? null : tip, null)) {
                String target = shard.shardId() + "@" + r.sequenceNumber();
                if (!claimedTargets.contains(target)) {
                    landed.add(new InterruptedBatchMatch.Landed(target, r.partitionKey(), OrphanFinder.content(r)));
                }
            }
        }
        return landed;
    }

    /**
     * Contents of {@code b}'s orphans that appear elsewhere too: twice among the orphans, or in the active stream
     * after the cut before the batch's tips (a producer's, or an earlier copy). A lone identical record in the
     * bound may then be a producer's as well.
     */
    private static Set<String> repeatedOutside(
            RepublishBatch b, OrphanFinder.Findings findings, Set<String> claimedTargets) {
        Map<String, Integer> orphanContents = new HashMap<>();
        findings.orphans().forEach(o -> orphanContents.merge(o.content(), 1, Integer::sum));
        Set<String> repeated = new HashSet<>();
        orphanContents.forEach((content, n) -> {
            if (n > 1) {
                repeated.add(content);
            }
        });
        for (Record r : findings.afterCut()) {
            String shard = findings.afterCutShard().get(r.sequenceNumber());
            String tip = b.tips().get(shard);
            boolean beforeTips = tip != null && !tip.isEmpty() && SequenceNumbers.compare(r.sequenceNumber(), tip) <= 0;
            if (beforeTips) {
                repeated.add(OrphanFinder.content(r));
            }
        }
        return repeated;
    }

    /**
     * A batch recorded without tips (an older version): as before, a copy is any record with the orphan's key and
     * bytes after the cut that no COPIED batch names, so a producer's identical record may be taken for it.
     */
    private List<InterruptedBatchMatch.Decision> byContentAfterCut(
            RepublishBatch b,
            List<Orphan> orphans,
            OrphanFinder.Findings findings,
            Set<String> claimedTargets,
            Recovery recovery) {
        recovery.byContent++;
        progress.accept("interrupted republish batch " + b.number() + " was recorded without the active stream's tips"
                + " (an older version): its copies are recognised by key and bytes after the cut, where a producer's"
                + " identical record may be taken for a copy");
        Map<String, List<Record>> afterCutByContent = new HashMap<>();
        for (Record r : findings.afterCut()) {
            afterCutByContent
                    .computeIfAbsent(OrphanFinder.content(r), k -> new ArrayList<>())
                    .add(r);
        }
        Set<String> taken = new HashSet<>(claimedTargets);
        List<InterruptedBatchMatch.Decision> decisions = new ArrayList<>();
        for (Orphan o : orphans) {
            String found = null;
            for (Record r : afterCutByContent.getOrDefault(o.content(), List.of())) {
                String target = findings.afterCutShard().get(r.sequenceNumber()) + "@" + r.sequenceNumber();
                if (!taken.contains(target)) {
                    found = target;
                    break;
                }
            }
            if (found != null) {
                taken.add(found);
                decisions.add(new InterruptedBatchMatch.Decision(o, InterruptedBatchMatch.Outcome.RECOGNISED, found));
            } else {
                decisions.add(new InterruptedBatchMatch.Decision(o, InterruptedBatchMatch.Outcome.MISSING, null));
            }
        }
        return decisions;
    }

    /** Up to {@link #MAX_BATCH} orphans, at most one per key, taken in order from {@code remaining}. */
    private static List<Orphan> nextBatch(List<Orphan> remaining) {
        List<Orphan> batch = new ArrayList<>();
        Set<String> keys = new LinkedHashSet<>();
        Set<String> blocked = new HashSet<>();
        for (Orphan o : remaining) {
            if (batch.size() == MAX_BATCH) {
                break;
            }
            if (keys.contains(o.partitionKey()) || blocked.contains(o.partitionKey())) {
                blocked.add(o.partitionKey());
                continue;
            }
            keys.add(o.partitionKey());
            batch.add(o);
        }
        remaining.removeAll(batch);
        return batch;
    }

    /** Writes {@code batch}, retrying failed entries until all landed; target positions in batch order. */
    private List<String> put(List<Orphan> batch) {
        String[] targets = new String[batch.size()];
        List<Integer> todo = new ArrayList<>();
        for (int i = 0; i < batch.size(); i++) {
            todo.add(i);
        }
        String lastError = null;
        for (int attempt = 1; !todo.isEmpty(); attempt++) {
            if (attempt > MAX_ATTEMPTS) {
                throw new IllegalStateException(
                        todo.size() + " orphan(s) could not be written to " + activeArn + " after " + MAX_ATTEMPTS
                                + " attempts (" + lastError + "); the ledger holds the batch: run again");
            }
            List<PutRecordsRequestEntry> entries = new ArrayList<>();
            for (int i : todo) {
                Orphan o = batch.get(i);
                entries.add(PutRecordsRequestEntry.builder()
                        .partitionKey(o.partitionKey())
                        .data(SdkBytes.fromByteArray(o.data()))
                        .build());
            }
            PutRecordsResponse response =
                    active.putRecords(b -> b.streamARN(activeArn).records(entries));
            List<Integer> failed = new ArrayList<>();
            for (int j = 0; j < todo.size(); j++) {
                PutRecordsResultEntry r = response.records().get(j);
                if (r.errorCode() == null) {
                    targets[todo.get(j)] = r.shardId() + "@" + r.sequenceNumber();
                } else {
                    failed.add(todo.get(j));
                    lastError = r.errorCode() + ": " + r.errorMessage();
                }
            }
            todo = failed;
            if (!todo.isEmpty()) {
                try {
                    time.sleep(Duration.ofMillis(Math.min(2000, 100L << Math.min(attempt, 4))));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while republishing orphans; run again", e);
                }
            }
        }
        return List.of(targets);
    }

    private static List<String> ids(List<Orphan> batch) {
        List<String> ids = new ArrayList<>();
        batch.forEach(o -> ids.add(o.id()));
        return ids;
    }
}
