package io.kinesisha.replicator.source.reader;

import io.kinesisha.replicator.source.event.ConsumerArnEvent;
import io.kinesisha.replicator.source.event.ShardsClosedEvent;
import io.kinesisha.replicator.source.event.SplitsFinishedEvent;
import io.kinesisha.replicator.source.split.ShardSplit;
import io.kinesisha.replicator.source.split.ShardSplitState;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.apache.flink.api.connector.source.SourceEvent;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.base.source.reader.SingleThreadMultiplexSourceReaderBase;
import org.apache.flink.connector.base.source.reader.splitreader.SplitReader;

/**
 * The source reader of one subtask. Finished splits stay in its checkpointed state, marked finished, until a
 * later checkpoint completes, and are reported to the enumerator again after a restore: a finish report lost
 * between a coordinator checkpoint and a task checkpoint can never strand the children of a shard.
 */
public final class KinesisSourceReader<T>
        extends SingleThreadMultiplexSourceReaderBase<ShardElement, T, ShardSplit, ShardSplitState> {
    private static final long NOT_SNAPSHOTTED = Long.MAX_VALUE;

    private final Set<String> closedShards;
    private final AtomicReference<String> consumerArn;
    /** Finished splits to the first checkpoint that held them. */
    private final Map<String, FinishedSplit> finishedSplits = new LinkedHashMap<>();

    public KinesisSourceReader(
            Supplier<SplitReader<ShardElement, ShardSplit>> splitReaders,
            ShardRecordEmitter<T> emitter,
            Configuration config,
            SourceReaderContext context,
            Set<String> closedShards,
            AtomicReference<String> consumerArn) {
        super(splitReaders, emitter, config, context);
        this.closedShards = closedShards;
        this.consumerArn = consumerArn;
    }

    @Override
    public void start() {
        // splits are pushed by the enumerator
    }

    @Override
    public void addSplits(List<ShardSplit> splits) {
        List<ShardSplit> toRead = new ArrayList<>();
        Set<String> alreadyFinished = new LinkedHashSet<>();
        for (ShardSplit split : splits) {
            if (split.finished()) {
                finishedSplits.put(split.splitId(), new FinishedSplit(split));
                alreadyFinished.add(split.splitId());
            } else {
                toRead.add(split);
            }
        }
        if (!alreadyFinished.isEmpty()) {
            context.sendSourceEventToCoordinator(new SplitsFinishedEvent(alreadyFinished));
        }
        if (!toRead.isEmpty()) {
            super.addSplits(toRead);
        }
    }

    @Override
    protected void onSplitFinished(Map<String, ShardSplitState> finished) {
        for (Map.Entry<String, ShardSplitState> e : finished.entrySet()) {
            finishedSplits.put(
                    e.getKey(), new FinishedSplit(e.getValue().toSplit().asFinished()));
        }
        context.sendSourceEventToCoordinator(new SplitsFinishedEvent(new LinkedHashSet<>(finished.keySet())));
    }

    @Override
    public List<ShardSplit> snapshotState(long checkpointId) {
        List<ShardSplit> state = new ArrayList<>(super.snapshotState(checkpointId));
        for (FinishedSplit f : finishedSplits.values()) {
            f.firstCheckpoint = Math.min(f.firstCheckpoint, checkpointId);
            state.add(f.split);
        }
        return state;
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) throws Exception {
        super.notifyCheckpointComplete(checkpointId);
        // kept one checkpoint longer than strictly needed: re-reporting is harmless, forgetting is not
        for (Iterator<FinishedSplit> it = finishedSplits.values().iterator(); it.hasNext(); ) {
            if (it.next().firstCheckpoint < checkpointId) {
                it.remove();
            }
        }
    }

    @Override
    public void handleSourceEvents(SourceEvent event) {
        if (event instanceof ShardsClosedEvent) {
            // the enumerator sends every closed, unfinished shard each time: what it no longer lists is done
            Set<String> closed = ((ShardsClosedEvent) event).shardIds();
            closedShards.retainAll(closed);
            closedShards.addAll(closed);
        } else if (event instanceof ConsumerArnEvent) {
            consumerArn.set(((ConsumerArnEvent) event).consumerArn());
        } else {
            super.handleSourceEvents(event);
        }
    }

    @Override
    protected ShardSplitState initializedState(ShardSplit split) {
        return new ShardSplitState(split);
    }

    @Override
    protected ShardSplit toSplitType(String splitId, ShardSplitState state) {
        return state.toSplit();
    }

    private static final class FinishedSplit {
        final ShardSplit split;
        long firstCheckpoint = NOT_SNAPSHOTTED;

        FinishedSplit(ShardSplit split) {
            this.split = split;
        }
    }
}
