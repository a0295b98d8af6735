package io.kinesisha.controller.operations.steps;

import io.kinesisha.common.control.ControlRecord;
import io.kinesisha.common.control.ReplicationDirection;
import io.kinesisha.common.control.ReplicationStart;
import io.kinesisha.common.control.StreamCut;
import io.kinesisha.controller.operations.PairContext;
import io.kinesisha.controller.reconcile.StreamTips;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Records where a replication direction starts in both streams, around the control-record write that lets it
 * run: the target's tips are read before the write (no replicator of the new epoch can have written yet) and
 * stored once the epoch is known. Orphan reconciliation relies on it to tell records that arrived by replication
 * from records producers wrote.
 */
final class ReplicationStarts {
    private ReplicationStarts() {}

    /**
     * Runs {@code route} (which enables {@code direction} and returns its epoch) and records the start. If the
     * record already names the direction (a step run again after a crash), the start stays as first recorded;
     * only if none was recorded are the tips read now, which may include the first copies (reported as such).
     */
    static long routeAndRecord(
            PairContext ctx,
            ControlRecord record,
            ReplicationDirection direction,
            LongSupplier route,
            Map<String, String> evidence) {
        String target = direction.targetRegion();
        boolean fresh = !direction.equals(record.direction());
        Map<String, String> targetTips =
                fresh ? StreamTips.take(ctx.kinesis(target), ctx.streamArn(target), ctx.clock()) : null;
        long epoch = route.getAsLong();
        if (!fresh && ctx.ledger().start(ctx.pair(), direction, epoch).isPresent()) {
            return epoch;
        }
        if (targetTips == null) {
            targetTips = StreamTips.take(ctx.kinesis(target), ctx.streamArn(target), ctx.clock());
            evidence.put("start.note", "start of " + direction + " recorded late (after the direction was set)");
        }
        Map<String, String> sourceTips = ctx.ledger()
                .latestCut(ctx.pair(), direction.sourceRegion(), epoch)
                .map(StreamCut::tips)
                .orElse(Map.of());
        ReplicationStart stored = ctx.ledger()
                .putStart(new ReplicationStart(
                        ctx.pair(), direction, epoch, ctx.clock().instant(), sourceTips, targetTips));
        stored.targetTips()
                .forEach(
                        (shard, tip) -> evidence.put("start." + target + "." + shard, tip.isEmpty() ? "(empty)" : tip));
        return epoch;
    }
}
