package io.kinesisha.replicator.source.enumerator;

import io.kinesisha.common.config.ConsumerLifecycle;
import io.kinesisha.common.config.ReaderType;
import io.kinesisha.common.kinesis.HashKeys;
import io.kinesisha.replicator.source.KinesisSourceConfig;
import io.kinesisha.replicator.source.enumerator.assigner.ShardAssigner;
import io.kinesisha.replicator.source.event.ShardsClosedEvent;
import io.kinesisha.replicator.source.event.SplitsFinishedEvent;
import io.kinesisha.replicator.source.proxy.KinesisStreamProxy;
import io.kinesisha.replicator.source.split.ShardSplit;
import io.kinesisha.replicator.source.split.ShardStartingPosition;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.api.connector.source.SourceEvent;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.connector.source.SplitsAssignment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.kinesis.model.Shard;

/**
 * Discovers shards periodically and hands them to readers in lineage order. A child shard is assigned only when
 * every parent is finished <em>durably</em>: the reader reported the parent finished, and a checkpoint that
 * began after that report has completed. Since the sink flushes at every checkpoint, that means every record of
 * the parents is already in the target before a record of the child is read: per-key order holds across
 * splits and merges, even when parent and child are read by different subtasks.
 */
public final class ShardSplitEnumerator implements SplitEnumerator<ShardSplit, EnumeratorState> {
    private static final Logger LOG = LoggerFactory.getLogger(ShardSplitEnumerator.class);
    private static final long NOT_YET_CHECKPOINTED = -1L;

    private final SplitEnumeratorContext<ShardSplit> context;
    private final KinesisSourceConfig config;
    private final ShardAssigner assigner;
    private final boolean restored;
    private final Map<String, ShardSplit> unassigned = new LinkedHashMap<>();
    private final Set<String> assigned = new LinkedHashSet<>();
    private final Set<String> finished = new LinkedHashSet<>();
    /** Reported finished, not yet durable: split id to the checkpoint that makes it durable. */
    private final Map<String, Long> finishing = new LinkedHashMap<>();
    private KinesisStreamProxy proxy;
    private volatile String consumerArn;
    private boolean discoveredOnce;

    public ShardSplitEnumerator(SplitEnumeratorContext<ShardSplit> context, KinesisSourceConfig config,
                                ShardAssigner assigner, EnumeratorState state) {
        this.context = context;
        this.config = config;
        this.assigner = assigner;
        this.restored = state != null;
        if (state != null) {
            unassigned.putAll(state.unassigned());
            assigned.addAll(state.assigned());
            finished.addAll(state.finished());
        }
    }

    @Override
    public void start() {
        proxy = new KinesisStreamProxy(config.target(), config.tuning());
        context.callAsync(this::discover, this::onDiscovery, 0, config.discoveryInterval().toMillis());
    }

    /** Runs on a worker thread: no enumerator state is touched here. */
    private List<Shard> discover() {
        if (config.readerType() == ReaderType.EFO && consumerArn == null) {
            consumerArn = config.consumerLifecycle() == ConsumerLifecycle.SELF_MANAGED
                    ? proxy.awaitActive(config.consumerArn(), Duration.ofMinutes(2))
                    : proxy.registerConsumer(config.streamArn(), config.consumerName(), Duration.ofMinutes(2));
        }
        return proxy.listShards(config.streamArn());
    }

