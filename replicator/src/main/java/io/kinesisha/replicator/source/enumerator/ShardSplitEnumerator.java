package io.kinesisha.replicator.source.enumerator;

import io.kinesisha.common.config.ConsumerLifecycle;
import io.kinesisha.common.config.ReaderType;
import io.kinesisha.common.kinesis.HashKeys;
import io.kinesisha.common.metrics.MetricNames;
import io.kinesisha.replicator.source.KinesisSourceConfig;
import io.kinesisha.replicator.source.enumerator.assigner.ShardAssigner;
import io.kinesisha.replicator.source.event.ConsumerArnEvent;
import io.kinesisha.replicator.source.event.ShardsClosedEvent;
import io.kinesisha.replicator.source.event.SplitsFinishedEvent;
import io.kinesisha.replicator.source.proxy.StreamProxy;
import io.kinesisha.replicator.source.split.ShardSplit;
import io.kinesisha.replicator.source.split.ShardStartingPosition;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.LongSupplier;
import org.apache.flink.api.connector.source.SourceEvent;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.connector.source.SplitsAssignment;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.SimpleCounter;
import org.apache.flink.runtime.execution.SuppressRestartsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.kinesis.model.Shard;
import software.amazon.awssdk.services.kinesis.model.ShardIteratorType;

/**
 * Discovers shards periodically and hands them to readers in lineage order. A child shard is assigned only when
 * every parent is finished <em>durably</em>: the reader reported the parent finished, and a checkpoint that
 * began after that report has completed. Since the sink flushes at every checkpoint, that means every record of
 * the parents is already in the target before a record of the child is read: per-key order holds across
 * splits and merges, even when parent and child are read by different subtasks.
 *
 * <p>A finish report belongs to the subtask that sent it and to the checkpoint that makes it durable. When Flink
 * restarts one subtask alone (region failover: the enumerator is not restored), every report of that subtask that
 * no completed checkpoint covers is rolled back: the restored reader reads those splits again from its checkpoint
 * and reports them again, and the splits assigned to it after that checkpoint come back through
 * {@link #addSplitsBack} and are queued again. So a child is never handed out while its parent's tail is re-read,
 * and no split is dropped.
 *
 * <p>The EFO consumer is the enumerator's alone: it registers it (or waits for a self-managed one), checks at every
 * discovery that it still exists, registers it again if it was deregistered, and tells every reader the ARN
 * ({@link ConsumerArnEvent}). Failures are retried at the next discovery and counted, never fatal.
 *
 * <p>With a {@link io.kinesisha.replicator.source.ReadLease}, nothing is assigned and no consumer is announced
 * until the lease is held, and it is renewed before every discovery: a second job of the same kind fails at its
 * first discovery, without restarts, naming the holder; it never subscribes.
 */
public final class ShardSplitEnumerator implements SplitEnumerator<ShardSplit, EnumeratorState> {
    private static final Logger LOG = LoggerFactory.getLogger(ShardSplitEnumerator.class);
    private static final long NOT_YET_CHECKPOINTED = -1L;
    private static final Duration CONSUMER_TIMEOUT = Duration.ofMinutes(2);

    private final SplitEnumeratorContext<ShardSplit> context;
    private final KinesisSourceConfig config;
    private final ShardAssigner assigner;
    private final StreamProxy proxy;
    private final LongSupplier wallClock;
    private final boolean restored;
    private final Map<String, ShardSplit> unassigned = new LinkedHashMap<>();
    /** Assigned and not reported finished: split id to the subtask holding it ({@link #UNKNOWN_OWNER} after a restore). */
    private final Map<String, Integer> owners = new LinkedHashMap<>();
    /** Reported finished, not yet durable. */
    private final Map<String, FinishReport> finishing = new LinkedHashMap<>();

    private final Set<String> finished = new LinkedHashSet<>();
    private final Counter registrationFailures;
    private long lastCompletedCheckpoint = -1L;
    private List<Shard> lastListing = List.of();
    private volatile String consumerArn;
    private volatile int waitingForParents;
    private boolean discoveredOnce;
    private boolean leaseHeld;
    /** The holder this job waits for (logged once per holder). */
    private String waitingFor;

    private static final int UNKNOWN_OWNER = -1;

    public ShardSplitEnumerator(
            SplitEnumeratorContext<ShardSplit> context,
            KinesisSourceConfig config,
            ShardAssigner assigner,
            EnumeratorState state,
            StreamProxy proxy) {
        this(context, config, assigner, state, proxy, System::currentTimeMillis);
    }

