package io.kinesisha.controller.verify;

import io.kinesisha.common.kinesis.SequenceNumbers;
import io.kinesisha.common.kinesis.ShardListing;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.GetRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.Record;
import software.amazon.awssdk.services.kinesis.model.Shard;
import software.amazon.awssdk.services.kinesis.model.ShardIteratorType;

/**
 * Reads every record of a stream that arrived in a time window, from every shard (closed ones too, within
 * retention), with GetRecords from AT_TIMESTAMP. Within a shard records come in sequence order.
 */
public final class StreamScanner {
    private final KinesisClient kinesis;

    public StreamScanner(KinesisClient kinesis) {
        this.kinesis = kinesis;
    }

    /** Records of {@code streamArn} with from <= arrival <= to, per shard in sequence order. */
    public List<StreamRecord> scan(String streamArn, Instant from, Instant to) {
        List<StreamRecord> records = new ArrayList<>();
        for (Shard shard : ShardListing.all(kinesis, streamArn)) {
            scanShard(streamArn, shard.shardId(), from, to, records);
        }
        return records;
    }

    private void scanShard(String streamArn, String shardId, Instant from, Instant to, List<StreamRecord> out) {
        String iterator = kinesis.getShardIterator(b -> b.streamARN(streamArn)
                        .shardId(shardId)
                        .shardIteratorType(ShardIteratorType.AT_TIMESTAMP)
                        .timestamp(from))
                .shardIterator();
        while (iterator != null) {
            String current = iterator;
            GetRecordsResponse page = kinesis.getRecords(
                    b -> b.streamARN(streamArn).shardIterator(current).limit(10_000));
            for (Record r : page.records()) {
                Instant arrival = r.approximateArrivalTimestamp();
                if (arrival != null && arrival.isAfter(to)) {
                    return;
                }
                out.add(new StreamRecord(
                        shardId,
                        r.sequenceNumber(),
                        arrival == null ? 0 : arrival.toEpochMilli(),
                        r.partitionKey(),
                        r.data().asByteArray()));
            }
            boolean caughtUp = page.millisBehindLatest() == null || page.millisBehindLatest() == 0;
            if (page.records().isEmpty() && caughtUp) {
                return;
            }
            iterator = page.nextShardIterator();
        }
    }

    /** Sequence order within a shard, then by shard; per key this is the stream's order for that key. */
    static Comparator<StreamRecord> sequenceOrder() {
        return (a, b) -> SequenceNumbers.compare(a.sequenceNumber, b.sequenceNumber);
    }
}
