package io.kinesisha.controller.operations;

import io.kinesisha.common.control.ControlStore;
import io.kinesisha.common.control.ReplicationDirection;
import io.kinesisha.common.control.ShardProgress;
import io.kinesisha.common.kinesis.SequenceNumbers;
import io.kinesisha.common.kinesis.ShardListing;
import io.kinesisha.controller.reconcile.ShardReader;
import io.kinesisha.controller.time.ControllerTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Collectors;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.ExpiredIteratorException;
import software.amazon.awssdk.services.kinesis.model.GetRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.Record;
import software.amazon.awssdk.services.kinesis.model.Shard;

/**
 * The switchover barrier: with producers paused, replication has drained when, for every shard of the source
 * stream, no record exists after the position its progress row says the target holds. Checked by reading the
 * source from that position (GetShardIterator AFTER_SEQUENCE_NUMBER, or TRIM_HORIZON for a shard without a row),
 * so the answer is about records, not clocks. Writes that producers started before they saw the pause must have
 * landed first: the barrier does not count as drained before {@code notBefore}.
 *
 * <p>A shard serves 5 GetRecords and 5 GetShardIterator calls and 2 MB a second to all its polling readers (KCL,
 * Lambda without EFO), which must keep up exactly while a switch waits here. So a barrier keeps its place in each
 * shard between looks and reads every record once over its whole wait, with no new iterator per look: a shard still
 * behind at most every {@link #READ_INTERVAL}, one with nothing left at every look until an empty page at its tip
 * confirms it; never more than {@link #COUNT_LIMIT} records held per shard.
 */
public final class ReplicationBarrier {
    /** Records read per shard to report how far behind it is; beyond that it is "at least". */
    static final int COUNT_LIMIT = 1000;
    /**
     * A shard read to its tip that still has records to replicate is read at most this often (a switchover's drain
     * looks 5 times a second); one with nothing left, or not read to its tip yet, is read at every look.
     */
    static final Duration READ_INTERVAL = Duration.ofSeconds(1);
    /** GetRecords calls per shard and look at most (a shard serves 5 a second to all its readers). */
    private static final int MAX_PAGES_PER_LOOK = 3;

    private final ControlStore store;
    private final KinesisClient source;
    private final String sourceArn;
    private final String pair;
    private final ControllerTime time;
    private final ShardReader reader;
    private Map<String, String> base = Map.of();
    private java.util.Set<String> excluded = java.util.Set.of();
    private final Map<String, ShardCursor> cursors = new HashMap<>();
    private ReplicationDirection lookingAt;
    private long lookingAtEpoch;

    public ReplicationBarrier(ControlStore store, KinesisClient source, String sourceArn, String pair, Clock clock) {
        this(store, source, sourceArn, pair, ControllerTime.of(clock));
    }

    /** Polls on {@code time}'s clock and sleeper. */
    public ReplicationBarrier(
            ControlStore store, KinesisClient source, String sourceArn, String pair, ControllerTime time) {
        this.store = store;
        this.source = source;
        this.sourceArn = sourceArn;
        this.pair = pair;
        this.time = time;
        this.reader = new ShardReader(source, sourceArn);
    }

    /**
     * Where replication started per shard when a shard has no progress row yet: the tips of the cut it started
     * from ("" for a shard that was empty). Without it such a shard is counted from its start.
     */
    public ReplicationBarrier withBase(Map<String, String> cutTips) {
        this.base = Map.copyOf(cutTips);
        return this;
    }

    /** Records replication skips ({@code <shard>@<sequence number>}: republished orphans) never count as behind. */
    public ReplicationBarrier withExcluded(java.util.Set<String> skipped) {
        this.excluded = java.util.Set.copyOf(skipped);
        return this;
    }

    /**
     * One look: records behind per source shard (shards at zero are drained). Looks of one barrier continue where
     * the previous one stopped reading, so a wait reads each record of the source once.
     */
    public Status check(ReplicationDirection direction, long epoch) {
        if (!direction.equals(lookingAt) || epoch != lookingAtEpoch) {
            cursors.clear();
            lookingAt = direction;
            lookingAtEpoch = epoch;
        }
        Map<String, ShardProgress> progress = store.readProgress(pair, direction, epoch).stream()
                .collect(Collectors.toMap(ShardProgress::sourceShardId, Function.identity()));
        Map<String, Integer> behind = new TreeMap<>();
        for (Shard shard : shards()) {
            ShardProgress p = progress.get(shard.shardId());
            String position =
                    p != null && p.lastSequenceNumber() != null ? p.lastSequenceNumber() : base.get(shard.shardId());
            String replicated = position == null || position.isEmpty() ? null : position;
            behind.put(
                    shard.shardId(),
                    cursors.computeIfAbsent(shard.shardId(), ShardCursor::new).behind(replicated));
        }
        return new Status(behind);
    }

    /**
     * Polls until drained and {@code notBefore} has passed; {@code onProgress} sees each look.
     *
     * @throws DrainTimeoutException when {@code timeout} passes first
     */
    public Status await(
            ReplicationDirection direction,
            long epoch,
            Instant notBefore,
            Duration timeout,
            Duration pollInterval,
            Consumer<Status> onProgress)
            throws InterruptedException {
        Instant deadline = time.now().plus(timeout);
        while (true) {
            Status status = check(direction, epoch);
            onProgress.accept(status);
            Instant now = time.now();
            if (status.drained() && !now.isBefore(notBefore)) {
                return status;
            }
            if (now.isAfter(deadline)) {
                throw new DrainTimeoutException(
                        "replication did not drain within " + timeout.toMillis() + " ms: " + status.summary());
            }
            time.sleep(pollInterval);
        }
    }