    ShardSplitEnumerator(
            SplitEnumeratorContext<ShardSplit> context,
            KinesisSourceConfig config,
            ShardAssigner assigner,
            EnumeratorState state,
            StreamProxy proxy,
            LongSupplier wallClock) {
        this.context = context;
        this.config = config;
        this.assigner = assigner;
        this.proxy = proxy;
        this.wallClock = wallClock;
        this.restored = state != null;
        if (state != null) {
            unassigned.putAll(state.unassigned());
            state.assigned().forEach(id -> owners.put(id, UNKNOWN_OWNER));
            finished.addAll(state.finished());
        }
        MetricGroup metrics = context.metricGroup();
        if (metrics != null) {
            this.registrationFailures = metrics.counter(MetricNames.CONSUMER_REGISTRATION_FAILURES);
            metrics.gauge(MetricNames.CONSUMER_REGISTERED, () -> consumerArn == null ? 0 : 1);
            metrics.gauge(MetricNames.SHARDS_WAITING_FOR_PARENTS, () -> waitingForParents);
        } else {
            this.registrationFailures = new SimpleCounter();
        }
    }

    @Override
    public void start() {
        context.callAsync(
                this::discover, this::onDiscovery, 0, config.discoveryInterval().toMillis());
    }

    /** Runs on a worker thread: reads only the volatile consumer ARN, touches no other state. */
    private Discovery discover() {
        if (config.lease() != null) {
            switch (config.lease().renew()) {
                case HELD_BY_ANOTHER:
                    return Discovery.leaseLost(config.lease().holder());
                case WAITING:
                    return Discovery.waiting(config.lease().holder());
                case HELD:
                    break;
            }
        }
        String arn = config.readerType() == ReaderType.EFO ? usableConsumer(consumerArn) : null;
        return new Discovery(proxy.listShards(config.streamArn()), arn);
    }

    private String usableConsumer(String current) {
        try {
            if (current != null) {
                if (proxy.consumerUsable(current)) {
                    return current;
                }
                LOG.warn(
                        "EFO consumer {} was deregistered or is being deleted; finding or registering it again",
                        current);
            }
            return config.consumerLifecycle() == ConsumerLifecycle.SELF_MANAGED
                    ? proxy.awaitActive(config.consumerArn(), CONSUMER_TIMEOUT)
                    : proxy.registerConsumer(config.streamArn(), config.consumerName(), CONSUMER_TIMEOUT);
        } catch (RuntimeException e) {
            registrationFailures.inc();
            LOG.warn(
                    "no usable EFO consumer for {} ({}): readers cannot subscribe, the lag grows; retrying in {} ms",
                    config.streamArn(),
                    e.getMessage(),
                    config.discoveryInterval().toMillis());
            return null;
        }
    }

    private void onDiscovery(Discovery discovery, Throwable error) {
        if (error != null) {
            LOG.warn(
                    "shard discovery of {} failed, retrying in {} ms: {}",
                    config.streamArn(),
                    config.discoveryInterval().toMillis(),
                    error.toString());
            return;
        }
        if (discovery.waitingFor != null) {
            if (!discovery.waitingFor.equals(waitingFor)) {
                LOG.warn(
                        "the read lease of {} is held by a run that has not renewed it since this job started ({}):"
                                + " it stopped without releasing it, or it is slow; reading nothing until it expires,"
                                + " or stopping if it renews",
                        config.streamArn(),
                        discovery.waitingFor);
                waitingFor = discovery.waitingFor;
            }
            return;
        }
        waitingFor = null;
        if (discovery.leaseHolder != null) {
            throw new SuppressRestartsException(new IllegalStateException("another job reads " + config.streamArn()
                    + " (" + discovery.leaseHolder + "): this one stops without reading; stop the other first"));
        }
        leaseHeld = true;
        if (config.readerType() == ReaderType.EFO && !Objects.equals(discovery.consumerArn, consumerArn)) {
            consumerArn = discovery.consumerArn;
            if (consumerArn != null) {
                LOG.info("EFO consumer for {}: {}", config.streamArn(), consumerArn);
                for (int reader : context.registeredReaders().keySet()) {
                    context.sendEventToSourceReader(reader, new ConsumerArnEvent(consumerArn));
                }
            }
        }
        boolean initial = !restored && !discoveredOnce;
        discoveredOnce = true;
        lastListing = discovery.shards;
        for (Shard shard : discovery.shards) {
            String id = shard.shardId();
            if (known(id)) {
                continue;
            }
            ShardStartingPosition position = positionFor(shard, initial);
            if (position == null) {
                finished.add(id);
                continue;
            }
            unassigned.put(id, splitOf(shard, position));
            LOG.info("discovered {} (parents {}), start {}", id, parents(shard), position);
        }
        notifyClosedShards();
        assignReady();
    }

