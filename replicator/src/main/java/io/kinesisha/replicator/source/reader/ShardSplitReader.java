package io.kinesisha.replicator.source.reader;

import io.kinesisha.common.config.ReaderType;
import io.kinesisha.replicator.source.KinesisRecord;
import io.kinesisha.replicator.source.KinesisSourceConfig;
import io.kinesisha.replicator.source.RecordScreen;
import io.kinesisha.replicator.source.ShardStatus;
import io.kinesisha.replicator.source.proxy.StreamProxy;
import io.kinesisha.replicator.source.reader.fanout.ConsumerNotFoundException;
import io.kinesisha.replicator.source.reader.fanout.FanOutShardConsumer;
import io.kinesisha.replicator.source.reader.polling.PollingShardConsumer;
import io.kinesisha.replicator.source.split.ShardSplit;
import io.kinesisha.replicator.source.split.ShardStartingPosition;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.apache.flink.connector.base.source.reader.RecordsBySplits;
import org.apache.flink.connector.base.source.reader.RecordsWithSplitIds;
import org.apache.flink.connector.base.source.reader.splitreader.SplitReader;
import org.apache.flink.connector.base.source.reader.splitreader.SplitsAddition;
import org.apache.flink.connector.base.source.reader.splitreader.SplitsChange;
import org.apache.flink.util.InstantiationUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.kinesis.model.Record;

/**
 * Reads all splits of one subtask on the fetcher thread: polls each shard's consumer (EFO or GetRecords),
 * emits heartbeats for idle shards, and finishes a split at the end of its shard. A shard that ListShards
 * reports closed is drained with GetRecords (its end is certain there), replacing its EFO subscription.
 *
 * <p>Lag never lies: a shard's lag is what Kinesis last said (MillisBehindLatest) plus, once nothing has answered
 * for {@link #STALE_AFTER}, the whole time since the last answer - so a shard never read, or whose subscription
 * keeps failing, shows a lag that grows until the lag alarm fires. A shard that no longer exists (past retention)
 * is finished, counted and logged at WARN with its id, never retried forever.
 *
 * <p>With a {@link RecordScreen}, polled records are emitted only once the screen has judged them (asked after the
 * poll), each marked if it is to be passed over; until then they are held in memory, not in the split state.
 */
public final class ShardSplitReader implements SplitReader<ShardElement, ShardSplit> {
    private static final Logger LOG = LoggerFactory.getLogger(ShardSplitReader.class);
    private static final long IDLE_WAIT_MILLIS = 100;
    /** No answer from Kinesis for this long and the lag starts counting the silence. */
    static final Duration STALE_AFTER = Duration.ofSeconds(10);
    /** How long a reader waits for the enumerator to replace a deregistered consumer before failing. */
    static final Duration CONSUMER_REPLACEMENT_TIMEOUT = Duration.ofMinutes(5);
    /** A hold at least this long is logged when it ends (the screen logs why it holds). */
    static final Duration LONG_HOLD = Duration.ofSeconds(5);

    private final KinesisSourceConfig config;
    private final StreamProxy proxy;
    private final Set<String> closedShards;
    private final Supplier<String> consumerArns;
    private final SourceMetrics metrics;
    private final LongSupplier nanoClock;
    private final Map<String, ShardReading> readings = new LinkedHashMap<>();
    private final Semaphore dataArrived = new Semaphore(0);
    /** This reader's own copy of the source's screen ({@code null}: every record is emitted as fetched). */
    private final RecordScreen screen;

    private boolean screenOpen;
    private long holdingSinceNanos = Long.MIN_VALUE;
    /** Polled batches the screen could not judge yet; while set, no shard is polled. */
    private List<Polled> held;

    public ShardSplitReader(
            KinesisSourceConfig config,
            StreamProxy proxy,
            Set<String> closedShards,
            Supplier<String> consumerArns,
            SourceMetrics metrics) {
        this(config, proxy, closedShards, consumerArns, metrics, System::nanoTime);
    }

