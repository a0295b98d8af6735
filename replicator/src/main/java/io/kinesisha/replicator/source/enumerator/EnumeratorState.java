package io.kinesisha.replicator.source.enumerator;

import io.kinesisha.replicator.source.split.ShardSplit;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * What the enumerator checkpoints: splits it knows but has not assigned yet (waiting for their parents), the
 * ids of splits assigned to readers, and the ids of finished splits. Readers hold the positions.
 */
public final class EnumeratorState {
    private final Map<String, ShardSplit> unassigned;
    private final Set<String> assigned;
    private final Set<String> finished;

    public EnumeratorState(Map<String, ShardSplit> unassigned, Set<String> assigned, Set<String> finished) {
        this.unassigned = Collections.unmodifiableMap(new LinkedHashMap<>(unassigned));
        this.assigned = Collections.unmodifiableSet(assigned);
        this.finished = Collections.unmodifiableSet(finished);
    }

    public static EnumeratorState empty() {
        return new EnumeratorState(Map.of(), Set.of(), Set.of());
    }

    public Map<String, ShardSplit> unassigned() {
        return unassigned;
    }

    public Set<String> assigned() {
        return assigned;
    }

    public Set<String> finished() {
        return finished;
    }
}
