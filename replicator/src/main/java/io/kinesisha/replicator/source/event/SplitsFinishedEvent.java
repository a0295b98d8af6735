package io.kinesisha.replicator.source.event;

import java.util.Collections;
import java.util.Set;
import org.apache.flink.api.connector.source.SourceEvent;

/** Reader to enumerator: these shards are read to their end and every record of them was emitted. */
public final class SplitsFinishedEvent implements SourceEvent {
    private static final long serialVersionUID = 1L;

    private final Set<String> splitIds;

    public SplitsFinishedEvent(Set<String> splitIds) {
        this.splitIds = Collections.unmodifiableSet(splitIds);
    }

    public Set<String> splitIds() {
        return splitIds;
    }

    @Override
    public String toString() {
        return "SplitsFinishedEvent" + splitIds;
    }
}
