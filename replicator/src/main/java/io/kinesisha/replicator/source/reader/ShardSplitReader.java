package io.kinesisha.replicator.source.reader;

import io.kinesisha.common.aws.AwsClientFactory;
import io.kinesisha.common.aws.ClientRole;
import io.kinesisha.common.config.ReaderType;
import io.kinesisha.replicator.source.KinesisRecord;
import io.kinesisha.replicator.source.KinesisSourceConfig;
import io.kinesisha.replicator.source.ShardStatus;
import io.kinesisha.replicator.source.proxy.KinesisStreamProxy;
import io.kinesisha.replicator.source.reader.fanout.FanOutShardConsumer;
import io.kinesisha.replicator.source.reader.polling.PollingShardConsumer;
import io.kinesisha.replicator.source.split.ShardSplit;
import io.kinesisha.replicator.source.split.ShardStartingPosition;
import java.io.IOException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.apache.flink.connector.base.source.reader.RecordsBySplits;
import org.apache.flink.connector.base.source.reader.RecordsWithSplitIds;
import org.apache.flink.connector.base.source.reader.splitreader.SplitReader;
import org.apache.flink.connector.base.source.reader.splitreader.SplitsAddition;
import org.apache.flink.connector.base.source.reader.splitreader.SplitsChange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.model.Record;

/**
 * Reads all splits of one subtask on the fetcher thread: polls each shard's consumer (EFO or GetRecords),
 * emits heartbeats for idle shards, and finishes a split at the end of its shard. A shard that ListShards
 * reports closed is drained with GetRecords (its end is certain there), replacing its EFO subscription.
 */
public final class ShardSplitReader implements SplitReader<ShardElement, ShardSplit> {
    private static final Logger LOG = LoggerFactory.getLogger(ShardSplitReader.class);
    private static final long IDLE_WAIT_MILLIS = 100;

    private final KinesisSourceConfig config;
    private final Set<String> closedShards;
    private final Map<String, ShardReading> readings = new LinkedHashMap<>();
    private final Semaphore dataArrived = new Semaphore(0);
    private final KinesisStreamProxy proxy;
    private final AwsClientFactory asyncFactory;
    private final KinesisAsyncClient kinesisAsync;

    public ShardSplitReader(KinesisSourceConfig config, Set<String> closedShards) {
        this.config = config;
        this.closedShards = closedShards;
        this.proxy = new KinesisStreamProxy(config.target(), config.tuning());
        if (config.readerType() == ReaderType.EFO) {
            this.asyncFactory = new AwsClientFactory(config.tuning());
            this.kinesisAsync = asyncFactory.kinesisAsync(config.target(), ClientRole.SOURCE);
        } else {
            this.asyncFactory = null;
            this.kinesisAsync = null;
        }
    }

    @Override
    public RecordsWithSplitIds<ShardElement> fetch() throws IOException {
        RecordsBySplits.Builder<ShardElement> out = new RecordsBySplits.Builder<>();
        boolean any = pollAll(out);
        if (!any) {
            try {
                dataArrived.tryAcquire(IDLE_WAIT_MILLIS, TimeUnit.MILLISECONDS);
                dataArrived.drainPermits();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return out.build();
            }
            pollAll(out);
        }
        return out.build();
    }

