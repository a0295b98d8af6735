package io.kinesisha.replicator.source.enumerator.assigner;

import io.kinesisha.common.kinesis.HashKeys;
import io.kinesisha.replicator.source.split.ShardSplit;
import java.math.BigInteger;

/**
 * Spreads shards across subtasks by the middle of their hash-key range: the hash-key space is cut into
 * {@code parallelism} equal slices and a shard goes to the slice that holds its midpoint. Uniform for evenly
 * split streams, stable across resharding (children land near their parents), independent of shard ids.
 */
public final class HashRangeShardAssigner implements ShardAssigner {
    private static final long serialVersionUID = 1L;
    private static final BigInteger SPACE = HashKeys.MAX.add(BigInteger.ONE);

    @Override
    public int assign(ShardSplit split, int parallelism) {
        BigInteger middle = split.startingHashKey().add(split.endingHashKey()).shiftRight(1);
        int subtask =
                middle.multiply(BigInteger.valueOf(parallelism)).divide(SPACE).intValue();
        return Math.min(Math.max(subtask, 0), parallelism - 1);
    }
}
