package io.kinesisha.common.kinesis;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collection;
import java.util.Optional;
import software.amazon.awssdk.services.kinesis.model.Shard;

/**
 * How Kinesis places a record: the MD5 of the partition key, read as an unsigned 128-bit integer, is the hash
 * key, and the open shard whose hash-key range holds it receives the record. The replicator uses this to
 * reason about where a key lands in the target; the hash key is the same in both regions.
 */
public final class HashKeys {
    /** 2^128 - 1, the top of the hash-key space. */
    public static final BigInteger MAX = BigInteger.ONE.shiftLeft(128).subtract(BigInteger.ONE);

    private HashKeys() {}

    public static BigInteger hashKey(String partitionKey) {
        try {
            byte[] digest = MessageDigest.getInstance("MD5").digest(partitionKey.getBytes(StandardCharsets.UTF_8));
            return new BigInteger(1, digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 is required by every Java runtime", e);
        }
    }

    /** True if {@code shard}'s hash-key range holds {@code hashKey} (both ends inclusive). */
    public static boolean contains(Shard shard, BigInteger hashKey) {
        BigInteger start = new BigInteger(shard.hashKeyRange().startingHashKey());
        BigInteger end = new BigInteger(shard.hashKeyRange().endingHashKey());
        return hashKey.compareTo(start) >= 0 && hashKey.compareTo(end) <= 0;
    }

    /** Whether a shard is still open (no ending sequence number). */
    public static boolean isOpen(Shard shard) {
        return shard.sequenceNumberRange() == null
                || shard.sequenceNumberRange().endingSequenceNumber() == null;
    }

    /** The open shard among {@code shards} that receives a record with {@code partitionKey}. */
    public static Optional<Shard> openShardFor(String partitionKey, Collection<Shard> shards) {
        BigInteger hashKey = hashKey(partitionKey);
        return shards.stream()
                .filter(HashKeys::isOpen)
                .filter(s -> contains(s, hashKey))
                .findFirst();
    }
}