    ShardSplitReader(
            KinesisSourceConfig config,
            StreamProxy proxy,
            Set<String> closedShards,
            Supplier<String> consumerArns,
            SourceMetrics metrics,
            LongSupplier nanoClock) {
        this.config = config;
        this.proxy = proxy;
        this.closedShards = closedShards;
        this.consumerArns = consumerArns;
        this.metrics = metrics;
        this.nanoClock = nanoClock;
        this.screen = copy(config.screen());
    }

    private static RecordScreen copy(RecordScreen screen) {
        if (screen == null) {
            return null;
        }
        try {
            return InstantiationUtil.clone(screen);
        } catch (IOException | ClassNotFoundException e) {
            throw new IllegalStateException("the source's record screen cannot be copied for a split reader", e);
        }
    }

    @Override
    public RecordsWithSplitIds<ShardElement> fetch() throws IOException {
        RecordsBySplits.Builder<ShardElement> out = new RecordsBySplits.Builder<>();
        boolean any = readAll(out);
        if (!any) {
            try {
                dataArrived.tryAcquire(IDLE_WAIT_MILLIS, TimeUnit.MILLISECONDS);
                dataArrived.drainPermits();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return out.build();
            }
            if (held == null) {
                readAll(out);
            }
        }
        return out.build();
    }

    /**
     * Polls every shard (or takes the batches held from before), has the screen judge their records and emits them;
     * false if nothing was emitted. Batches the screen cannot judge yet are held, and no shard is polled meanwhile.
     */
    private boolean readAll(RecordsBySplits.Builder<ShardElement> out) throws IOException {
        List<Polled> polled = held != null ? held : pollAll();
        held = null;
        Set<String> passOver = Set.of();
        if (screen != null
                && polled.stream().anyMatch(p -> !p.gone && !p.batch.records().isEmpty())) {
            Optional<Set<String>> answer = askScreen();
            if (answer.isEmpty()) {
                held = polled;
                return false;
            }
            passOver = answer.get();
        }
        return emit(polled, passOver, out);
    }

    /** One poll of every shard within the fetch budget, in order; shards that are gone are marked, not yet finished. */
    private List<Polled> pollAll() throws IOException {
        List<Polled> polled = new ArrayList<>();
        int budget = config.maxRecordsPerFetch();
        long now = nanoClock.getAsLong();
        for (Iterator<ShardReading> it = readings.values().iterator(); it.hasNext() && budget > 0; ) {
            ShardReading reading = it.next();
            String shardId = reading.split.shardId();
            if (!reading.draining && closedShards.contains(shardId)) {
                reading.drain(proxy, config, nanoClock);
            }
            ShardBatch batch;
            try {
                batch = reading.consumer.poll();
            } catch (ShardGoneException | ConsumerNotFoundException notFound) {
                if (!shardStillListed(shardId, notFound)) {
                    polled.add(new Polled(reading, ShardBatch.nothing(), true));
                    continue;
                }
                consumerReplacementAwaited(reading, notFound, now);
                batch = ShardBatch.nothing();
            }
            if (batch.millisBehindLatest() >= 0) {
                reading.millisBehindLatest = batch.millisBehindLatest();
                reading.lastAnswerNanos = now;
                reading.consumerMissingSinceNanos = Long.MIN_VALUE;
            }
            budget -= batch.records().size();
            polled.add(new Polled(reading, batch, false));
        }
        return polled;
    }

