package io.kinesisha.controller.operations;

import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.services.kinesis.model.ShardIteratorType;

/** Every record's payload in a pair's stream of one region, shard by shard from the trim horizon. */
final class StreamPayloads {
    private StreamPayloads() {
    }

    static List<String> read(PairContext ctx, String region) {
        String arn = ctx.streamArn(region);
        var kinesis = ctx.kinesis(region);
        List<String> out = new ArrayList<>();
        for (var shard : kinesis.listShards(b -> b.streamARN(arn)).shards()) {
            String it = kinesis.getShardIterator(b -> b.streamARN(arn).shardId(shard.shardId())
                    .shardIteratorType(ShardIteratorType.TRIM_HORIZON)).shardIterator();
            while (it != null) {
                String current = it;
                var page = kinesis.getRecords(b -> b.streamARN(arn).shardIterator(current));
                page.records().forEach(r -> out.add(r.data().asUtf8String()));
                if (page.records().isEmpty() && (page.millisBehindLatest() == null || page.millisBehindLatest() == 0)) {
                    break;
                }
                it = page.nextShardIterator();
            }
        }
        return out;
    }
}
