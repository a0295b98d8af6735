package io.kinesisha.controller.reconcile;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.stream.Collectors;
import software.amazon.awssdk.services.kinesis.model.Shard;

/**
 * Which shard of a stream a partition key's records land in, the way Kinesis maps them (the MD5 of the key as an
 * unsigned 128-bit hash key, within a shard's hash key range). Used to tell whether a flush mark bounds the one
 * target shard a key's copies are in; a key two of the given shards could hold (resharding) has no answer.
 */
final class TargetShards {
    private final List<Shard> shards;

    TargetShards(List<Shard> shards) {
        this.shards = List.copyOf(shards);
    }

    /** The only shard among those given whose hash key range holds {@code partitionKey}; {@code null} if not one. */
    String of(String partitionKey) {
        BigInteger hash = hash(partitionKey);
        List<String> holding = shards.stream()
                .filter(s -> s.hashKeyRange() != null
                        && new BigInteger(s.hashKeyRange().startingHashKey()).compareTo(hash) <= 0
                        && new BigInteger(s.hashKeyRange().endingHashKey()).compareTo(hash) >= 0)
                .map(Shard::shardId)
                .collect(Collectors.toList());
        return holding.size() == 1 ? holding.get(0) : null;
    }

    static BigInteger hash(String partitionKey) {
        try {
            return new BigInteger(
                    1, MessageDigest.getInstance("MD5").digest(partitionKey.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 is required of every Java runtime", e);
        }
    }
}
