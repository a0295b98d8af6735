package io.kinesisha.replicator.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.kinesis.agg.AggRecord;
import io.kinesisha.common.kinesis.ShardListing;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.Shard;

/**
 * Test producer that writes the way the KPL does: user records {@code <key>:<counter>} packed into KPL-format
 * aggregates by a real aggregation library ({@code amazon-kinesis-aggregator}), one aggregator per source shard
 * (the KPL predicts the shard from ListShards), each aggregate put with the explicit hash key of its first user
 * record. Aggregates hold several keys, and each key's records are spread over many aggregates. Some keys carry
 * their own explicit hash key (far from their partition key's MD5). Also writes plain records of other keys, which
 * must arrive byte-identical.
 */
final class KplLoad {
    private final int keys;
    private final int ehkKeys;
    private final Random random = new Random(7);
    private final Map<String, Integer> nextCounter = new HashMap<>();
    private final Map<String, String> explicitHashKeys = new HashMap<>();
    private final List<String> userRecords = new ArrayList<>();
    private final List<String> plainRecords = new ArrayList<>();
    private int sourceRecords;
    private int aggregates;

    KplLoad(int keys, int ehkKeys) {
        this.keys = keys;
        this.ehkKeys = ehkKeys;
        for (int i = 0; i < ehkKeys; i++) {
            explicitHashKeys.put("ehk-" + i, new BigInteger(128, random).toString());
        }
    }

    /**
     * Writes {@code userCount} user records in aggregates of 1 to {@code maxPerAggregate} user records, and
     * {@code plainCount} plain records, all in one pass so that aggregates and plain records interleave.
     */
    void write(KinesisClient kinesis, String streamArn, int userCount, int plainCount, int maxPerAggregate)
            throws Exception {
        List<Shard> shards = ShardListing.all(kinesis, streamArn);
        Map<String, AggRecord> open = new LinkedHashMap<>();
        Map<String, Integer> openLimit = new HashMap<>();
        List<PutRecordsRequestEntry> batch = new ArrayList<>();
        int plainLeft = plainCount;
        for (int i = 0; i < userCount; i++) {
            String key = i % 5 == 4 && ehkKeys > 0 ? "ehk-" + random.nextInt(ehkKeys) : "key-" + random.nextInt(keys);
            String ehk = explicitHashKeys.get(key);
            String payload = key + ":" + nextCounter.merge(key, 1, Integer::sum);
            String shardId = shardOf(shards, ehk != null ? new BigInteger(ehk) : md5(key));
            AggRecord aggregate = open.computeIfAbsent(shardId, s -> new AggRecord());
            int limit = openLimit.computeIfAbsent(shardId, s -> 1 + random.nextInt(maxPerAggregate));
            assertThat(aggregate.addUserRecord(key, ehk, payload.getBytes(StandardCharsets.UTF_8)))
                    .isTrue();
            userRecords.add(payload);
            if (aggregate.getNumUserRecords() >= limit) {
                batch.add(entry(open.remove(shardId)));
                openLimit.remove(shardId);
            }
            if (plainLeft > 0 && random.nextInt(userCount) < plainCount) {
                String plainKey = "plain-" + random.nextInt(Math.max(1, keys / 10));
                String plain = plainKey + ":" + nextCounter.merge(plainKey, 1, Integer::sum);
                batch.add(PutRecordsRequestEntry.builder()
                        .partitionKey(plainKey)
                        .data(SdkBytes.fromString(plain, StandardCharsets.UTF_8))
                        .build());
                plainRecords.add(plain);
                plainLeft--;
            }
            if (batch.size() >= 100) {
                put(kinesis, streamArn, batch);
            }
        }
        for (AggRecord rest : open.values()) {
            batch.add(entry(rest));
        }
        put(kinesis, streamArn, batch);
    }

    /**
     * Writes an aggregate whose MD5 trailer is wrong, under partition key {@code corrupt}: not an aggregate for KCL
     * (a plain record), and the replicator must copy it byte-identical.
     */
    byte[] writeCorrupted(KinesisClient kinesis, String streamArn, String corrupt) throws Exception {
        AggRecord aggregate = new AggRecord();
        aggregate.addUserRecord("inner-1", null, "never seen as a user record".getBytes(StandardCharsets.UTF_8));
        byte[] data = aggregate.toRecordBytes();
        data[data.length - 1] ^= 1;
        put(
                kinesis,
                streamArn,
                new ArrayList<>(List.of(PutRecordsRequestEntry.builder()
                        .partitionKey(corrupt)
                        .data(SdkBytes.fromByteArray(data))
                        .build())));
        return data;
    }

    private PutRecordsRequestEntry entry(AggRecord aggregate) {
        aggregates++;
        return PutRecordsRequestEntry.builder()
                .partitionKey(aggregate.getPartitionKey())
                .explicitHashKey(aggregate.getExplicitHashKey())
                .data(SdkBytes.fromByteArray(aggregate.toRecordBytes()))
                .build();
    }

    private void put(KinesisClient kinesis, String streamArn, List<PutRecordsRequestEntry> batch) {
        if (batch.isEmpty()) {
            return;
        }
        PutRecordsResponse response =
                kinesis.putRecords(b -> b.streamARN(streamArn).records(batch));
        assertThat(response.failedRecordCount())
                .as("the emulator never fails entries")
                .isZero();
        sourceRecords += batch.size();
        batch.clear();
    }

    private static String shardOf(List<Shard> shards, BigInteger hash) {
        for (Shard shard : shards) {
            if (hash.compareTo(new BigInteger(shard.hashKeyRange().startingHashKey())) >= 0
                    && hash.compareTo(new BigInteger(shard.hashKeyRange().endingHashKey())) <= 0) {
                return shard.shardId();
            }
        }
        throw new IllegalStateException("no shard holds hash " + hash);
    }

    static BigInteger md5(String partitionKey) {
        try {
            return new BigInteger(
                    1, MessageDigest.getInstance("MD5").digest(partitionKey.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Payloads of every user record written inside an aggregate. */
    List<String> userRecords() {
        return userRecords;
    }

    /** Payloads of the plain records (their partition key is the payload's prefix). */
    List<String> plainRecords() {
        return plainRecords;
    }

    /** Records in the source stream: aggregates plus plain records. */
    int sourceRecords() {
        return sourceRecords;
    }

    int aggregates() {
        return aggregates;
    }

    /** The explicit hash key a key's user records carry, or null (routed by the key's MD5). */
    String explicitHashKey(String key) {
        return explicitHashKeys.get(key);
    }
}
