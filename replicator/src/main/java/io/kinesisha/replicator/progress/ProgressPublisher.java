package io.kinesisha.replicator.progress;

import io.kinesisha.common.aws.AwsClientFactory;
import io.kinesisha.common.aws.AwsTarget;
import io.kinesisha.common.aws.ClientTuning;
import io.kinesisha.common.control.ControlStore;
import io.kinesisha.common.control.ReplicationDirection;
import io.kinesisha.common.control.ShardProgress;
import java.math.BigInteger;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * Writes progress rows to the control store off the task thread, newest snapshot wins: a slow or unreachable
 * control store delays progress, never replication or checkpoints. Failures are counted and logged; the next
 * checkpoint writes again (rows only move forward).
 */
public final class ProgressPublisher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ProgressPublisher.class);

    private final AwsClientFactory factory;
    private final DynamoDbClient dynamo;
    private final ControlStore store;
    private final ExecutorService executor;
    private final AtomicReference<List<ShardProgress>> latest = new AtomicReference<>();
    private final AtomicLong published = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();

    public ProgressPublisher(AwsTarget controlStore, String table, ClientTuning tuning) {
        this.factory = new AwsClientFactory(tuning);
        this.dynamo = factory.dynamoDb(controlStore);
        this.store = new ControlStore(dynamo, table);
        this.executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "kinesis-ha-progress");
            t.setDaemon(true);
            return t;
        });
    }

    /** Queues a snapshot; a snapshot not yet written is replaced by this newer one. */
    public void publish(List<ShardProgress> progress) {
        if (latest.getAndSet(progress) == null) {
            executor.execute(this::drain);
        }
    }

    private void drain() {
        List<ShardProgress> batch = latest.getAndSet(null);
        if (batch == null) {
            return;
        }
        try {
            for (ShardProgress p : batch) {
                store.putProgress(p);
            }
            published.incrementAndGet();
        } catch (RuntimeException e) {
            failures.incrementAndGet();
            LOG.warn(
                    "progress not written to the control store {} (will retry at the next checkpoint): {}",
                    store.table(),
                    e.toString());
        }
    }

    /**
     * The last replicated position per source shard as the control store has it (from an earlier run of this
     * job); empty if unknown or unreachable, so a restore never waits on the control store.
     */
    public Map<String, BigInteger> replicatedPositions(String pairName, ReplicationDirection direction, long epoch) {
        Map<String, BigInteger> positions = new HashMap<>();
        try {
            for (ShardProgress p : store.readProgress(pairName, direction, epoch)) {
                if (p.lastSequenceNumber() != null) {
                    positions.put(p.sourceShardId(), new BigInteger(p.lastSequenceNumber()));
                }
            }
        } catch (RuntimeException e) {
            LOG.warn(
                    "cannot read earlier progress from {} (duplicates after restore are not counted): {}",
                    store.table(),
                    e.toString());
        }
        return positions;
    }

    public long publishedSnapshots() {
        return published.get();
    }

    public long failedSnapshots() {
        return failures.get();
    }

    @Override
    public void close() {
        executor.shutdown();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        dynamo.close();
        factory.close();
    }
}