    /** Readers drain closed shards with GetRecords: the emulator's EFO never signals the end of a shard. */
    private void notifyClosedShards() {
        Set<String> closed = new LinkedHashSet<>();
        for (Shard shard : lastListing) {
            if (!HashKeys.isOpen(shard) && owners.containsKey(shard.shardId())) {
                closed.add(shard.shardId());
            }
        }
        if (closed.isEmpty()) {
            return;
        }
        for (int reader : context.registeredReaders().keySet()) {
            context.sendEventToSourceReader(reader, new ShardsClosedEvent(closed));
        }
    }

    /**
     * Where a newly discovered shard starts. LATEST is resolved here, once, to the discovery time: a split
     * checkpointed before it read anything must not restart at a later LATEST and skip what arrived meanwhile.
     */
    private ShardStartingPosition positionFor(Shard shard, boolean initial) {
        ShardStartingPosition explicit = config.shardPositions().get(shard.shardId());
        if (explicit != null) {
            return resolved(explicit);
        }
        if (!initial) {
            return ShardStartingPosition.trimHorizon();
        }
        if (config.initialPosition().type() == ShardIteratorType.LATEST) {
            return HashKeys.isOpen(shard) ? resolved(config.initialPosition()) : null;
        }
        return config.initialPosition();
    }

    private ShardStartingPosition resolved(ShardStartingPosition position) {
        return position.type() == ShardIteratorType.LATEST
                ? ShardStartingPosition.atTimestamp(Instant.ofEpochMilli(wallClock.getAsLong()))
                : position;
    }

    private ShardSplit splitOf(Shard shard, ShardStartingPosition position) {
        return new ShardSplit(
                config.streamArn(),
                shard.shardId(),
                parents(shard),
                new BigInteger(shard.hashKeyRange().startingHashKey()),
                new BigInteger(shard.hashKeyRange().endingHashKey()),
                consumerArn,
                position,
                false);
    }

    private static List<String> parents(Shard shard) {
        List<String> parents = new ArrayList<>(2);
        if (shard.parentShardId() != null) {
            parents.add(shard.parentShardId());
        }
        if (shard.adjacentParentShardId() != null) {
            parents.add(shard.adjacentParentShardId());
        }
        return parents;
    }

    private boolean known(String id) {
        return unassigned.containsKey(id)
                || owners.containsKey(id)
                || finished.contains(id)
                || finishing.containsKey(id);
    }

    private boolean parentsDone(ShardSplit split) {
        for (String parent : split.parentShardIds()) {
            // a parent never seen is past retention: nothing of it can still be read
            if (known(parent) && !finished.contains(parent)) {
                return false;
            }
        }
        return true;
    }

    private void assignReady() {
        if (config.lease() != null && !leaseHeld) {
            return;
        }
        int parallelism = context.currentParallelism();
        Map<Integer, List<ShardSplit>> assignment = new HashMap<>();
        int waiting = 0;
        for (Iterator<ShardSplit> it = unassigned.values().iterator(); it.hasNext(); ) {
            ShardSplit split = it.next();
            if (!parentsDone(split)) {
                waiting++;
                continue;
            }
            int owner = assigner.assign(split, parallelism);
            if (!context.registeredReaders().containsKey(owner)) {
                continue;
            }
            assignment.computeIfAbsent(owner, k -> new ArrayList<>()).add(split);
            owners.put(split.splitId(), owner);
            it.remove();
        }
        waitingForParents = waiting;
        if (!assignment.isEmpty()) {
            LOG.info("assigning {}", assignment);
            context.assignSplits(new SplitsAssignment<>(assignment));
        }
    }

    @Override
    public void handleSourceEvent(int subtaskId, SourceEvent event) {
        if (event instanceof SplitsFinishedEvent) {
            Set<String> reported = ((SplitsFinishedEvent) event).splitIds();
            for (String id : reported) {
                if (!finished.contains(id)) {
                    owners.remove(id);
                    finishing.putIfAbsent(id, new FinishReport(subtaskId));
                }
            }
            LOG.info("subtask {} finished {}; children wait for the next completed checkpoint", subtaskId, reported);
        }
    }

