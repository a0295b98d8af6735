package io.kinesisha.replicator.it;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.GetRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.Record;
import software.amazon.awssdk.services.kinesis.model.Shard;
import software.amazon.awssdk.services.kinesis.model.ShardIteratorType;

/** Everything a stream holds, read with GetRecords from every shard, and the checks the replicator must pass. */
final class StreamContents {
    final List<Record> records;

    private StreamContents(List<Record> records) {
        this.records = records;
    }

    private static final Map<Record, String> SHARD_OF = java.util.Collections.synchronizedMap(new java.util.WeakHashMap<>());

    static boolean shardOf(Record record, String shardId) {
        return shardId.equals(SHARD_OF.get(record));
    }

    static StreamContents read(KinesisClient kinesis, String streamArn) {
        List<Record> all = new ArrayList<>();
        for (Shard shard : kinesis.listShards(b -> b.streamARN(streamArn)).shards()) {
            String iterator = kinesis.getShardIterator(b -> b.streamARN(streamArn).shardId(shard.shardId())
                    .shardIteratorType(ShardIteratorType.TRIM_HORIZON)).shardIterator();
            while (iterator != null) {
                String current = iterator;
                GetRecordsResponse page = kinesis.getRecords(b -> b.streamARN(streamArn).shardIterator(current).limit(10000));
                all.addAll(page.records());
                page.records().forEach(r -> SHARD_OF.put(r, shard.shardId()));
                if (page.records().isEmpty() && (page.millisBehindLatest() == null || page.millisBehindLatest() == 0)) {
                    break;
                }
                iterator = page.nextShardIterator();
            }
        }
        return new StreamContents(all);
    }

    int size() {
        return records.size();
    }

    static String payload(Record r) {
        return r.data().asString(StandardCharsets.UTF_8);
    }

    /** Payload to how many times it is in the stream. */
    Map<String, Integer> counts() {
        Map<String, Integer> counts = new HashMap<>();
        for (Record r : records) {
            counts.merge(payload(r), 1, Integer::sum);
        }
        return counts;
    }

    /** Records whose partition key is not the key in their payload (bytes or key changed). */
    long mismatchedKeys() {
        return records.stream().filter(r -> !payload(r).startsWith(r.partitionKey() + ":")).count();
    }

    /**
     * Per-key order violations: for each key, the first appearance of each record, in sequence-number order,
     * must have increasing counters. Re-deliveries (duplicates after a restore) are counted separately, not here.
     */
    long orderViolations() {
        Map<String, List<Record>> byKey = new LinkedHashMap<>();
        for (Record r : records) {
            byKey.computeIfAbsent(r.partitionKey(), k -> new ArrayList<>()).add(r);
        }
        long violations = 0;
        for (List<Record> list : byKey.values()) {
            list.sort(Comparator.comparing(r -> new BigInteger(r.sequenceNumber())));
            int highest = 0;
            java.util.Set<String> seen = new java.util.HashSet<>();
            for (Record r : list) {
                String p = payload(r);
                if (!seen.add(p)) {
                    continue;
                }
                int counter = Integer.parseInt(p.substring(p.lastIndexOf(':') + 1));
                if (counter < highest) {
                    violations++;
                }
                highest = Math.max(highest, counter);
            }
        }
        return violations;
    }
}
