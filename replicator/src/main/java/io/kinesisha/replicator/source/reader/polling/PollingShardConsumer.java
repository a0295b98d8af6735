package io.kinesisha.replicator.source.reader.polling;

import io.kinesisha.replicator.source.proxy.StreamProxy;
import io.kinesisha.replicator.source.reader.ShardBatch;
import io.kinesisha.replicator.source.reader.ShardConsumer;
import io.kinesisha.replicator.source.reader.ShardGoneException;
import io.kinesisha.replicator.source.split.ShardStartingPosition;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.kinesis.model.ExpiredIteratorException;
import software.amazon.awssdk.services.kinesis.model.GetRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.Record;
import software.amazon.awssdk.services.kinesis.model.ResourceNotFoundException;

/**
 * Reads a shard with GetShardIterator / GetRecords. Used as the polling reader, and to drain a closed shard to
 * its end (a null next iterator), which every Kinesis implementation signals, unlike the EFO end event.
 */
public final class PollingShardConsumer implements ShardConsumer {
    private static final Logger LOG = LoggerFactory.getLogger(PollingShardConsumer.class);
    /** GetRecords allows 5 calls per second per shard; stay under it, and idle slower. */
    static final Duration BUSY_INTERVAL = Duration.ofMillis(200);

    static final Duration IDLE_INTERVAL = Duration.ofMillis(500);

    private final StreamProxy proxy;
    private final String streamArn;
    private final String shardId;
    private final int limit;
    private final LongSupplier nanoClock;
    private ShardStartingPosition position;
    private String iterator;
    private long nextPollNanos;

    public PollingShardConsumer(
            StreamProxy proxy, String streamArn, String shardId, ShardStartingPosition position, int limit) {
        this(proxy, streamArn, shardId, position, limit, System::nanoTime);
    }

    public PollingShardConsumer(
            StreamProxy proxy,
            String streamArn,
            String shardId,
            ShardStartingPosition position,
            int limit,
            LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
        this.proxy = proxy;
        this.streamArn = streamArn;
        this.shardId = shardId;
        this.position = position;
        this.limit = limit;
    }

    @Override
    public ShardBatch poll() throws IOException {
        long now = nanoClock.getAsLong();
        if (now < nextPollNanos) {
            return ShardBatch.nothing();
        }
        try {
            if (iterator == null) {
                iterator = proxy.shardIterator(streamArn, shardId, position);
            }
            GetRecordsResponse response;
            try {
                response = proxy.getRecords(streamArn, iterator, limit);
            } catch (ExpiredIteratorException expired) {
                iterator = proxy.shardIterator(streamArn, shardId, position);
                response = proxy.getRecords(streamArn, iterator, limit);
            }
            List<Record> records = response.records();
            if (!records.isEmpty()) {
                position = ShardStartingPosition.afterSequenceNumber(
                        records.get(records.size() - 1).sequenceNumber());
            }
            iterator = response.nextShardIterator();
            boolean end = iterator == null;
            long behind = response.millisBehindLatest() == null ? -1 : response.millisBehindLatest();
            boolean caughtUp = records.isEmpty() || behind == 0;
            nextPollNanos = nanoClock.getAsLong() + (caughtUp ? IDLE_INTERVAL : BUSY_INTERVAL).toNanos();
            return ShardBatch.of(records, behind, end);
        } catch (ResourceNotFoundException e) {
            throw new ShardGoneException(shardId, e);
        } catch (SdkException e) {
            // the SDK already retried; try again at the next poll from the same position
            LOG.warn("GetRecords on {} failed, retrying: {}", shardId, e.toString());
            iterator = null;
            nextPollNanos = nanoClock.getAsLong() + IDLE_INTERVAL.toNanos();
            return ShardBatch.nothing();
        }
    }

    @Override
    public void close() {
        // the proxy is shared and closed by the split reader
    }
}
