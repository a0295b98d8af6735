package io.kinesisha.controller.metrics;

import io.kinesisha.common.control.AuditEntry;
import io.kinesisha.common.control.ControlRecord;
import io.kinesisha.common.control.ShardProgress;
import io.kinesisha.controller.health.Verdict;
import io.kinesisha.controller.statemachine.PairState;
import java.util.List;
import java.util.Objects;

/**
 * What the controller reports after a round, as numbers a dashboard and an alarm can use: an operator sees the
 * pair's state, lag, orphans and the latest decision from the region that still works, without the CLI. A null
 * field was not known this round and is left out rather than reported as zero.
 */
public record RoundMetrics(PairState state, Long replicationLagMillis, Long orphanRecords, Verdict.Decision decision) {
    /** Evidence keys of the reconciliation step (see {@code Reconciliation.evidence}). */
    static final String ORPHANS_REMAINING = "orphans.remaining";

    static final String ORPHANS_COUNT = "orphans.count";

    public RoundMetrics {
        Objects.requireNonNull(state, "state");
    }

    /**
     * @param progress the progress rows of the record's replication direction and epoch (empty when none)
     * @param recentAudit the newest audit entries, newest first
     * @param decision the round's health decision, null when the round did not evaluate
     */
    public static RoundMetrics of(
            ControlRecord record,
            List<ShardProgress> progress,
            List<AuditEntry> recentAudit,
            Verdict.Decision decision) {
        Long lag = progress.isEmpty()
                ? null
                : progress.stream()
                        .mapToLong(ShardProgress::millisBehindLatest)
                        .max()
                        .getAsLong();
        return new RoundMetrics(PairState.valueOf(record.state()), lag, orphans(recentAudit), decision);
    }

    /** Orphans of the newest reconciliation: those not yet republished, or those found if the policy copied none. */
    static Long orphans(List<AuditEntry> newestFirst) {
        for (AuditEntry entry : newestFirst) {
            String remaining = entry.evidence().get(ORPHANS_REMAINING);
            String count = entry.evidence().get(ORPHANS_COUNT);
            if (remaining != null || count != null) {
                return Long.parseLong(remaining != null ? remaining : count);
            }
        }
        return null;
    }

    /** The {@code ControllerState} value; fixed numbers, so dashboards and alarms keep their meaning. */
    public static int stateValue(PairState state) {
        return switch (state) {
            case ACTIVE_PRIMARY -> 0;
            case FAILING_OVER -> 1;
            case ACTIVE_SECONDARY -> 2;
            case FAILING_BACK -> 3;
            case SWITCHING_OVER -> 4;
        };
    }

    /** The {@code LastDecision} value. */
    public static int decisionValue(Verdict.Decision decision) {
        return switch (decision) {
            case NONE -> 0;
            case HOLD -> 1;
            case FAIL_OVER -> 2;
        };
    }
}
