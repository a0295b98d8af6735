package io.kinesisha.cli.drill;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.GetRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.Shard;
import software.amazon.awssdk.services.kinesis.model.ShardIteratorType;

/** Every record of a stream, shard by shard in sequence order: what a game day checks at the end. */
final class StreamDump {
    /** One record: where it is and its payload as text. */
    record Entry(String shardId, String sequenceNumber, String partitionKey, String payload) {
    }

    private StreamDump() {
    }

    static List<Entry> read(KinesisClient kinesis, String arn) {
        List<Entry> out = new ArrayList<>();
        List<Shard> shards = new ArrayList<>(kinesis.listShards(b -> b.streamARN(arn)).shards());
        shards.sort((a, b) -> a.shardId().compareTo(b.shardId()));
        for (Shard shard : shards) {
            String iterator = kinesis.getShardIterator(b -> b.streamARN(arn).shardId(shard.shardId())
                    .shardIteratorType(ShardIteratorType.TRIM_HORIZON)).shardIterator();
            while (iterator != null) {
                String current = iterator;
                GetRecordsResponse page = kinesis.getRecords(b -> b.streamARN(arn).shardIterator(current).limit(10_000));
                page.records().forEach(r -> out.add(new Entry(shard.shardId(), r.sequenceNumber(), r.partitionKey(),
                        new String(r.data().asByteArray(), StandardCharsets.UTF_8))));
                if (page.records().isEmpty() && (page.millisBehindLatest() == null || page.millisBehindLatest() == 0)) {
                    break;
                }
                iterator = page.nextShardIterator();
            }
        }
        return out;
    }
}
