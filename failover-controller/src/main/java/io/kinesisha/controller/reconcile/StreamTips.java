package io.kinesisha.controller.reconcile;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.Record;
import software.amazon.awssdk.services.kinesis.model.Shard;

/**
 * The last record of every shard of a stream, found without writing to it: read from a recent timestamp to the
 * end and take the last record, widening the window (15 s, 2 min, 30 min, 6 h, then the whole shard) while it
 * finds nothing. The answer is exact whatever the clocks say, because every read goes to the shard's end; the
 * windows only keep it cheap for shards that were written to recently, which after replication are all busy ones.
 */
public final class StreamTips {
    static final List<Duration> WINDOWS =
            List.of(Duration.ofSeconds(15), Duration.ofMinutes(2), Duration.ofMinutes(30), Duration.ofHours(6));

    private StreamTips() {}

    /** Shard id to its last sequence number, or "" for a shard without records. */
    public static Map<String, String> take(KinesisClient kinesis, String streamArn, Clock clock) {
        ShardReader reader = new ShardReader(kinesis, streamArn);
        Map<String, String> tips = new TreeMap<>();
        Instant now = clock.instant();
        for (Shard shard : reader.shards()) {
            tips.put(shard.shardId(), tip(reader, shard.shardId(), now));
        }
        return tips;
    }

    private static String tip(ShardReader reader, String shardId, Instant now) {
        for (Duration window : WINDOWS) {
            List<Record> recent = reader.since(shardId, now.minus(window), null);
            if (!recent.isEmpty()) {
                return recent.get(recent.size() - 1).sequenceNumber();
            }
        }
        List<Record> all = reader.after(shardId, null, null);
        return all.isEmpty() ? "" : all.get(all.size() - 1).sequenceNumber();
    }
}
