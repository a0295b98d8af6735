package io.kinesisha.replicator.source.enumerator.assigner;

import io.kinesisha.replicator.source.split.ShardSplit;
import java.io.Serializable;

/** Chooses the subtask that reads a split. Must be deterministic so a restore assigns the same way. */
public interface ShardAssigner extends Serializable {
    int assign(ShardSplit split, int parallelism);
}
