package io.kinesisha.controller.reconcile;

import io.kinesisha.common.kinesis.ShardListing;
import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.GetRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.Record;
import software.amazon.awssdk.services.kinesis.model.Shard;
import software.amazon.awssdk.services.kinesis.model.ShardIteratorType;

/**
 * Reads one shard from a position to its current end (an open shard: until a page is empty and not behind; a
 * closed one: until the iterator runs out), optionally stopping after a given sequence number. The building block
 * of cuts and orphan reconciliation, where "to the end" is the point.
 */
public final class ShardReader {
    private final KinesisClient kinesis;
    private final String streamArn;

    public ShardReader(KinesisClient kinesis, String streamArn) {
        this.kinesis = kinesis;
        this.streamArn = streamArn;
    }

    /** Every shard of the stream (closed ones within retention too), oldest first: parents before children. */
    public List<Shard> shards() {
        List<Shard> all = new ArrayList<>(ShardListing.all(kinesis, streamArn));
        all.sort((a, b) -> a.shardId().compareTo(b.shardId()));
        return all;
    }

    /** Records after {@code afterSequence} ({@code null}: from the start of the shard), up to {@code stopAt} inclusive. */
    public List<Record> after(String shardId, String afterSequence, String stopAt) {
        return drain(iteratorAfter(shardId, afterSequence), stopAt);
    }

    /** An iterator after {@code afterSequence} ({@code null}: at the start of the shard). */
    public String iteratorAfter(String shardId, String afterSequence) {
        return kinesis.getShardIterator(b -> {
                    b.streamARN(streamArn).shardId(shardId);
                    if (afterSequence == null) {
                        b.shardIteratorType(ShardIteratorType.TRIM_HORIZON);
                    } else {
                        b.shardIteratorType(ShardIteratorType.AFTER_SEQUENCE_NUMBER)
                                .startingSequenceNumber(afterSequence);
                    }
                })
                .shardIterator();
    }

    /** Records that arrived at or after {@code from}, up to {@code stopAt} inclusive. */
    List<Record> since(String shardId, Instant from, String stopAt) {
        String iterator = kinesis.getShardIterator(b -> b.streamARN(streamArn)
                        .shardId(shardId)
                        .shardIteratorType(ShardIteratorType.AT_TIMESTAMP)
                        .timestamp(from))
                .shardIterator();
        return drain(iterator, stopAt);
    }

    private List<Record> drain(String first, String stopAt) {
        BigInteger stop = stopAt == null ? null : new BigInteger(stopAt);
        List<Record> out = new ArrayList<>();
        String iterator = first;
        while (iterator != null) {
            String current = iterator;
            GetRecordsResponse page = kinesis.getRecords(
                    b -> b.streamARN(streamArn).shardIterator(current).limit(10_000));
            for (Record r : page.records()) {
                if (stop != null && new BigInteger(r.sequenceNumber()).compareTo(stop) > 0) {
                    return out;
                }
                out.add(r);
            }
            boolean caughtUp = page.millisBehindLatest() == null || page.millisBehindLatest() == 0;
            if (page.records().isEmpty() && caughtUp) {
                return out;
            }
            iterator = page.nextShardIterator();
        }
        return out;
    }
}
