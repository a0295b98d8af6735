package io.kinesisha.controller.e2e;

import io.kinesisha.testkit.StreamContents;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.services.kinesis.KinesisClient;

/** Everything a stream holds, as entries that say where each record is (for RPO positions per shard). */
final class Streams {
    record Entry(String shardId, String sequenceNumber, String partitionKey, String payload) {}

    private Streams() {}

    static List<Entry> read(KinesisClient kinesis, String arn) {
        List<Entry> all = new ArrayList<>();
        StreamContents.read(kinesis, arn)
                .byShard()
                .forEach((shardId, records) -> records.forEach(r ->
                        all.add(new Entry(shardId, r.sequenceNumber(), r.partitionKey(), StreamContents.payload(r)))));
        return all;
    }
}