    private boolean pollAll(RecordsBySplits.Builder<ShardElement> out) throws IOException {
        boolean any = false;
        int budget = config.maxRecordsPerFetch();
        long now = System.nanoTime();
        for (Iterator<ShardReading> it = readings.values().iterator(); it.hasNext() && budget > 0; ) {
            ShardReading reading = it.next();
            if (!reading.draining && closedShards.contains(reading.split.shardId())) {
                reading.drain(proxy, config);
            }
            ShardBatch batch = reading.consumer.poll();
            if (batch.millisBehindLatest() >= 0) {
                reading.millisBehindLatest = batch.millisBehindLatest();
            }
            for (Record r : batch.records()) {
                out.add(reading.split.shardId(), ShardElement.record(new KinesisRecord(config.streamArn(),
                        reading.split.shardId(), r.partitionKey(), r.sequenceNumber(),
                        r.approximateArrivalTimestamp() == null ? 0 : r.approximateArrivalTimestamp().toEpochMilli(),
                        reading.millisBehindLatest, r.data().asByteArrayUnsafe())));
                reading.lastSequenceNumber = r.sequenceNumber();
                reading.readAny = true;
                any = true;
            }
            budget -= batch.records().size();
            if (batch.endOfShard()) {
                out.add(reading.split.shardId(), ShardElement.status(status(reading, true)));
                out.addFinishedSplit(reading.split.shardId());
                LOG.info("shard {} read to its end (last {})", reading.split.shardId(), reading.lastSequenceNumber);
                reading.consumer.close();
                closedShards.remove(reading.split.shardId());
                it.remove();
                any = true;
            } else if (!batch.records().isEmpty()) {
                reading.lastStatusNanos = now;
            } else if (now - reading.lastStatusNanos >= config.heartbeatInterval().toNanos()) {
                out.add(reading.split.shardId(), ShardElement.status(status(reading, false)));
                reading.lastStatusNanos = now;
                any = true;
            }
        }
        return any;
    }

    private ShardStatus status(ShardReading reading, boolean finished) {
        return new ShardStatus(config.streamArn(), reading.split.shardId(), reading.lastSequenceNumber,
                Math.max(0, reading.millisBehindLatest), finished);
    }

    @Override
    public void handleSplitsChanges(SplitsChange<ShardSplit> changes) {
        if (!(changes instanceof SplitsAddition)) {
            throw new UnsupportedOperationException("unsupported split change " + changes.getClass().getName());
        }
        for (ShardSplit split : changes.splits()) {
            ShardConsumer consumer = split.consumerArn() != null && kinesisAsync != null
                    ? new FanOutShardConsumer(kinesisAsync, split.consumerArn(), split.shardId(), split.startingPosition(),
                            dataArrived::release)
                    : new PollingShardConsumer(proxy, split.streamArn(), split.shardId(), split.startingPosition(),
                            config.maxRecordsPerFetch());
            readings.put(split.shardId(), new ShardReading(split, consumer));
            LOG.info("reading {} from {} with {}", split.shardId(), split.startingPosition(),
                    consumer.getClass().getSimpleName());
        }
    }

    @Override
    public void wakeUp() {
        dataArrived.release();
    }

    @Override
    public void close() {
        for (ShardReading reading : readings.values()) {
            reading.consumer.close();
        }
        readings.clear();
        if (kinesisAsync != null) {
            kinesisAsync.close();
            asyncFactory.close();
        }
        proxy.close();
    }

    /** One shard being read. */
    private static final class ShardReading {
        final ShardSplit split;
        ShardConsumer consumer;
        String lastSequenceNumber;
        long millisBehindLatest = -1;
        long lastStatusNanos = System.nanoTime();
        boolean draining;
        boolean readAny;

        ShardReading(ShardSplit split, ShardConsumer consumer) {
            this.split = split;
            this.consumer = consumer;
            this.lastSequenceNumber = split.startingPosition().sequenceNumber();
        }

        void drain(KinesisStreamProxy proxy, KinesisSourceConfig config) {
            draining = true;
            if (consumer instanceof PollingShardConsumer) {
                return;
            }
            consumer.close();
            ShardStartingPosition from = readAny
                    ? ShardStartingPosition.afterSequenceNumber(lastSequenceNumber)
                    : split.startingPosition();
            LOG.info("shard {} is closed: draining it with GetRecords from {}", split.shardId(), from);
            consumer = new PollingShardConsumer(proxy, split.streamArn(), split.shardId(), from, config.maxRecordsPerFetch());
        }
    }
}
