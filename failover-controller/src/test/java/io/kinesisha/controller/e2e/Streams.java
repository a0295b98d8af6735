package io.kinesisha.controller.e2e;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.GetRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.Shard;
import software.amazon.awssdk.services.kinesis.model.ShardIteratorType;

/** Everything a stream holds (GetRecords from every shard), and the per-key order check. */
final class Streams {
    record Entry(String shardId, String sequenceNumber, String partitionKey, String payload) {
    }

    private Streams() {
    }

    static List<Entry> read(KinesisClient kinesis, String arn) {
        List<Entry> all = new ArrayList<>();
        for (Shard shard : kinesis.listShards(b -> b.streamARN(arn)).shards()) {
            String iterator = kinesis.getShardIterator(b -> b.streamARN(arn).shardId(shard.shardId())
                    .shardIteratorType(ShardIteratorType.TRIM_HORIZON)).shardIterator();
            while (iterator != null) {
                String current = iterator;
                GetRecordsResponse page = kinesis.getRecords(b -> b.streamARN(arn).shardIterator(current).limit(10000));
                page.records().forEach(r -> all.add(new Entry(shard.shardId(), r.sequenceNumber(), r.partitionKey(),
                        r.data().asString(StandardCharsets.UTF_8))));
                if (page.records().isEmpty() && (page.millisBehindLatest() == null || page.millisBehindLatest() == 0)) {
                    break;
                }
                iterator = page.nextShardIterator();
            }
        }
        return all;
    }

    /** Per key, in sequence order, first appearances must carry increasing counters; returns the violations. */
    static long orderViolations(List<Entry> entries) {
        Map<String, List<Entry>> byKey = new LinkedHashMap<>();
        entries.forEach(e -> byKey.computeIfAbsent(e.partitionKey(), k -> new ArrayList<>()).add(e));
        long violations = 0;
        for (List<Entry> list : byKey.values()) {
            list.sort(Comparator.comparing(e -> new BigInteger(e.sequenceNumber())));
            Set<String> seen = new HashSet<>();
            int highest = 0;
            for (Entry e : list) {
                if (!seen.add(e.payload())) {
                    continue;
                }
                int counter = Integer.parseInt(e.payload().substring(e.payload().indexOf(':') + 1));
                if (counter < highest) {
                    violations++;
                }
                highest = Math.max(highest, counter);
            }
        }
        return violations;
    }
}
