package io.kinesisha.testkit;

import io.kinesisha.common.control.ActiveRegionResolver;
import io.kinesisha.common.kinesis.ShardListing;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.ExpiredIteratorException;
import software.amazon.awssdk.services.kinesis.model.GetRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.GetShardIteratorRequest;
import software.amazon.awssdk.services.kinesis.model.Record;
import software.amazon.awssdk.services.kinesis.model.Shard;
import software.amazon.awssdk.services.kinesis.model.ShardIteratorType;

/**
 * The consumer of the demo and of drills: reads the active region's stream the way an application following the
 * control record would, and checks what a consumer cares about in the records {@link KeyedLoad} writes
 * ({@code <key>:<counter>[|padding]}): per key, every counter once and in increasing order.
 *
 * <p>Counts, with up to {@value #EXAMPLES} examples each:
 * <ul>
 *   <li><b>consumed</b>: every record read (duplicates included), also per region;</li>
 *   <li><b>duplicates</b>: a record whose {@code <key>:<counter>} was read before (in any region);</li>
 *   <li><b>reorders</b>: a first-seen record whose counter is lower than the highest counter already read for its
 *       key (a duplicate is never also a reorder);</li>
 *   <li><b>gaps</b>, computed when asked: per key, the counters between 1 and the highest read that were never read.
 *       They are final only once the consumer has caught up after the producer stopped ({@link Stats#caughtUp()});
 *       before that, records not yet read count as gaps.</li>
 * </ul>
 *
 * <p>Reading: GetRecords polling over every shard of the stream, each shard in sequence order, from a given
 * position (TRIM_HORIZON or AT_TIMESTAMP). A partition key lives in one shard of a stream that is not resharded, so
 * reading each shard in order gives each key's order: <b>the checks are exact for a stream that is not resharded
 * during the demo</b>. Lineage is followed simply, so a reshard does not break reading: a shard whose parent is still
 * listed is read only after that parent is finished (GetRecords returned no next iterator); the shard list is
 * refreshed every {@code listInterval} and whenever a shard finishes. (A key's records from a merged pair of parents
 * are then read parent after parent, which is in order as long as the two parents' records of that key do not
 * interleave, i.e. for this producer, always.)
 *
 * <p>Following the active region: before each polling round it asks the region supplier (normally
 * {@link ActiveRegionResolver#activeRegion()}); when the answer changes it stops reading the old region at once
 * (which may be down) and reads the new region's stream from AT_TIMESTAMP {@code switchStart.apply(change)} — the
 * demo passes the controller's translated consumer start time, so records replicated before the switch are read
 * from the new region (a start too early shows up as duplicates, one too late as gaps). A read error (region down,
 * timeout) is counted and retried after the poll interval; an expired iterator is renewed after the last sequence
 * number read.
 *
 * <p>One daemon thread reads; every accessor is a thread-safe snapshot.
 */
