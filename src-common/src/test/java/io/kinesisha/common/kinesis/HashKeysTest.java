package io.kinesisha.common.kinesis;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.kinesis.model.Shard;

class HashKeysTest {

    @Test
    void hashKeyIsTheUnsignedMd5OfTheUtf8Key() {
        // md5("a") = 0cc175b9c0f1b6a831c399e269772661
        assertThat(HashKeys.hashKey("a")).isEqualTo(new BigInteger("0cc175b9c0f1b6a831c399e269772661", 16));
        // a digest with the top bit set stays positive: md5("b") = 92eb5ffee6ae2fec3ad71c777531578f
        assertThat(HashKeys.hashKey("b"))
                .isEqualTo(new BigInteger("92eb5ffee6ae2fec3ad71c777531578f", 16))
                .isPositive();
        assertThat(HashKeys.hashKey("b")).isLessThanOrEqualTo(HashKeys.MAX);
    }

    @Test
    void openShardIsChosenByInclusiveRangeAndClosedShardsAreSkipped() {
        BigInteger half = HashKeys.MAX.shiftRight(1);
        Shard low = shard("shardId-0", BigInteger.ZERO, half, null);
        Shard high = shard("shardId-1", half.add(BigInteger.ONE), HashKeys.MAX, null);
        Shard closedParent = shard("shardId-9", BigInteger.ZERO, HashKeys.MAX, "123");
        assertThat(HashKeys.openShardFor("a", List.of(closedParent, low, high)))
                .map(Shard::shardId)
                .contains("shardId-0");
        assertThat(HashKeys.openShardFor("b", List.of(closedParent, low, high)))
                .map(Shard::shardId)
                .contains("shardId-1");
        assertThat(HashKeys.contains(low, half)).isTrue();
        assertThat(HashKeys.contains(high, half)).isFalse();
        assertThat(HashKeys.openShardFor("a", List.of(closedParent))).isEmpty();
    }

    private static Shard shard(String id, BigInteger start, BigInteger end, String endingSeq) {
        return Shard.builder()
                .shardId(id)
                .hashKeyRange(r -> r.startingHashKey(start.toString()).endingHashKey(end.toString()))
                .sequenceNumberRange(r -> r.startingSequenceNumber("1").endingSequenceNumber(endingSeq))
                .build();
    }
}
