package io.kinesisha.controller.operations;

import io.kinesisha.common.control.ControlStore;
import io.kinesisha.common.control.ReplicationDirection;
import io.kinesisha.common.control.ShardProgress;
import io.kinesisha.common.kinesis.ShardListing;
import io.kinesisha.controller.time.ControllerTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Collectors;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.GetRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.Shard;
import software.amazon.awssdk.services.kinesis.model.ShardIteratorType;

/**
 * The switchover barrier: with producers paused, replication has drained when, for every shard of the source
 * stream, no record exists after the position its progress row says the target holds. Checked by reading the
 * source from that position (GetShardIterator AFTER_SEQUENCE_NUMBER, or TRIM_HORIZON for a shard without a row),
 * so the answer is about records, not clocks. Writes that producers started before they saw the pause must have
 * landed first: the barrier does not count as drained before {@code notBefore}.
 */
public final class ReplicationBarrier {
    /** Records read per shard to report how far behind it is; beyond that it is "at least". */
    static final int COUNT_LIMIT = 1000;

    private final ControlStore store;
    private final KinesisClient source;
    private final String sourceArn;
    private final String pair;
    private final ControllerTime time;
    private Map<String, String> base = Map.of();
    private java.util.Set<String> excluded = java.util.Set.of();

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

    /** One look: records behind per source shard (shards at zero are drained). */
    public Status check(ReplicationDirection direction, long epoch) {
        Map<String, ShardProgress> progress = store.readProgress(pair, direction, epoch).stream()
                .collect(Collectors.toMap(ShardProgress::sourceShardId, Function.identity()));
        Map<String, Integer> behind = new TreeMap<>();
        for (Shard shard : shards()) {
            ShardProgress p = progress.get(shard.shardId());
            String position =
                    p != null && p.lastSequenceNumber() != null ? p.lastSequenceNumber() : base.get(shard.shardId());
            behind.put(
                    shard.shardId(),
                    recordsAfter(shard.shardId(), position == null || position.isEmpty() ? null : position));
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

    private int recordsAfter(String shardId, String lastSequenceNumber) {
        String iterator = source.getShardIterator(b -> {
                    b.streamARN(sourceArn).shardId(shardId);
                    if (lastSequenceNumber == null) {
                        b.shardIteratorType(ShardIteratorType.TRIM_HORIZON);
                    } else {
                        b.shardIteratorType(ShardIteratorType.AFTER_SEQUENCE_NUMBER)
                                .startingSequenceNumber(lastSequenceNumber);
                    }
                })
                .shardIterator();
        int count = 0;
        for (int page = 0; iterator != null && page < 20 && count < COUNT_LIMIT; page++) {
            String current = iterator;
            int want = COUNT_LIMIT - count;
            GetRecordsResponse r = source.getRecords(
                    b -> b.streamARN(sourceArn).shardIterator(current).limit(want));
            count += excluded.isEmpty()
                    ? r.records().size()
                    : (int) r.records().stream()
                            .filter(rec -> !excluded.contains(shardId + "@" + rec.sequenceNumber()))
                            .count();
            boolean caughtUp = r.millisBehindLatest() == null || r.millisBehindLatest() == 0;
            if (r.records().isEmpty() && caughtUp) {
                break;
            }
            iterator = r.nextShardIterator();
        }
        return count;
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
