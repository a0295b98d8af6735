package io.kinesisha.common.kinesis;

import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.ListShardsResponse;
import software.amazon.awssdk.services.kinesis.model.Shard;

/**
 * Every shard of a stream, open and closed, across ListShards pages: the SDK has no paginator for it (a page after the
 * first must name only its token, not the stream), and a stream with more than 1,000 shards, or many closed ones after
 * reshards, does not fit one page.
 */
public final class ShardListing {
    private ShardListing() {}

    public static List<Shard> all(KinesisClient kinesis, String streamArn) {
        List<Shard> shards = new ArrayList<>();
        ListShardsResponse page = kinesis.listShards(b -> b.streamARN(streamArn));
        shards.addAll(page.shards());
        while (page.nextToken() != null) {
            String token = page.nextToken();
            page = kinesis.listShards(b -> b.nextToken(token));
            shards.addAll(page.shards());
        }
        return shards;
    }
}
