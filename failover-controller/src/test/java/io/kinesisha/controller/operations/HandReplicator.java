package io.kinesisha.controller.operations;

import io.kinesisha.common.control.ControlRecord;
import io.kinesisha.common.control.ReplicationDirection;
import io.kinesisha.common.control.RepublishBatch;
import io.kinesisha.common.control.ShardProgress;
import io.kinesisha.common.control.StreamCut;
import io.kinesisha.common.kinesis.ShardListing;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.GetRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.PutRecordResponse;
import software.amazon.awssdk.services.kinesis.model.Record;
import software.amazon.awssdk.services.kinesis.model.Shard;
import software.amazon.awssdk.services.kinesis.model.ShardIteratorType;

/**
 * The replicator's part played in the test JVM, one record at a time, so a test of the controller's orphan logic
 * runs in seconds: it follows the control record's direction and epoch, starts where {@code StartPositions} says
 * (its epoch's progress, else the source's cut, else the shard's start), skips republished orphan copies, checks
 * the epoch before every write (the fence) and writes a progress row after every copy, with the target position and
 * a flush mark (it writes one record at a time, so after each copy nothing is in flight).
 */
public final class HandReplicator implements AutoCloseable {
    private final PairContext ctx;
    private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "hand-replicator");
        t.setDaemon(true);
        return t;
    });
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final Map<String, Long> copied = new HashMap<>();
    private final Map<String, Map<String, String>> highest = new HashMap<>();

    public HandReplicator(PairContext ctx) {
        this.ctx = ctx;
    }

    public HandReplicator start() {
        executor.scheduleWithFixedDelay(
                () -> {
                    try {
                        pump();
                    } catch (Throwable t) {
                        failure.compareAndSet(null, t);
                    }
                },
                0,
                100,
                TimeUnit.MILLISECONDS);
        return this;
    }

    /** Copies per direction so far (for the test's numbers). */
    public synchronized Map<String, Long> copied() {
        return Map.copyOf(copied);
    }

    /** The first error the loop met, if any. */
    public Optional<Throwable> failure() {
        return Optional.ofNullable(failure.get());
    }

    synchronized void pump() {
        ControlRecord record = ctx.control().read(ctx.pair());
        ReplicationDirection d = record.direction();
        if (d == null) {
            return;
        }
        long epoch = record.epoch();
        KinesisClient source = ctx.kinesis(d.sourceRegion());
        KinesisClient target = ctx.kinesis(d.targetRegion());
        String sourceArn = ctx.streamArn(d.sourceRegion());
        String targetArn = ctx.streamArn(d.targetRegion());
        Map<String, String> positions = new HashMap<>();
        Optional<StreamCut> cut = ctx.ledger().latestCut(ctx.pair(), d.sourceRegion(), epoch);
        cut.ifPresent(c -> positions.putAll(c.tips()));
        Set<String> excluded = new HashSet<>();
        cut.ifPresent(c -> ctx.ledger().batches(ctx.pair(), c.epoch()).stream()
                .filter(b -> b.state() == RepublishBatch.State.COPIED)
                .forEach(b -> excluded.addAll(b.targets())));
        for (ShardProgress p : ctx.store().readProgress(ctx.pair(), d, epoch)) {
            positions.put(p.sourceShardId(), p.lastSequenceNumber());
        }
        for (Shard shard : ShardListing.all(source, sourceArn)) {
            String after = positions.get(shard.shardId());
            String iterator = source.getShardIterator(b -> {
                        b.streamARN(sourceArn).shardId(shard.shardId());
                        if (after == null || after.isEmpty()) {
                            b.shardIteratorType(ShardIteratorType.TRIM_HORIZON);
                        } else {
                            b.shardIteratorType(ShardIteratorType.AFTER_SEQUENCE_NUMBER)
                                    .startingSequenceNumber(after);
                        }
                    })
                    .shardIterator();
            while (iterator != null) {
                String current = iterator;
                GetRecordsResponse page =
                        source.getRecords(b -> b.streamARN(sourceArn).shardIterator(current));
                for (Record r : page.records()) {
                    if (!ctx.control().read(ctx.pair()).permitsReplication(d, epoch)) {
                        return; // fenced
                    }
                    String targetShard = null;
                    String targetSequence = null;
                    if (!excluded.contains(shard.shardId() + "@" + r.sequenceNumber())) {
                        PutRecordResponse put = target.putRecord(b -> b.streamARN(targetArn)
                                .partitionKey(r.partitionKey())
                                .data(r.data()));
                        targetShard = put.shardId();
                        targetSequence = put.sequenceNumber();
                        copied.merge(d.toString(), 1L, Long::sum);
                        highest.computeIfAbsent(d + "#" + epoch, k -> new HashMap<>())
                                .put(targetShard, targetSequence);
                    }
                    ctx.store()
                            .putProgress(new ShardProgress(
                                            ctx.pair(),
                                            d,
                                            epoch,
                                            shard.shardId(),
                                            r.sequenceNumber(),
                                            r.approximateArrivalTimestamp().toEpochMilli(),
                                            0,
                                            targetShard,
                                            targetSequence,
                                            copied.getOrDefault(d.toString(), 0L),
                                            0,
                                            false,
                                            System.currentTimeMillis())
                                    .withMark(r.sequenceNumber(), highest.getOrDefault(d + "#" + epoch, Map.of())));
                }
                if (page.records().isEmpty() && (page.millisBehindLatest() == null || page.millisBehindLatest() == 0)) {
                    break;
                }
                iterator = page.nextShardIterator();
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        executor.shutdownNow();
        executor.awaitTermination(10, TimeUnit.SECONDS);
    }
}
