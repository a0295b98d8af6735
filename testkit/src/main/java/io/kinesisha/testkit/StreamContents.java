package io.kinesisha.testkit;

import io.kinesisha.common.kinesis.ShardListing;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.GetRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.Record;
import software.amazon.awssdk.services.kinesis.model.Shard;
import software.amazon.awssdk.services.kinesis.model.ShardIteratorType;

/** Everything a stream holds, read with GetRecords from every shard, and the checks the replicator must pass. */
public final class StreamContents {
    private final Map<String, List<Record>> byShard;
    private final List<Record> records;

    private StreamContents(Map<String, List<Record>> byShard) {
        this.byShard = byShard;
        this.records = new ArrayList<>();
        byShard.values().forEach(records::addAll);
    }

    /** Every shard, open and closed, in shard-id order (parents before children). */
    public static StreamContents read(KinesisClient kinesis, String streamArn) {
        Map<String, List<Record>> byShard = new TreeMap<>();
        for (Shard shard : ShardListing.all(kinesis, streamArn)) {
            byShard.put(shard.shardId(), readShard(kinesis, streamArn, shard.shardId()));
        }
        return new StreamContents(byShard);
    }

    /** One shard from TRIM_HORIZON to its end or tip (three empty pages at the tip in a row). */
    public static List<Record> readShard(KinesisClient kinesis, String streamArn, String shardId) {
        List<Record> records = new ArrayList<>();
        String iterator = kinesis.getShardIterator(
                        b -> b.streamARN(streamArn).shardId(shardId).shardIteratorType(ShardIteratorType.TRIM_HORIZON))
                .shardIterator();
        int emptyAtTip = 0;
        while (iterator != null && emptyAtTip < 3) {
            String current = iterator;
            GetRecordsResponse page = kinesis.getRecords(
                    b -> b.streamARN(streamArn).shardIterator(current).limit(10000));
            records.addAll(page.records());
            boolean atTip = page.millisBehindLatest() == null || page.millisBehindLatest() == 0;
            emptyAtTip = page.records().isEmpty() && atTip ? emptyAtTip + 1 : 0;
            iterator = page.nextShardIterator();
        }
        return records;
    }

    /** Every record, in shard order and, within a shard, in sequence-number order. */
    public List<Record> records() {
        return records;
    }

    /** Shard id to its records in sequence-number order, shards in id order. */
    public Map<String, List<Record>> byShard() {
        return byShard;
    }

    public int size() {
        return records.size();
    }

    public static String payload(Record r) {
        return r.data().asString(StandardCharsets.UTF_8);
    }

    /** Payload to how many times it is in the stream. */
    public Map<String, Integer> counts() {
        Map<String, Integer> counts = new HashMap<>();
        for (Record r : records) {
            counts.merge(payload(r), 1, Integer::sum);
        }
        return counts;
    }

    /** Records whose partition key is not the key in their payload (bytes or key changed). */
    public long mismatchedKeys() {
        return records.stream()
                .filter(r -> !payload(r).startsWith(r.partitionKey() + ":"))
                .count();
    }

    /**
     * Per-key order violations: for each key, the first appearance of each record, in sequence-number order,
     * must have increasing counters. Re-deliveries (duplicates after a restore) are counted separately, not here.
     */
    public long orderViolations() {
        Map<String, List<Record>> byKey = new LinkedHashMap<>();
        for (Record r : records) {
            byKey.computeIfAbsent(r.partitionKey(), k -> new ArrayList<>()).add(r);
        }
        long violations = 0;
        for (List<Record> list : byKey.values()) {
            list.sort(Comparator.comparing(r -> new BigInteger(r.sequenceNumber())));
            KeyedOrder order = new KeyedOrder();
            list.forEach(r -> order.accept(payload(r)));
            violations += order.late();
        }
        return violations;
    }
}
