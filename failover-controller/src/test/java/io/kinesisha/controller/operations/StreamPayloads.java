package io.kinesisha.controller.operations;

import io.kinesisha.testkit.StreamContents;
import java.util.List;
import java.util.stream.Collectors;

/** Every record's payload in a pair's stream of one region, shard by shard from the trim horizon. */
final class StreamPayloads {
    private StreamPayloads() {}

    static List<String> read(PairContext ctx, String region) {
        return StreamContents.read(ctx.kinesis(region), ctx.streamArn(region)).records().stream()
                .map(StreamContents::payload)
                .collect(Collectors.toList());
    }
}
