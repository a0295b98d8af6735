package io.kinesisha.controller.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.kinesisha.common.control.AuditEntry;
import io.kinesisha.common.control.ControlRecord;
import io.kinesisha.common.control.ReplicationDirection;
import io.kinesisha.common.control.ShardProgress;
import io.kinesisha.controller.health.Verdict;
import io.kinesisha.controller.statemachine.PairState;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The numbers a round reports, from what it left in the control store. */
class RoundMetricsTest {
    private static final Instant T = Instant.parse("2026-11-21T10:00:00Z");

    @Test
    void orphansAreTheNewestReconciliationsRemainingOrItsCountWhenNothingWasCopied() {
        AuditEntry evaluation = entry(AuditEntry.Kind.EVALUATION, Map.of("replicationLagMillis", "10"));
        AuditEntry republished = entry(AuditEntry.Kind.ACTION, Map.of("orphans.count", "12", "orphans.remaining", "2"));
        AuditEntry reported = entry(AuditEntry.Kind.ACTION, Map.of("orphans.count", "5", "orphans.policy", "report"));

        assertThat(RoundMetrics.orphans(List.of(evaluation, republished, reported)))
                .isEqualTo(2L);
        assertThat(RoundMetrics.orphans(List.of(evaluation, reported, republished)))
                .isEqualTo(5L);
        assertThat(RoundMetrics.orphans(List.of(evaluation)))
                .as("no reconciliation in the recent trail")
                .isNull();
    }

    @Test
    void stateComesFromTheRecordAndNoProgressIsNoLag() {
        ControlRecord record = ControlRecord.initial("orders", "us-west-2", "us-east-2", T);

        RoundMetrics m = RoundMetrics.of(record, List.of(), List.of(), Verdict.Decision.NONE);

        assertThat(m).isEqualTo(new RoundMetrics(PairState.ACTIVE_PRIMARY, null, null, Verdict.Decision.NONE));
    }

    @Test
    void lagIsTheWorstShardOfTheCurrentDirection() {
        ControlRecord record = ControlRecord.initial("orders", "us-west-2", "us-east-2", T);
        ReplicationDirection forward = new ReplicationDirection("us-west-2", "us-east-2");

        RoundMetrics m = RoundMetrics.of(
                record,
                List.of(progress(forward, "shardId-0", 800), progress(forward, "shardId-1", 4200)),
                List.of(),
                null);

        assertThat(m.replicationLagMillis()).isEqualTo(4200L);
        assertThat(m.decision()).isNull();
    }

    @Test
    void everyStateAndDecisionHasItsOwnFixedNumber() {
        assertThat(Arrays.stream(PairState.values())
                        .map(RoundMetrics::stateValue)
                        .distinct())
                .hasSize(PairState.values().length);
        assertThat(RoundMetrics.stateValue(PairState.ACTIVE_PRIMARY)).isZero();
        assertThat(RoundMetrics.stateValue(PairState.FAILING_OVER)).isEqualTo(1);
        assertThat(RoundMetrics.stateValue(PairState.ACTIVE_SECONDARY)).isEqualTo(2);
        assertThat(RoundMetrics.stateValue(PairState.FAILING_BACK)).isEqualTo(3);
        assertThat(Arrays.stream(Verdict.Decision.values()).map(RoundMetrics::decisionValue))
                .containsExactly(0, 1, 2);
    }

    private static ShardProgress progress(ReplicationDirection d, String shard, long behind) {
        return new ShardProgress(
                "orders",
                d,
                1,
                shard,
                "49590000",
                T.toEpochMilli(),
                behind,
                shard,
                "49600000",
                10,
                3,
                false,
                T.toEpochMilli());
    }

    private static AuditEntry entry(AuditEntry.Kind kind, Map<String, String> evidence) {
        return AuditEntry.of("orders", T, kind, "test", evidence);
    }
}
