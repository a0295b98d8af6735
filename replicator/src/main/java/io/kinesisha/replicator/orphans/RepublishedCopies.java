package io.kinesisha.replicator.orphans;

import io.kinesisha.common.aws.AwsClientFactory;
import io.kinesisha.common.aws.AwsTarget;
import io.kinesisha.common.aws.ClientTuning;
import io.kinesisha.common.control.ReplicationLedger;
import io.kinesisha.common.control.RepublishBatch;
import io.kinesisha.replicator.source.RecordScreen;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * Keeps orphan copies from travelling back while the job runs, not only those republished before it started:
 * orphans can be republished into this job's source ({@code orphans --apply}, a failback's reconciliation) at any
 * time against the source's cut. The republisher records each batch INTENDED before its PutRecords and COPIED, with
 * every copy's position, after it; so a ledger read that starts after records were fetched and finds no INTENDED
 * batch names every copy among them, by position (payloads may repeat). While a batch is INTENDED its copies may
 * have landed unnamed: the source holds (nothing is emitted or checkpointed) until the batch is COPIED, and says so.
 * COPIED batches never change and are kept; each read asks only for the batches after them, at most once per
 * {@link #READ_INTERVAL}, and only when records wait (an idle source reads nothing).
 */
public final class RepublishedCopies implements RecordScreen {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(RepublishedCopies.class);
    /** Bounds the ledger reads (and so the cost) per reader; a record waits at most this long plus one read. */
    static final Duration READ_INTERVAL = Duration.ofMillis(200);

    private final String pairName;
    private final long cutEpoch;
    private final String sourceRegion;
    private final AwsTarget controlStore;
    private final String controlTable;
    private final ClientTuning tuning;
    private final long readIntervalNanos;

    private transient AwsClientFactory clients;
    private transient DynamoDbClient dynamo;
    private transient ReplicationLedger ledger;
    private transient Set<String> copies;
    private transient Set<Integer> copiedBatches;
    private transient int firstOpen;
    private transient long lastReadNanos;
    private transient boolean read;
    private transient String holding;

    /**
     * @param cutEpoch     epoch of the source region's cut the job started from: orphans are republished against it
     * @param sourceRegion the region the job reads (where copies land), for messages
     */
    public RepublishedCopies(
            String pairName,
            long cutEpoch,
            String sourceRegion,
            AwsTarget controlStore,
            String controlTable,
            ClientTuning tuning) {
        this(pairName, cutEpoch, sourceRegion, controlStore, controlTable, tuning, READ_INTERVAL);
    }

    RepublishedCopies(
            String pairName,
            long cutEpoch,
            String sourceRegion,
            AwsTarget controlStore,
            String controlTable,
            ClientTuning tuning,
            Duration readInterval) {
        this.pairName = Objects.requireNonNull(pairName, "pairName");
        this.cutEpoch = cutEpoch;
        this.sourceRegion = Objects.requireNonNull(sourceRegion, "sourceRegion");
        this.controlStore = Objects.requireNonNull(controlStore, "controlStore");
        this.controlTable = Objects.requireNonNull(controlTable, "controlTable");
        this.tuning = Objects.requireNonNull(tuning, "tuning");
        this.readIntervalNanos = readInterval.toNanos();
    }

    @Override
    public void open() {
        clients = new AwsClientFactory(tuning);
        dynamo = clients.dynamoDb(controlStore);
        open(new ReplicationLedger(dynamo, controlTable));
    }

    private void open(ReplicationLedger ledgerToRead) {
        ledger = ledgerToRead;
        copies = new HashSet<>();
        copiedBatches = new HashSet<>();
        firstOpen = 0;
        read = false;
        holding = null;
    }

    @Override
    public Optional<Set<String>> passOver() {
        long now = System.nanoTime();
        if (read && now - lastReadNanos < readIntervalNanos) {
            return Optional.empty();
        }
        read = true;
        lastReadNanos = now;
        List<RepublishBatch> batches;
        try {
            batches = ledger.batchesFrom(pairName, cutEpoch, firstOpen);
        } catch (RuntimeException e) {
            hold("the republish ledger of " + pairName + " (table " + controlTable + ") cannot be read ("
                    + e.getClass().getSimpleName() + ": " + e.getMessage() + "); replication out of " + sourceRegion
                    + " holds until it can, so no republished orphan copy is copied back");
            return Optional.empty();
        }
        List<Integer> intended = new ArrayList<>();
        for (RepublishBatch b : batches) {
            if (b.state() == RepublishBatch.State.COPIED) {
                if (copiedBatches.add(b.number())) {
                    copies.addAll(b.targets());
                }
            } else {
                intended.add(b.number());
            }
        }
        while (copiedBatches.contains(firstOpen)) {
            firstOpen++;
        }
        if (!intended.isEmpty()) {
            hold("orphan republishing into " + sourceRegion + " is under way (batch(es) " + intended
                    + " of the cut of epoch "
                    + cutEpoch
                    + " are INTENDED: copies may have landed that the ledger does not name yet); replication out"
                    + " of " + sourceRegion + " holds until they are COPIED (if nothing is republishing now, finish it:"
                    + " ./kinesis-ha orphans --apply --yes, or resume the failback)");
            return Optional.empty();
        }
        if (holding != null) {
            LOG.info(
                    "republish ledger of {} is settled again ({} orphan copies named): replication out of {} goes on",
                    pairName,
                    copies.size(),
                    sourceRegion);
            holding = null;
        }
        return Optional.of(Collections.unmodifiableSet(copies));
    }

    private void hold(String why) {
        if (!why.equals(holding)) {
            LOG.warn(why);
            holding = why;
        }
    }

    @Override
    public void close() {
        if (dynamo != null) {
            dynamo.close();
        }
        if (clients != null) {
            clients.close();
        }
    }
}
