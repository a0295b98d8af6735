package io.kinesisha.controller.consumers;

import io.kinesisha.common.control.ShardProgress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Where one Lambda consumer's event source mapping starts in the target ({@code AT_TIMESTAMP}), from the consumer's
 * own position translated through the replicator's progress rows, so it neither skips what it had not processed
 * nor replays what one idle shard last saw hours ago.
 *
 * <p>Per source shard: if the last record replication copied from it arrived at or before the consumer's position,
 * the consumer had processed everything of that shard the target holds, and the shard asks only that records written
 * after the cut are read (new writes and republished orphans land after it). Otherwise the consumer had not
 * processed the copies of that shard's records after its position: a copy is written after its original arrived, so
 * its target arrival is no earlier than the original's source arrival, and every such copy arrived in the target at
 * or after the position. The start is the earliest of these times less the margin (clock skew between the regions'
 * arrival stamps and the controller, and CloudWatch's period granularity): duplicates, never gaps.
 *
 * <p>Duplicates: records already processed that arrived in the target between the start and the first copy the
 * consumer had not processed, at most the margin plus the copy latency (a progress row is written after its record's
 * copy, so {@code updated - lastArrival} bounds it). Without the consumer's position the start goes back
 * {@link #FALLBACK_LOOKBACK} from the cut and says that a consumer further behind would skip records.
 */
public record LambdaStart(
        Instant timestamp,
        Duration margin,
        String method,
        List<String> behindShards,
        Duration duplicateWindow,
        boolean skipsExcluded) {
    /** How far back from the cut a consumer whose position is unknown starts (the CloudWatch look-back). */
    public static final Duration FALLBACK_LOOKBACK = Duration.ofMinutes(15);

    public static final Duration DEFAULT_MARGIN = Duration.ofSeconds(5);

    public LambdaStart {
        behindShards = List.copyOf(behindShards);
    }

    public static LambdaStart plan(
            ConsumerPosition position, List<ShardProgress> progress, Instant cut, Duration margin) {
        if (!position.known()) {
            return new LambdaStart(
                    cut.minus(FALLBACK_LOOKBACK).minus(margin),
                    margin,
                    "consumer position unknown ("
                            + position.basis() + "): cut " + cut + " - " + FALLBACK_LOOKBACK.toMinutes()
                            + " min - margin "
                            + margin.toSeconds() + " s; records it had not processed before that would be skipped",
                    List.of(),
                    FALLBACK_LOOKBACK.plus(margin),
                    false);
        }
        Instant p = position.processedUpTo();
        List<String> behind = new ArrayList<>();
        Duration latency = Duration.ZERO;
        for (ShardProgress row : progress.stream()
                .sorted(Comparator.comparing(ShardProgress::sourceShardId))
                .toList()) {
            if (row.lastSequenceNumber() == null || row.lastArrivalEpochMillis() <= p.toEpochMilli()) {
                continue;
            }
            behind.add(row.sourceShardId());
            long copied = Math.max(0, row.updatedEpochMillis() - row.lastArrivalEpochMillis());
            latency = latency.compareTo(Duration.ofMillis(copied)) >= 0 ? latency : Duration.ofMillis(copied);
        }
        if (behind.isEmpty()) {
            return new LambdaStart(
                    cut.minus(margin),
                    margin,
                    "caught up (processed up to " + p + ", at or after every " + "replicated record): the cut " + cut
                            + " - margin " + margin.toSeconds() + " s",
                    List.of(),
                    margin,
                    true);
        }
        Instant start = (p.isBefore(cut) ? p : cut).minus(margin);
        return new LambdaStart(
                start,
                margin,
                "behind on " + behind + ": its position " + p + " (" + position.basis() + ") - margin "
                        + margin.toSeconds() + " s",
                behind,
                margin.plus(latency),
                true);
    }

    /** The lines the operation records as evidence, under {@code prefix}. */
    public java.util.Map<String, String> evidence(String prefix) {
        java.util.Map<String, String> e = new java.util.LinkedHashMap<>();
        e.put(prefix + "startTimestamp", timestamp.toString());
        e.put(prefix + "startMethod", method);
        e.put(prefix + "marginMillis", Long.toString(margin.toMillis()));
        e.put(
                prefix + "duplicates",
                "records already processed that arrived in the target within " + duplicateWindow.toMillis()
                        + " ms after the start");
        e.put(
                prefix + "skips",
                skipsExcluded
                        ? "0 (the start is at or before every record it had not processed)"
                        : "not excluded (position unknown)");
        return e;
    }
}
