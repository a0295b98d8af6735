package io.kinesisha.replicator.sink;

import io.kinesisha.common.kinesis.ShardListing;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.GetRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.Record;
import software.amazon.awssdk.services.kinesis.model.Shard;
import software.amazon.awssdk.services.kinesis.model.ShardIteratorType;

/**
 * Reads a whole (test-sized) stream back with GetRecords, every shard from TRIM_HORIZON to its tip as of the read
 * (the emulator never returns an empty page before the tip, unlike real Kinesis).
 */
final class TargetStream {
    private static final int PAGE = 10_000;
    private static final long FULL_PAGE_BYTES = 2L * 1024 * 1024;

    private TargetStream() {}

    /** One record as found in the target. */
    static final class Written {
        final String shardId;
        final BigInteger sequenceNumber;
        final String partitionKey;
        final String data;
        final Instant arrival;

        Written(String shardId, Record r) {
            this.shardId = shardId;
            this.sequenceNumber = new BigInteger(r.sequenceNumber());
            this.partitionKey = r.partitionKey();
            this.data = r.data().asString(StandardCharsets.UTF_8);
            this.arrival = r.approximateArrivalTimestamp();
        }

        /** The producer's counter, the second field of {@code key|counter|padding}. */
        long counter() {
            return Long.parseLong(data.split("\\|")[1]);
        }
    }

    static List<Written> readAll(KinesisClient kinesis, String streamArn) {
        List<Written> all = new ArrayList<>();
        for (Shard shard : ShardListing.all(kinesis, streamArn)) {
            String iterator = kinesis.getShardIterator(b -> b.streamARN(streamArn)
                            .shardId(shard.shardId())
                            .shardIteratorType(ShardIteratorType.TRIM_HORIZON))
                    .shardIterator();
            while (iterator != null) {
                String current = iterator;
                GetRecordsResponse page = kinesis.getRecords(
                        b -> b.streamARN(streamArn).shardIterator(current).limit(PAGE));
                for (Record r : page.records()) {
                    all.add(new Written(shard.shardId(), r));
                }
                // stop at the tip as of this page: a stream still being written would otherwise never end (a short
                // page is not the tip when large records filled GetRecords' 10 MiB response)
                long bytes = page.records().stream()
                        .mapToLong(r -> r.data().asByteArrayUnsafe().length)
                        .sum();
                boolean full = page.records().size() == PAGE || bytes > FULL_PAGE_BYTES;
                if (page.records().isEmpty()
                        || !full
                        || page.millisBehindLatest() == null
                        || page.millisBehindLatest() == 0) {
                    break;
                }
                iterator = page.nextShardIterator();
            }
        }
        return all;
    }

    static String data(String key, long counter) {
        StringBuilder s = new StringBuilder(key).append('|').append(counter).append('|');
        while (s.length() < 100) {
            s.append('x');
        }
        return s.toString();
    }
}
