package io.kinesisha.controller.metrics;

import io.kinesisha.common.control.ControlRecord;
import io.kinesisha.common.control.ShardProgress;
import io.kinesisha.controller.operations.PairContext;
import io.kinesisha.controller.runtime.ControllerTick;
import java.util.List;
import java.util.function.Consumer;

/**
 * Reads what a round left in the control store and publishes it. A failure to publish never fails the round (the
 * round's own work is done and recorded); it is logged, and the dashboard shows the gap.
 */
public final class RoundReporter {
    /** How far back in the audit trail the newest reconciliation is looked for. */
    static final int AUDIT_ENTRIES = 50;

    private final PairContext ctx;
    private final ControllerMetrics metrics;
    private final Consumer<String> log;

    public RoundReporter(PairContext ctx, ControllerMetrics metrics, Consumer<String> log) {
        this.ctx = ctx;
        this.metrics = metrics;
        this.log = log;
    }

    /** Publishes the pair's metrics after {@code round}; true if they were published. */
    public boolean report(ControllerTick.Result round) {
        try {
            ControlRecord record = ctx.control().read(ctx.pair());
            List<ShardProgress> progress = record.direction() == null
                    ? List.of()
                    : ctx.store().readProgress(ctx.pair(), record.direction(), record.epoch());
            metrics.publish(
                    ctx.pair(),
                    RoundMetrics.of(
                            record, progress, ctx.store().readAudit(ctx.pair(), AUDIT_ENTRIES), round.decision()));
            return true;
        } catch (RuntimeException e) {
            log.accept("kinesis-ha controller: metrics of " + ctx.pair() + " not published (the round itself"
                    + " succeeded): " + e);
            return false;
        }
    }
}