    private void onDiscovery(List<Shard> shards, Throwable error) {
        if (error != null) {
            if (error instanceof IllegalStateException) {
                throw (IllegalStateException) error;
            }
            LOG.warn("shard discovery of {} failed, retrying in {} ms: {}", config.streamArn(),
                    config.discoveryInterval().toMillis(), error.toString());
            return;
        }
        boolean initial = !restored && !discoveredOnce;
        discoveredOnce = true;
        for (Shard shard : shards) {
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
        notifyClosedShards(shards);
        assignReady();
    }

    /** Readers drain closed shards with GetRecords: the emulator's EFO never signals the end of a shard. */
    private void notifyClosedShards(List<Shard> shards) {
        Map<Integer, Set<String>> byOwner = new HashMap<>();
        for (Shard shard : shards) {
            if (!HashKeys.isOpen(shard) && assigned.contains(shard.shardId())) {
                int owner = assigner.assign(splitOf(shard, ShardStartingPosition.trimHorizon()), context.currentParallelism());
                byOwner.computeIfAbsent(owner, k -> new HashSet<>()).add(shard.shardId());
            }
        }
        for (Map.Entry<Integer, Set<String>> e : byOwner.entrySet()) {
            if (context.registeredReaders().containsKey(e.getKey())) {
                context.sendEventToSourceReader(e.getKey(), new ShardsClosedEvent(e.getValue()));
            }
        }
    }

    private ShardStartingPosition positionFor(Shard shard, boolean initial) {
        ShardStartingPosition explicit = config.shardPositions().get(shard.shardId());
        if (explicit != null) {
            return explicit;
        }
        if (!initial) {
            return ShardStartingPosition.trimHorizon();
        }
        if (config.initialPosition().type() == software.amazon.awssdk.services.kinesis.model.ShardIteratorType.LATEST) {
            return HashKeys.isOpen(shard) ? ShardStartingPosition.latest() : null;
        }
        return config.initialPosition();
    }

    private ShardSplit splitOf(Shard shard, ShardStartingPosition position) {
        return new ShardSplit(config.streamArn(), shard.shardId(), parents(shard),
                new BigInteger(shard.hashKeyRange().startingHashKey()), new BigInteger(shard.hashKeyRange().endingHashKey()),
                consumerArn, position, false);
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
        return unassigned.containsKey(id) || assigned.contains(id) || finished.contains(id) || finishing.containsKey(id);
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
        int parallelism = context.currentParallelism();
        Map<Integer, List<ShardSplit>> assignment = new HashMap<>();
        for (Iterator<ShardSplit> it = unassigned.values().iterator(); it.hasNext(); ) {
            ShardSplit split = it.next();
            if (!parentsDone(split)) {
                continue;
            }
            int owner = assigner.assign(split, parallelism);
            if (!context.registeredReaders().containsKey(owner)) {
                continue;
            }
            ShardSplit withConsumer = split.consumerArn() == null && consumerArn != null
                    ? new ShardSplit(split.streamArn(), split.shardId(), split.parentShardIds(), split.startingHashKey(),
                            split.endingHashKey(), consumerArn, split.startingPosition(), false)
                    : split;
            assignment.computeIfAbsent(owner, k -> new ArrayList<>()).add(withConsumer);
            assigned.add(split.splitId());
            it.remove();
        }
        if (!assignment.isEmpty()) {
            LOG.info("assigning {}", assignment);
            context.assignSplits(new SplitsAssignment<>(assignment));
        }
    }

    @Override
    public void handleSourceEvent(int subtaskId, SourceEvent event) {
        if (event instanceof SplitsFinishedEvent) {
            for (String id : ((SplitsFinishedEvent) event).splitIds()) {
                if (!finished.contains(id)) {
                    assigned.remove(id);
                    finishing.putIfAbsent(id, NOT_YET_CHECKPOINTED);
                }
            }
            LOG.info("subtask {} finished {}; children wait for the next completed checkpoint", subtaskId,
                    ((SplitsFinishedEvent) event).splitIds());
        }
    }

    @Override
    public void handleSplitRequest(int subtaskId, String requesterHostname) {
        // splits are pushed: discovery and checkpoint completion assign them
    }

    @Override
    public void addSplitsBack(List<ShardSplit> splits, int subtaskId) {
        for (ShardSplit split : splits) {
            assigned.remove(split.splitId());
            if (!finished.contains(split.splitId()) && !finishing.containsKey(split.splitId())) {
                unassigned.put(split.splitId(), split);
            }
        }
    }

    @Override
    public void addReader(int subtaskId) {
        assignReady();
    }

    @Override
    public EnumeratorState snapshotState(long checkpointId) {
        for (Map.Entry<String, Long> e : finishing.entrySet()) {
            if (e.getValue() == NOT_YET_CHECKPOINTED) {
                e.setValue(checkpointId);
            }
        }
        // restoring from this checkpoint means it completed: what is finishing now is durable then
        Set<String> durableOnRestore = new LinkedHashSet<>(finished);
        durableOnRestore.addAll(finishing.keySet());
        return new EnumeratorState(unassigned, new LinkedHashSet<>(assigned), durableOnRestore);
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) {
        boolean moved = false;
        for (Iterator<Map.Entry<String, Long>> it = finishing.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, Long> e = it.next();
            if (e.getValue() != NOT_YET_CHECKPOINTED && e.getValue() <= checkpointId) {
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
        if (proxy != null) {
            proxy.close();
        }
    }
}