    private boolean emit(List<Polled> polled, Set<String> passOver, RecordsBySplits.Builder<ShardElement> out) {
        boolean any = false;
        long now = nanoClock.getAsLong();
        for (Polled p : polled) {
            ShardReading reading = p.reading;
            String shardId = reading.split.shardId();
            if (p.gone) {
                finishGone(reading, out);
                readings.remove(shardId);
                any = true;
                continue;
            }
            ShardBatch batch = p.batch;
            for (Record r : batch.records()) {
                out.add(
                        shardId,
                        ShardElement.record(new KinesisRecord(
                                config.streamArn(),
                                shardId,
                                r.partitionKey(),
                                r.sequenceNumber(),
                                r.approximateArrivalTimestamp() == null
                                        ? 0
                                        : r.approximateArrivalTimestamp().toEpochMilli(),
                                reading.millisBehindLatest,
                                r.data().asByteArrayUnsafe(),
                                !passOver.isEmpty() && passOver.contains(shardId + "@" + r.sequenceNumber()))));
                reading.lastSequenceNumber = r.sequenceNumber();
                reading.readAny = true;
                any = true;
            }
            if (batch.endOfShard()) {
                out.add(shardId, ShardElement.status(status(reading, true, now)));
                out.addFinishedSplit(shardId);
                LOG.info("shard {} read to its end (last {})", shardId, reading.lastSequenceNumber);
                reading.consumer.close();
                closedShards.remove(shardId);
                readings.remove(shardId);
                any = true;
            } else if (!batch.records().isEmpty()) {
                reading.lastStatusNanos = now;
            } else if (now - reading.lastStatusNanos
                    >= config.heartbeatInterval().toNanos()) {
                out.add(shardId, ShardElement.status(status(reading, false, now)));
                reading.lastStatusNanos = now;
                any = true;
            }
        }
        return any;
    }

    /** The screen's answer for everything polled so far; the first question opens it. Logs when a hold ends. */
    private Optional<Set<String>> askScreen() throws IOException {
        if (!screenOpen) {
            try {
                screen.open();
            } catch (Exception e) {
                throw new IOException(
                        "the record screen of " + config.streamArn() + " cannot be opened: " + e.getMessage(), e);
            }
            screenOpen = true;
        }
        Optional<Set<String>> answer = screen.passOver();
        long now = nanoClock.getAsLong();
        if (answer.isEmpty() && holdingSinceNanos == Long.MIN_VALUE) {
            holdingSinceNanos = now;
        } else if (answer.isPresent() && holdingSinceNanos != Long.MIN_VALUE) {
            long heldMillis = TimeUnit.NANOSECONDS.toMillis(now - holdingSinceNanos);
            if (heldMillis >= LONG_HOLD.toMillis()) {
                LOG.info(
                        "records of {} held {} ms until the screen could judge them; reading on",
                        config.streamArn(),
                        heldMillis);
            }
            holdingSinceNanos = Long.MIN_VALUE;
        }
        return answer;
    }

    /** True if ListShards still lists the shard; a stream that is gone is an error, never a finished shard. */
    private boolean shardStillListed(String shardId, IOException cause) throws IOException {
        try {
            return proxy.listShards(config.streamArn()).stream()
                    .anyMatch(s -> s.shardId().equals(shardId));
        } catch (RuntimeException e) {
            IOException error = new IOException(
                    "shard " + shardId + " of " + config.streamArn()
                            + " cannot be read, and the stream cannot be listed: " + e.getMessage(),
                    e);
            error.addSuppressed(cause);
            throw error;
        }
    }

    private void consumerReplacementAwaited(ShardReading reading, IOException cause, long now) throws IOException {
        if (!(cause instanceof ConsumerNotFoundException)) {
            throw new IOException(
                    "shard " + reading.split.shardId() + " is listed but cannot be read: " + cause.getMessage(), cause);
        }
        if (reading.consumerMissingSinceNanos == Long.MIN_VALUE) {
            reading.consumerMissingSinceNanos = now;
            LOG.warn(
                    "the EFO consumer of {} is gone ({}); waiting for the enumerator to register it again",
                    reading.split.shardId(),
                    cause.getMessage());
        } else if (now - reading.consumerMissingSinceNanos > CONSUMER_REPLACEMENT_TIMEOUT.toNanos()) {
            throw new IOException(
                    "no usable EFO consumer for " + config.streamArn() + " after "
                            + CONSUMER_REPLACEMENT_TIMEOUT.toMinutes() + " minutes: " + cause.getMessage(),
                    cause);
        }
    }

