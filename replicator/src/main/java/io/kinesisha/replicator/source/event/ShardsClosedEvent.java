package io.kinesisha.replicator.source.event;

import java.util.Collections;
import java.util.Set;
import org.apache.flink.api.connector.source.SourceEvent;

/**
 * Enumerator to every reader: ListShards reports these shards closed (resharded) and they are not finished yet. A
 * reader drains each one it holds with GetRecords until the shard's end, so the end is found even where the EFO
 * end-of-shard event never comes. Sent to all readers, again at every discovery: after a restore or a rescale the
 * enumerator does not know which reader holds a split, and an event sent while a reader restarted is lost.
 */
public final class ShardsClosedEvent implements SourceEvent {
    private static final long serialVersionUID = 1L;

    private final Set<String> shardIds;

    public ShardsClosedEvent(Set<String> shardIds) {
        this.shardIds = Collections.unmodifiableSet(shardIds);
    }

    public Set<String> shardIds() {
        return shardIds;
    }

    @Override
    public String toString() {
        return "ShardsClosedEvent" + shardIds;
    }
}
