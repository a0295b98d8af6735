package io.kinesisha.replicator.source.event;

import java.util.Collections;
import java.util.Set;
import org.apache.flink.api.connector.source.SourceEvent;

/**
 * Enumerator to reader: ListShards reports these shards closed (resharded). The reader drains each with
 * GetRecords until the shard's end, so the end is found even where the EFO end-of-shard event never comes.
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