    private void finishGone(ShardReading reading, RecordsBySplits.Builder<ShardElement> out) {
        String shardId = reading.split.shardId();
        LOG.warn(
                "shard {} of {} no longer exists (past the stream's retention): finishing it after {}; any record "
                        + "it held after that position is lost to retention",
                shardId,
                config.streamArn(),
                reading.readAny ? reading.lastSequenceNumber : reading.split.startingPosition());
        metrics.shardExpired();
        reading.consumer.close();
        closedShards.remove(shardId);
        out.add(shardId, ShardElement.status(status(reading, true, nanoClock.getAsLong())));
        out.addFinishedSplit(shardId);
    }

    private ShardStatus status(ShardReading reading, boolean finished, long now) {
        return new ShardStatus(
                config.streamArn(),
                reading.split.shardId(),
                reading.lastSequenceNumber,
                finished ? 0 : reading.lagMillis(now),
                finished);
    }

    @Override
    public void handleSplitsChanges(SplitsChange<ShardSplit> changes) {
        if (!(changes instanceof SplitsAddition)) {
            throw new UnsupportedOperationException(
                    "unsupported split change " + changes.getClass().getName());
        }
        long now = nanoClock.getAsLong();
        for (ShardSplit split : changes.splits()) {
            ShardConsumer consumer = config.readerType() == ReaderType.EFO
                    ? new FanOutShardConsumer(
                            proxy,
                            consumerArns,
                            split.shardId(),
                            split.startingPosition(),
                            dataArrived::release,
                            nanoClock,
                            config.silenceTimeout(),
                            metrics::subscriptionRenewedSilent)
                    : new PollingShardConsumer(
                            proxy,
                            split.streamArn(),
                            split.shardId(),
                            split.startingPosition(),
                            config.maxRecordsPerFetch(),
                            nanoClock);
            readings.put(split.shardId(), new ShardReading(split, consumer, now));
            LOG.info(
                    "reading {} from {} with {}",
                    split.shardId(),
                    split.startingPosition(),
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
        held = null;
        proxy.close();
        if (screenOpen) {
            try {
                screen.close();
            } catch (Exception e) {
                LOG.warn("closing the record screen of {} failed: {}", config.streamArn(), e.toString());
            }
        }
    }

    /** One shard's answer to a poll: its records (held until the screen judged them), or that it is gone. */
    private static final class Polled {
        final ShardReading reading;
        final ShardBatch batch;
        final boolean gone;

        Polled(ShardReading reading, ShardBatch batch, boolean gone) {
            this.reading = reading;
            this.batch = batch;
            this.gone = gone;
        }
    }

    /** One shard being read. */
    private static final class ShardReading {
        final ShardSplit split;
        ShardConsumer consumer;
        String lastSequenceNumber;
        long millisBehindLatest;
        long lastAnswerNanos;
        long lastStatusNanos;
        long consumerMissingSinceNanos = Long.MIN_VALUE;
        boolean draining;
        boolean readAny;

        ShardReading(ShardSplit split, ShardConsumer consumer, long now) {
            this.split = split;
            this.consumer = consumer;
            this.lastSequenceNumber = split.startingPosition().sequenceNumber();
            this.lastAnswerNanos = now;
            this.lastStatusNanos = now;
        }

        long lagMillis(long now) {
            long silent = TimeUnit.NANOSECONDS.toMillis(now - lastAnswerNanos);
            return millisBehindLatest + (silent >= STALE_AFTER.toMillis() ? silent : 0);
        }

        void drain(StreamProxy proxy, KinesisSourceConfig config, LongSupplier nanoClock) {
            draining = true;
            if (consumer instanceof PollingShardConsumer) {
                return;
            }
            consumer.close();
            ShardStartingPosition from =
                    readAny ? ShardStartingPosition.afterSequenceNumber(lastSequenceNumber) : split.startingPosition();
            LOG.info("shard {} is closed: draining it with GetRecords from {}", split.shardId(), from);
            consumer = new PollingShardConsumer(
                    proxy, split.streamArn(), split.shardId(), from, config.maxRecordsPerFetch(), nanoClock);
        }
    }
}
