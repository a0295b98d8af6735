package io.kinesisha.controller.reconcile;

import io.kinesisha.common.control.ReplicationLedger;
import io.kinesisha.common.control.RepublishBatch;
import io.kinesisha.controller.time.ControllerTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResultEntry;
import software.amazon.awssdk.services.kinesis.model.Record;

/**
 * Copies orphans into the active stream exactly once. Each batch is written to the ledger as INTENDED before the
 * PutRecords call and as COPIED (with where every copy landed) after it; a re-run skips COPIED orphans, and for an
 * INTENDED batch (a crash between the call and the ledger) it looks for the copies after the cut by content and
 * writes only those not found. A batch holds at most one record per key and its failed entries are retried before
 * the next batch, so the orphans of a key land in their original order.
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
        long recovered = 0;
        for (RepublishBatch b : batches) {
            if (b.state() == RepublishBatch.State.INTENDED) {
                recovered += finishInterrupted(b, byId, findings, claimedTargets);
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
        while (!remaining.isEmpty()) {
            List<Orphan> batch = nextBatch(remaining);
            hook.beforePut(next);
            RepublishBatch intended = new RepublishBatch(
                    pair, cutEpoch, next, RepublishBatch.State.INTENDED, ids(batch), List.of(), time.now());
            ledger.putBatch(intended);
            List<String> targets = put(batch);
            hook.afterPut(next);
            ledger.putBatch(intended.copied(targets, time.now()));
            copiedNow += batch.size();
            next++;
            progress.accept("republished " + (alreadyCopied + recovered + copiedNow) + " of "
                    + findings.orphans().size() + " orphan(s)");
        }
        return new OrphanReport.Republish(alreadyCopied, copiedNow, recovered, 0);
    }

    /** An INTENDED batch: copies found after the cut are taken as landed; the rest are written now. */
    private long finishInterrupted(
            RepublishBatch b, Map<String, Orphan> byId, OrphanFinder.Findings findings, Set<String> claimedTargets) {
        Map<String, List<Record>> afterCutByContent = new HashMap<>();
        for (Record r : findings.afterCut()) {
            afterCutByContent
                    .computeIfAbsent(OrphanFinder.content(r), k -> new ArrayList<>())
                    .add(r);
        }
        List<String> targets = new ArrayList<>();
        List<Orphan> missing = new ArrayList<>();
        List<Integer> missingAt = new ArrayList<>();
        for (String id : b.orphanIds()) {
            Orphan o = byId.get(id);
            if (o == null) {
                throw new IllegalStateException("ledger batch " + b.number() + " names " + id
                        + ", which is no longer an orphan of this cut: the old primary's data changed (retention?)");
            }
            String found = null;
            for (Record r : afterCutByContent.getOrDefault(o.content(), List.of())) {
                String target = findings.afterCutShard().get(r.sequenceNumber()) + "@" + r.sequenceNumber();
                if (!claimedTargets.contains(target)) {
                    found = target;
                    break;
                }
            }
            if (found != null) {
                claimedTargets.add(found);
            } else {
                missing.add(o);
                missingAt.add(targets.size());
            }
            targets.add(found);
        }
        if (!missing.isEmpty()) {
            hook.beforePut(b.number());
            List<String> written = put(missing);
            for (int i = 0; i < written.size(); i++) {
                targets.set(missingAt.get(i), written.get(i));
            }
        }
        ledger.putBatch(b.copied(targets, time.now()));
        progress.accept("finished interrupted republish batch " + b.number() + ": "
                + (b.orphanIds().size() - missing.size()) + " copy(ies) found after the cut, " + missing.size()
                + " written now");
        return b.orphanIds().size();
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