    @Override
    public void handleSplitRequest(int subtaskId, String requesterHostname) {
        // splits are pushed: discovery and checkpoint completion assign them
    }

    /**
     * Flink restarts {@code subtaskId} from its last checkpoint; {@code splits} were assigned to it after that
     * checkpoint. Those go back to the queue (their records may not all be in the target), and every finish report
     * of the subtask that no completed checkpoint covers is withdrawn: its restored reader re-reads those splits.
     */
    @Override
    public void addSplitsBack(List<ShardSplit> splits, int subtaskId) {
        Set<String> givenBack = new LinkedHashSet<>();
        for (ShardSplit split : splits) {
            owners.remove(split.splitId());
            finishing.remove(split.splitId());
            if (!finished.contains(split.splitId())) {
                unassigned.put(split.splitId(), split.asUnfinished());
                givenBack.add(split.splitId());
            }
        }
        Set<String> rereading = new LinkedHashSet<>();
        for (Iterator<Map.Entry<String, FinishReport>> it = finishing.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, FinishReport> e = it.next();
            FinishReport report = e.getValue();
            if (report.subtask == subtaskId
                    && (report.checkpointId == NOT_YET_CHECKPOINTED || report.checkpointId > lastCompletedCheckpoint)) {
                it.remove();
                owners.put(e.getKey(), subtaskId);
                rereading.add(e.getKey());
            }
        }
        LOG.info(
                "subtask {} restarts from its last checkpoint: queued again {}, finish reports withdrawn (re-read by "
                        + "the restored reader) {}",
                subtaskId,
                givenBack,
                rereading);
        assignReady();
    }

    @Override
    public void addReader(int subtaskId) {
        if (consumerArn != null && (config.lease() == null || leaseHeld)) {
            context.sendEventToSourceReader(subtaskId, new ConsumerArnEvent(consumerArn));
        }
        notifyClosedShards();
        assignReady();
    }

    @Override
    public EnumeratorState snapshotState(long checkpointId) {
        for (FinishReport report : finishing.values()) {
            if (report.checkpointId == NOT_YET_CHECKPOINTED) {
                report.checkpointId = checkpointId;
            }
        }
        // restoring from this checkpoint means it completed: what is finishing now is durable then
        Set<String> durableOnRestore = new LinkedHashSet<>(finished);
        durableOnRestore.addAll(finishing.keySet());
        return new EnumeratorState(unassigned, new LinkedHashSet<>(owners.keySet()), durableOnRestore);
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) {
        lastCompletedCheckpoint = Math.max(lastCompletedCheckpoint, checkpointId);
        boolean moved = false;
        for (Iterator<Map.Entry<String, FinishReport>> it = finishing.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, FinishReport> e = it.next();
            if (e.getValue().checkpointId != NOT_YET_CHECKPOINTED && e.getValue().checkpointId <= checkpointId) {
                finished.add(e.getKey());
                it.remove();
                moved = true;
            }
        }
        if (moved) {
            assignReady();
        }
    }

    @Override
    public void close() {
        if (leaseHeld) {
            try {
                config.lease().release();
            } catch (RuntimeException | LinkageError e) {
                // LinkageError: on a Flink cluster the job's class loader can be closed while the job stops
                LOG.warn("could not release the read lease (it expires by itself): {}", e.toString());
            }
        }
        proxy.close();
    }

    /** A reader's report that a split is read to its end. */
    private static final class FinishReport {
        final int subtask;
        long checkpointId = NOT_YET_CHECKPOINTED;

        FinishReport(int subtask) {
            this.subtask = subtask;
        }
    }

    /** What one discovery found: the shards and the consumer to read them with. */
    private static final class Discovery {
        final List<Shard> shards;
        final String consumerArn;
        final String leaseHolder;
        final String waitingFor;

        Discovery(List<Shard> shards, String consumerArn) {
            this(shards, consumerArn, null, null);
        }

        private Discovery(List<Shard> shards, String consumerArn, String leaseHolder, String waitingFor) {
            this.shards = shards;
            this.consumerArn = consumerArn;
            this.leaseHolder = leaseHolder;
            this.waitingFor = waitingFor;
        }

        static Discovery leaseLost(String holder) {
            return new Discovery(List.of(), null, holder, null);
        }

        static Discovery waiting(String holder) {
            return new Discovery(List.of(), null, null, holder);
        }
    }
}
