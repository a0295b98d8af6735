package io.kinesisha.replicator.source.enumerator;

import static org.assertj.core.api.Assertions.assertThat;

import io.kinesisha.common.kinesis.HashKeys;
import io.kinesisha.replicator.source.enumerator.assigner.HashRangeShardAssigner;
import io.kinesisha.replicator.source.split.ShardSplit;
import io.kinesisha.replicator.source.split.ShardStartingPosition;
import java.math.BigInteger;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Spreading shards over subtasks: even, deterministic, and children stay near their parent. */
class HashRangeShardAssignerTest {
    private static final BigInteger SPACE = HashKeys.MAX.add(BigInteger.ONE);
    private final HashRangeShardAssigner assigner = new HashRangeShardAssigner();

    @Test
    void evenlySplitShardsSpreadOnePerSubtask() {
        List<Integer> owners = IntStream.range(0, 4)
                .mapToObj(i -> assigner.assign(slice(i, 4), 4))
                .collect(Collectors.toList());
        assertThat(owners).containsExactly(0, 1, 2, 3);
        assertThat(IntStream.range(0, 8)
                        .mapToObj(i -> assigner.assign(slice(i, 8), 4))
                        .collect(Collectors.toList()))
                .containsExactly(0, 0, 1, 1, 2, 2, 3, 3);
    }

    @Test
    void childrenOfASplitStayWithTheirParentsSubtaskAndTheAnswerNeverChanges() {
        ShardSplit parent = slice(1, 4);
        BigInteger middle = parent.startingHashKey().add(parent.endingHashKey()).shiftRight(1);
        ShardSplit left = split(parent.startingHashKey(), middle);
        ShardSplit right = split(middle.add(BigInteger.ONE), parent.endingHashKey());
        assertThat(assigner.assign(left, 4))
                .isEqualTo(assigner.assign(parent, 4))
                .isEqualTo(assigner.assign(right, 4));
        assertThat(assigner.assign(parent, 4)).isEqualTo(assigner.assign(parent, 4));
    }

    @Test
    void theWholeSpaceAndParallelismOneAreInRange() {
        ShardSplit whole = split(BigInteger.ZERO, HashKeys.MAX);
        assertThat(assigner.assign(whole, 1)).isZero();
        assertThat(assigner.assign(whole, 3)).isEqualTo(1);
        assertThat(assigner.assign(split(HashKeys.MAX, HashKeys.MAX), 5)).isEqualTo(4);
    }

    private static ShardSplit slice(int i, int of) {
        BigInteger start = SPACE.multiply(BigInteger.valueOf(i)).divide(BigInteger.valueOf(of));
        BigInteger end = SPACE.multiply(BigInteger.valueOf(i + 1))
                .divide(BigInteger.valueOf(of))
                .subtract(BigInteger.ONE);
        return split(start, end);
    }

    private static ShardSplit split(BigInteger start, BigInteger end) {
        return new ShardSplit(
                "arn:aws:kinesis:us-west-2:1:stream/s",
                "shardId-" + start.hashCode(),
                List.of(),
                start,
                end,
                null,
                ShardStartingPosition.trimHorizon(),
                false);
    }
}