public final class OrderCheckingConsumer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(OrderCheckingConsumer.class);
    static final int EXAMPLES = 5;
    private static final int GET_RECORDS_LIMIT = 10_000;

    /** Where reading a stream starts: TRIM_HORIZON ({@code timestamp == null}) or AT_TIMESTAMP. */
    public record StartPosition(Instant timestamp) {
        public static StartPosition trimHorizon() {
            return new StartPosition(null);
        }

        public static StartPosition atTimestamp(Instant timestamp) {
            return new StartPosition(Objects.requireNonNull(timestamp, "timestamp"));
        }

        @Override
        public String toString() {
            return timestamp == null ? "TRIM_HORIZON" : "AT_TIMESTAMP " + timestamp;
        }
    }

    /** The active region changed from {@code from} to {@code to}; the consumer noticed at {@code observedAt}. */
    public record RegionChange(String from, String to, Instant observedAt) {}

    /** A switch made: the change and where the new region's stream was read from. */
    public record Switch(RegionChange change, StartPosition start) {}

    /** Counters and examples at one moment; gaps as of now (see the class comment). */
    public record Stats(
            long consumed,
            long distinct,
            long duplicates,
            long reorders,
            long gaps,
            int keys,
            long unparsed,
            Map<String, Long> consumedByRegion,
            List<String> duplicateExamples,
            List<String> reorderExamples,
            List<String> gapExamples,
            String region,
            List<Switch> switches,
            long readErrors,
            boolean caughtUp,
            String lastError) {}

    private final Supplier<String> activeRegion;
    private final RegionStreams regions;
    private final StartPosition initialStart;
    private final Function<RegionChange, Instant> switchStart;
    private final Duration pollInterval;
    private final Duration listInterval;
    private final Clock clock;

    // reader thread state
    private StreamState current;
    private Instant readUpTo;

    // checked state, guarded by this
    private final KeyedOrder order = new KeyedOrder();
    private final Map<String, Long> consumedByRegion = new TreeMap<>();
    private final List<String> duplicateExamples = new ArrayList<>();
    private final List<String> reorderExamples = new ArrayList<>();
    private final List<Switch> switches = new ArrayList<>();
    private long consumed;
    private long unparsed;
    private long readErrors;
    private String lastError;
    private boolean caughtUp;

    private final DaemonLoop reader = new DaemonLoop("kinesis-ha-order-checking-consumer");

    private static final class ShardReader {
        final String shardId;
        final List<String> parents;
        String iterator;
        String lastSequence;
        boolean finished;
        boolean caughtUp;
        /** Its own progress: every record that arrived by then was read (null until it was read once). */
        Instant readUpTo;

        ShardReader(String shardId, List<String> parents) {
            this.shardId = shardId;
            this.parents = parents;
        }
    }

    private static final class StreamState {
        final String region;
        final String arn;
        final KinesisClient client;
        final StartPosition start;
        final Map<String, ShardReader> shards = new LinkedHashMap<>();
        long listedAtNanos;
        boolean listed;
        boolean relist;

        StreamState(String region, String arn, KinesisClient client, StartPosition start) {
            this.region = region;
            this.arn = arn;
            this.client = client;
            this.start = start;
        }
    }

    private OrderCheckingConsumer(Builder b) {
        this.activeRegion = Objects.requireNonNull(b.activeRegion, "activeRegion");
        this.regions = b.regions.frozen();
        this.initialStart = b.start;
        this.switchStart = b.switchStart;
        this.pollInterval = b.pollInterval;
        this.listInterval = b.listInterval;
        this.clock = b.clock;
    }

    /** A consumer that follows {@code resolver}'s active region. */
    public static Builder builder(ActiveRegionResolver resolver) {
        Objects.requireNonNull(resolver, "resolver");
        return new Builder(resolver::activeRegion);
    }

    /** A consumer that reads where {@code activeRegion} says (e.g. {@code () -> "us-west-2"} for a fixed region). */
    public static Builder builder(Supplier<String> activeRegion) {
        return new Builder(activeRegion);
    }

    /** Starts the reader thread (a daemon); returns this. */
    public synchronized OrderCheckingConsumer start() {
        reader.start(this::run);
        return this;
    }

    private void run() {
        while (reader.running()) {
            boolean read;
            try {
                follow();
                read = current != null && round(current);
            } catch (RuntimeException e) {
                error(e);
                read = false;
            }
            if (!read && reader.running()) {
                LockSupport.parkNanos(pollInterval.toNanos());
            }
        }
    }

    private void follow() {
        String active;
        try {
            active = activeRegion.get();
        } catch (RuntimeException e) {
            if (current == null) {
                throw e;
            }
            return; // keep reading where we are; the supplier will answer again
        }
        if (current != null && current.region.equals(active)) {
            return;
        }
        KinesisClient client = regions.client(active);
        if (client == null) {
            throw new IllegalStateException(
                    "no client for the active region " + active + " (regions: " + regions.regions() + ")");
        }
        StartPosition start;
        if (current == null) {
            start = initialStart;
        } else {
            RegionChange change = new RegionChange(current.region, active, clock.instant());
            Instant at = switchStart.apply(change);
            start = at == null ? StartPosition.trimHorizon() : StartPosition.atTimestamp(at);
            synchronized (this) {
                switches.add(new Switch(change, start));
            }
            LOG.info(
                    "consumer: active region {} -> {}, reading {} from {}",
                    change.from(),
                    active,
                    regions.stream(active),
                    start);
        }
        current = new StreamState(active, regions.stream(active), client, start);
        synchronized (this) {
            caughtUp = false;
        }
    }

    /** One pass over the readable shards; true if any record was read. */
    private boolean round(StreamState s) {
        if (!s.listed || s.relist || System.nanoTime() - s.listedAtNanos > listInterval.toNanos()) {
            list(s);
        }
        boolean any = false;
        boolean allCaughtUp = true;
        for (ShardReader r : s.shards.values()) {
            if (r.finished) {
                continue;
            }
            if (!parentsFinished(s, r)) {
                allCaughtUp = false;
                continue;
            }
            if (r.iterator == null) {
                r.iterator = iterator(s, r);
            }
            GetRecordsResponse page;
            String it = r.iterator;
            Instant asked = clock.instant();
            try {
                page = s.client.getRecords(
                        b -> b.streamARN(s.arn).shardIterator(it).limit(GET_RECORDS_LIMIT));
            } catch (ExpiredIteratorException e) {
                r.iterator = null;
                allCaughtUp = false;
                continue;
            }
            List<Record> records = page.records();
            if (!records.isEmpty()) {
                any = true;
                r.lastSequence = records.get(records.size() - 1).sequenceNumber();
                check(s.region, r.shardId, records);
            }
            Long behind = page.millisBehindLatest();
            r.caughtUp = records.isEmpty() || (behind != null && behind == 0 && records.size() < GET_RECORDS_LIMIT);
            if (behind != null && behind == 0 && records.size() < GET_RECORDS_LIMIT) {
                r.readUpTo = asked;
            } else if (!records.isEmpty()) {
                r.readUpTo = records.get(records.size() - 1).approximateArrivalTimestamp();
            }
            allCaughtUp &= r.caughtUp;
            r.iterator = page.nextShardIterator();
            if (r.iterator == null) {
                r.finished = true;
                s.relist = true;
            }
        }
        Instant upTo = s.listed ? Instant.MAX : null;
        for (ShardReader r : s.shards.values()) {
            if (!r.finished && upTo != null) {
                upTo = r.readUpTo == null ? null : r.readUpTo.isBefore(upTo) ? r.readUpTo : upTo;
            }
        }
        synchronized (this) {
            caughtUp = allCaughtUp && s.listed;
            lastError = null;
            readUpTo = upTo == Instant.MAX ? null : upTo;
        }
        return any;
    }

    private static boolean parentsFinished(StreamState s, ShardReader r) {
        for (String parent : r.parents) {
            ShardReader p = s.shards.get(parent);
            if (p != null && !p.finished) {
                return false;
            }
        }
        return true;
    }

    private String iterator(StreamState s, ShardReader r) {
        GetShardIteratorRequest.Builder b =
                GetShardIteratorRequest.builder().streamARN(s.arn).shardId(r.shardId);
        if (r.lastSequence != null) {
            b.shardIteratorType(ShardIteratorType.AFTER_SEQUENCE_NUMBER).startingSequenceNumber(r.lastSequence);
        } else if (s.start.timestamp() == null) {
            b.shardIteratorType(ShardIteratorType.TRIM_HORIZON);
        } else {
            b.shardIteratorType(ShardIteratorType.AT_TIMESTAMP).timestamp(s.start.timestamp());
        }
        return s.client.getShardIterator(b.build()).shardIterator();
    }

    private static void list(StreamState s) {
        for (Shard shard : ShardListing.all(s.client, s.arn)) {
            s.shards.computeIfAbsent(shard.shardId(), id -> {
                List<String> parents = new ArrayList<>(2);
                if (shard.parentShardId() != null) {
                    parents.add(shard.parentShardId());
                }
                if (shard.adjacentParentShardId() != null) {
                    parents.add(shard.adjacentParentShardId());
                }
                return new ShardReader(id, parents);
            });
        }
        s.listed = true;
        s.relist = false;
        s.listedAtNanos = System.nanoTime();
    }

    private synchronized void check(String region, String shardId, List<Record> records) {
        consumed += records.size();
        consumedByRegion.merge(region, (long) records.size(), Long::sum);
        for (Record r : records) {
            Optional<KeyedPayload> payload = KeyedPayload.parse(r.data().asString(StandardCharsets.UTF_8))
                    .filter(KeyedOrder::fits);
            if (payload.isEmpty()) {
                unparsed++;
                continue;
            }
            String where = payload.get().id() + " in " + region + " " + shardId + "@" + r.sequenceNumber();
            long highest = order.highest(payload.get().key());
            KeyedOrder.Verdict verdict = order.accept(payload.get());
            if (verdict == KeyedOrder.Verdict.DUPLICATE) {
                example(duplicateExamples, where);
            } else if (verdict == KeyedOrder.Verdict.LATE) {
                example(reorderExamples, where + " after counter " + highest);
            }
        }
    }

    private static void example(List<String> examples, String example) {
        if (examples.size() < EXAMPLES) {
            examples.add(example);
        }
    }

    private synchronized void error(RuntimeException e) {
        readErrors++;
        String message =
                (current == null ? "" : current.region + ": ") + e.getClass().getSimpleName() + ": " + e.getMessage();
        if (lastError == null) {
            LOG.warn("consumer: read failed, retrying every {} ms: {}", pollInterval.toMillis(), message);
        }
        lastError = message;
        caughtUp = false;
    }

    /**
     * Its own position in the region it reads: every record that arrived there by this time was read (per shard the
     * last record read, or the time of a read that found it caught up; the earliest over shards). Empty until every
     * shard was read once. A switch start can be planned from it as for a Lambda consumer's IteratorAge.
     */
    public synchronized Optional<Instant> readUpTo() {
        return Optional.ofNullable(readUpTo);
    }

    /** Counters, examples and gaps as of now. */
    public synchronized Stats stats() {
        return new Stats(
                consumed,
                order.distinct(),
                order.duplicates(),
                order.late(),
                order.gaps(),
                order.keys(),
                unparsed,
                Collections.unmodifiableMap(new TreeMap<>(consumedByRegion)),
                List.copyOf(duplicateExamples),
                List.copyOf(reorderExamples),
                order.gapExamples(EXAMPLES),
                current == null ? null : current.region,
                List.copyOf(switches),
                readErrors,
                caughtUp,
                lastError);
    }

    /** Records read so far, duplicates included (for a consumed/s rate). */
    public synchronized long consumedCount() {
        return consumed;
    }

    /** True if the record {@code <key>:<counter>} was read. */
    public synchronized boolean seen(String id) {
        return order.seen(id);
    }

    /** Those of {@code ids} ({@code <key>:<counter>}, e.g. {@link KeyedLoad.Ack#id()}) that were never read. */
    public synchronized List<String> notSeen(Collection<String> ids) {
        List<String> out = new ArrayList<>();
        for (String id : ids) {
            if (!seen(id)) {
                out.add(id);
            }
        }
        return out;
    }

    /** Stops reading and waits for the reader thread (at most the client's call timeout plus a little). */
    @Override
    public void close() {
        reader.stop();
    }

    /** Settings of an {@link OrderCheckingConsumer}. */
    public static final class Builder {
        private final Supplier<String> activeRegion;
        private final RegionStreams regions = new RegionStreams();
        private StartPosition start = StartPosition.trimHorizon();
        private Function<RegionChange, Instant> switchStart;
        private Duration pollInterval = Duration.ofMillis(200);
        private Duration listInterval = Duration.ofSeconds(5);
        private Clock clock = Clock.systemUTC();

        private Builder(Supplier<String> activeRegion) {
            this.activeRegion = activeRegion;
        }

        /** A region the consumer may read: its client (owned by the caller) and stream ARN. */
        public Builder region(String region, KinesisClient client, String streamArn) {
            regions.add(region, client, streamArn);
            return this;
        }

        /** Where the first region's stream is read from (default TRIM_HORIZON). */
        public Builder startAt(StartPosition start) {
            this.start = Objects.requireNonNull(start, "start");
            return this;
        }

        /**
         * Where to read the new region's stream from after the active region changed (AT_TIMESTAMP of the answer;
         * {@code null} answer: TRIM_HORIZON). Required: the demo passes the controller's translated start time.
         * Called on the reader thread; it may block (e.g. read the control store).
         */
        public Builder switchStart(Function<RegionChange, Instant> switchStart) {
            this.switchStart = Objects.requireNonNull(switchStart, "switchStart");
            return this;
        }

        /** Wait after a round that read nothing, or after an error (default 200 ms). */
        public Builder pollInterval(Duration pollInterval) {
            this.pollInterval = Objects.requireNonNull(pollInterval, "pollInterval");
            return this;
        }

        /** How often the shard list is refreshed to find child shards (default 5 s; also when a shard finishes). */
        public Builder listInterval(Duration listInterval) {
            this.listInterval = Objects.requireNonNull(listInterval, "listInterval");
            return this;
        }

        /** Clock of {@link RegionChange#observedAt()} (default UTC system clock). */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        public OrderCheckingConsumer build() {
            if (switchStart == null) {
                throw new IllegalStateException("switchStart is required: where to read a new active region from");
            }
            return new OrderCheckingConsumer(this);
        }
    }
}