    private List<Shard> shards() {
        return ShardListing.all(source, sourceArn);
    }

    /**
     * The barrier's place in one shard, kept between looks so that each record is read once over a whole wait: the
     * records read after the replicated position that still count (in order, at most {@link #COUNT_LIMIT}), and
     * the iterator after the last record read.
     */
    private final class ShardCursor {
        private final String shardId;
        private final ArrayDeque<String> pending = new ArrayDeque<>();
        /** Where reading started ({@code null}: the shard's start); a replicated position before it restarts it. */
        private String startedAfter;
        /** The last record read, counted or not ({@code null}: none yet). */
        private String lastRead;

        private String iterator;
        private boolean started;
        private boolean atEnd;
        /** The last look read up to the tip: what follows arrived since, so reading goes on from there. */
        private boolean reachedTip;
        /** When this shard was last read ({@code null}: never since the cursor started). */
        private Instant lastReadAt;

        ShardCursor(String shardId) {
            this.shardId = shardId;
        }

        int behind(String replicated) {
            if (!started || movedBack(replicated) || (!reachedTip && beyondWhatWasRead(replicated))) {
                // replication passed records not read yet: start again after its position, not through them
                restart(replicated);
            }
            while (!pending.isEmpty()
                    && replicated != null
                    && SequenceNumbers.compare(pending.peekFirst(), replicated) <= 0) {
                pending.pollFirst();
            }
            // skipping a read is safe only where the last one reached the tip: otherwise the count is cut short
            if (!atEnd && (!reachedTip || pending.isEmpty() || readIntervalPassed())) {
                reachedTip = read(replicated);
                lastReadAt = time.now();
            }
            reachedTip |= atEnd;
            // a shard not read to its tip is never reported drained
            return pending.isEmpty() && !reachedTip ? 1 : pending.size();
        }

        private boolean readIntervalPassed() {
            return lastReadAt == null || !time.now().isBefore(lastReadAt.plus(READ_INTERVAL));
        }

        private boolean movedBack(String replicated) {
            return startedAfter != null
                    && (replicated == null || SequenceNumbers.compare(replicated, startedAfter) < 0);
        }

        private boolean beyondWhatWasRead(String replicated) {
            String read = lastRead != null ? lastRead : startedAfter;
            return replicated != null && (read == null || SequenceNumbers.compare(replicated, read) > 0);
        }

        private void restart(String replicated) {
            started = true;
            startedAfter = replicated;
            lastRead = null;
            pending.clear();
            atEnd = false;
            reachedTip = false;
            lastReadAt = null;
            iterator = iteratorAfter(replicated);
        }

        /** Reads what arrived since the last look, up to the count limit; true when it reached the shard's tip. */
        private boolean read(String replicated) {
            for (int page = 0; page < MAX_PAGES_PER_LOOK && pending.size() < COUNT_LIMIT; page++) {
                int limit = COUNT_LIMIT - pending.size();
                GetRecordsResponse r = getRecords(limit);
                for (Record rec : r.records()) {
                    lastRead = rec.sequenceNumber();
                    boolean counts =
                            replicated == null || SequenceNumbers.compare(rec.sequenceNumber(), replicated) > 0;
                    if (counts && !excluded.contains(shardId + "@" + rec.sequenceNumber())) {
                        pending.addLast(rec.sequenceNumber());
                    }
                }
                iterator = r.nextShardIterator();
                if (iterator == null) {
                    atEnd = true; // a closed shard, read to its end
                    return true;
                }
                boolean tip = r.millisBehindLatest() == null || r.millisBehindLatest() == 0;
                // a drained shard is confirmed by an empty page at the tip; one still behind needs no more reading
                if (tip && (r.records().isEmpty() || (r.records().size() < limit && !pending.isEmpty()))) {
                    return true;
                }
            }
            return false;
        }

        private GetRecordsResponse getRecords(int limit) {
            try {
                return fetch(limit);
            } catch (ExpiredIteratorException e) {
                // an iterator lives 5 minutes: carry on after the last record read
                iterator = iteratorAfter(lastRead != null ? lastRead : startedAfter);
                return fetch(limit);
            }
        }

        private GetRecordsResponse fetch(int limit) {
            String current = iterator;
            return source.getRecords(
                    b -> b.streamARN(sourceArn).shardIterator(current).limit(limit));
        }

        private String iteratorAfter(String sequenceNumber) {
            return reader.iteratorAfter(shardId, sequenceNumber);
        }
    }

    /** Records still to replicate per source shard ({@link #COUNT_LIMIT} means at least that many). */
    public record Status(Map<String, Integer> behind) {
        public Status {
            behind = Map.copyOf(behind);
        }

        public boolean drained() {
            return behind.values().stream().allMatch(n -> n == 0);
        }

        public int recordsBehind() {
            return behind.values().stream().mapToInt(Integer::intValue).sum();
        }

        public String summary() {
            long shardsBehind = behind.values().stream().filter(n -> n > 0).count();
            return shardsBehind + " of " + behind.size() + " shard(s) behind by " + recordsBehind() + " record(s)"
                    + (shardsBehind == 0 ? "" : " " + new TreeMap<>(behind));
        }
    }

    /** The barrier's bounded wait ran out; the switchover is aborted and producers resume in the old region. */
    public static final class DrainTimeoutException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public DrainTimeoutException(String message) {
            super(message);
        }
    }
}
