package io.kinesisha.controller.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.kinesisha.common.config.ReplicationPairConfig;
import io.kinesisha.common.control.ReplicationDirection;
import io.kinesisha.common.control.ShardProgress;
import io.kinesisha.controller.health.Verdict.Decision;
import io.kinesisha.controller.statemachine.PairState;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Every rule of the policy with a fixed clock; defaults as configured (1 %, 60 s age, 3 bad, 30 min, 1 per 24 h). */
class HealthPolicyTest {
    private static final Instant NOW = Instant.parse("2026-11-21T10:00:00Z");
    private static final PolicySettings DEFAULTS = PolicySettings.from(ReplicationPairConfig.fromMap(Map.of(
            "pair.name", "orders",
            "primary.stream-arn", "arn:aws:kinesis:us-west-2:111111111111:stream/orders",
            "secondary.stream-arn", "arn:aws:kinesis:us-east-2:111111111111:stream/orders")).health());

    private final HealthPolicy policy = policy(DEFAULTS, NOW);

    @Test
    void defaultsComeFromTheConfiguration() {
        assertThat(DEFAULTS.errorRateThresholdPercent()).isEqualTo(1.0);
        assertThat(DEFAULTS.consecutiveBadEvaluations()).isEqualTo(3);
        assertThat(DEFAULTS.minDwell()).isEqualTo(Duration.ofMinutes(30));
        assertThat(DEFAULTS.maxAutomaticFailovers()).isEqualTo(1);
    }

    @Test
    void cleanEvidenceIsHealthyAndResetsTheCount() {
        Verdict v = policy.evaluate(healthy(), PairState.ACTIVE_PRIMARY, false, new PolicyMemory(2, List.of()));

        assertThat(v.healthy()).isTrue();
        assertThat(v.decision()).isEqualTo(Decision.NONE);
        assertThat(v.reasons()).isEmpty();
        assertThat(v.warnings()).isEmpty();
        assertThat(v.memory().consecutiveBad()).isZero();
        assertThat(v.inputs()).containsEntry("errorRatePercent", "[0.100, 0.100, 0.100, 0.100, 0.100]")
                .containsEntry("consecutiveBad", "0/3").containsKey("probes").containsEntry("replicationLagMillis", "200");
    }

    @Test
    void withoutCloudWatchLocallyProbesAloneDecide() {
        Verdict ok = evaluate(Evidence.withoutCloudWatch(List.of(probeOk()), progress(0, NOW)));
        Verdict down = evaluate(Evidence.withoutCloudWatch(List.of(new ProbeResult(NOW, "us-west-2", false,
                Duration.ofMillis(3), null, "SdkClientException: connection refused")), progress(0, NOW)));
        Verdict cloudWatchFailed = evaluate(new Evidence(null, "timeout", List.of(probeOk()), progress(0, NOW)));

        assertThat(ok.healthy()).as("no CloudWatch by design is not missing evidence").isTrue();
        assertThat(ok.inputs()).containsEntry("cloudWatch", Evidence.CLOUDWATCH_NOT_USED);
        assertThat(down.healthy()).isFalse();
        assertThat(down.reasons()).singleElement().asString().contains("connection refused");
        assertThat(cloudWatchFailed.healthy()).as("an unanswered CloudWatch still counts as unhealthy").isFalse();
    }

    @Test
    void errorRateIsJudgedOverTheWindowAverageAgainstThePercentThreshold() {
        Verdict justUnder = evaluate(evidence(rates(1.0, 1.0, 1.0, 1.0, 1.0), ages(0), probeOk(), progress(0, NOW)));
        Verdict over = evaluate(evidence(rates(0.0, 0.0, 0.0, 0.0, 5.5), ages(0), probeOk(), progress(0, NOW)));

        assertThat(justUnder.healthy()).isTrue();
        assertThat(over.healthy()).isFalse();
        assertThat(over.reasons()).singleElement().asString().contains("error rate 1.10% > 1.00% over PT5M");
    }

    @Test
    void iteratorAgeAboveTheThresholdIsUnhealthy() {
        Verdict v = evaluate(evidence(rates(0, 0, 0, 0, 0), ages(60_001), probeOk(), progress(0, NOW)));

        assertThat(v.reasons()).singleElement().asString().contains("iterator age 60001 ms > 60000 ms");
    }

    @Test
    void missingPrimaryDataIsUnhealthyEvidenceNeverHealthy() {
        Double[] gap = {0.0, null, 0.0, 0.0, 0.0};
        Verdict oneGap = evaluate(evidence(withGaps(gap), ages(0), probeOk(), progress(0, NOW)));
        Verdict allMissing = evaluate(evidence(withGaps(null, null, null, null, null), ages(null), probeOk(), progress(0, NOW)));
        Verdict noCloudWatch = evaluate(new Evidence(null, "SdkClientException: Unable to execute HTTP request",
                List.of(probeOk()), progress(0, NOW)));
        Verdict noProbe = evaluate(new Evidence(healthy().cloudWatch(), null, List.of(), progress(0, NOW)));

        assertThat(oneGap.healthy()).isFalse();
        assertThat(oneGap.reasons()).singleElement().asString().contains("error rate: 1 of 5 periods missing");
        assertThat(allMissing.reasons()).hasSize(2).allMatch(r -> r.contains("5 of 5 periods missing"));
        assertThat(noCloudWatch.reasons()).singleElement().asString().contains("CloudWatch: no data (SdkClientException");
        assertThat(noProbe.reasons()).singleElement().asString().contains("no probe result");
    }

    @Test
    void aFailedProbeIsUnhealthyWithItsError() {
        ProbeResult failed = new ProbeResult(NOW, "us-west-2", false, Duration.ofMillis(2003), null,
                "ApiCallTimeoutException: timed out");
        Verdict v = evaluate(evidence(rates(0, 0, 0, 0, 0), ages(0), failed, progress(0, NOW)));

        assertThat(v.reasons()).singleElement().asString()
                .isEqualTo("probe of us-west-2 failed after 2003 ms: ApiCallTimeoutException: timed out");
    }

    @Test
    void replicatorLagOrSilenceWarnsButNeverTriggersFailover() {
        Verdict lagging = evaluate(evidence(rates(0, 0, 0, 0, 0), ages(0), probeOk(), progress(45_000, NOW)));
        Verdict silent = evaluate(evidence(rates(0, 0, 0, 0, 0), ages(0), probeOk(), progress(0, NOW.minusSeconds(120))));
        Verdict none = evaluate(new Evidence(healthy().cloudWatch(), null, List.of(probeOk()), List.of()));

        assertThat(List.of(lagging, silent, none)).allMatch(Verdict::healthy).allMatch(v -> v.decision() == Decision.NONE);
        assertThat(lagging.warnings()).singleElement().asString().contains("replication lag 45000 ms > 30000 ms");
        assertThat(silent.warnings()).singleElement().asString().contains("last updated 120000 ms ago");
        assertThat(none.warnings()).containsExactly("no replication progress recorded");
    }

    @Test
    void failsOverOnlyAfterNConsecutiveBadEvaluations() {
        PolicyMemory memory = PolicyMemory.EMPTY;
        List<Decision> decisions = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Verdict v = policy.evaluate(unhealthy(), PairState.ACTIVE_PRIMARY, false, memory);
            decisions.add(v.decision());
            memory = v.memory();
        }

        assertThat(decisions).containsExactly(Decision.HOLD, Decision.HOLD, Decision.FAIL_OVER);
        assertThat(memory.consecutiveBad()).isEqualTo(3);
        assertThat(memory.automaticFailovers()).containsExactly(NOW);
    }

    @Test
    void oneGoodEvaluationBetweenBadOnesStartsTheCountAgain() {
        Verdict bad1 = policy.evaluate(unhealthy(), PairState.ACTIVE_PRIMARY, false, PolicyMemory.EMPTY);
        Verdict bad2 = policy.evaluate(unhealthy(), PairState.ACTIVE_PRIMARY, false, bad1.memory());
        Verdict good = policy.evaluate(healthy(), PairState.ACTIVE_PRIMARY, false, bad2.memory());
        Verdict bad3 = policy.evaluate(unhealthy(), PairState.ACTIVE_PRIMARY, false, good.memory());

        assertThat(bad3.decision()).isEqualTo(Decision.HOLD);
        assertThat(bad3.holdReason()).isEqualTo("1 of 3 consecutive bad evaluations");
    }

    @ParameterizedTest
    @EnumSource(value = PairState.class, names = "ACTIVE_PRIMARY", mode = EnumSource.Mode.EXCLUDE)
    void holdsOutsideActivePrimary(PairState state) {
        Verdict v = policy.evaluate(unhealthy(), state, false, new PolicyMemory(5, List.of()));

        assertThat(v.decision()).isEqualTo(Decision.HOLD);
        assertThat(v.holdReason()).contains("the pair is " + state);
    }

    @Test
    void theKillSwitchHoldsButTheEvaluationIsStillCountedAndRecorded() {
        Verdict v = policy.evaluate(unhealthy(), PairState.ACTIVE_PRIMARY, true, new PolicyMemory(5, List.of()));

        assertThat(v.decision()).isEqualTo(Decision.HOLD);
        assertThat(v.holdReason()).isEqualTo("automation is paused (kill switch)");
        assertThat(v.memory().consecutiveBad()).isEqualTo(6);
        assertThat(v.inputs()).containsEntry("automationPaused", "true");
    }

    @Test
    void zeroAllowedFailoversDisablesAutomation() {
        PolicySettings off = new PolicySettings(1.0, Duration.ofMinutes(1), Duration.ofSeconds(30), 1, Duration.ZERO, 0,
                Duration.ofHours(24));
        Verdict v = policy(off, NOW).evaluate(unhealthy(), PairState.ACTIVE_PRIMARY, false, PolicyMemory.EMPTY);

        assertThat(v.holdReason()).contains("disabled");
    }

    @Test
    void dwellTimeIsMeasuredFromTheLastAutomaticFailover() {
        PolicySettings twoPerDay = new PolicySettings(1.0, Duration.ofMinutes(1), Duration.ofSeconds(30), 1,
                Duration.ofMinutes(30), 2, Duration.ofHours(24));
        PolicyMemory recent = new PolicyMemory(0, List.of(NOW.minus(Duration.ofMinutes(29))));

        Verdict tooSoon = policy(twoPerDay, NOW).evaluate(unhealthy(), PairState.ACTIVE_PRIMARY, false, recent);
        Verdict afterDwell = policy(twoPerDay, NOW.plus(Duration.ofMinutes(1)))
                .evaluate(unhealthy(), PairState.ACTIVE_PRIMARY, false, recent);

        assertThat(tooSoon.decision()).isEqualTo(Decision.HOLD);
        assertThat(tooSoon.holdReason()).startsWith("dwell time");
        assertThat(afterDwell.decision()).isEqualTo(Decision.FAIL_OVER);
        assertThat(afterDwell.memory().automaticFailovers()).hasSize(2);
    }

    @Test
    void atMostMaxAutomaticFailoversPerWindowAndOldOnesExpire() {
        PolicyMemory oneToday = new PolicyMemory(0, List.of(NOW.minus(Duration.ofHours(23))));
        PolicyMemory oneYesterday = new PolicyMemory(0, List.of(NOW.minus(Duration.ofHours(25))));
        PolicySettings quick = new PolicySettings(1.0, Duration.ofMinutes(1), Duration.ofSeconds(30), 1, Duration.ZERO, 1,
                Duration.ofHours(24));

        Verdict budgetSpent = policy(quick, NOW).evaluate(unhealthy(), PairState.ACTIVE_PRIMARY, false, oneToday);
        Verdict budgetBack = policy(quick, NOW).evaluate(unhealthy(), PairState.ACTIVE_PRIMARY, false, oneYesterday);

        assertThat(budgetSpent.decision()).isEqualTo(Decision.HOLD);
        assertThat(budgetSpent.holdReason()).isEqualTo("1 automatic failover(s) within PT24H already (max 1)");
        assertThat(budgetBack.decision()).isEqualTo(Decision.FAIL_OVER);
        assertThat(budgetBack.memory().automaticFailovers()).as("expired entries are dropped").containsExactly(NOW);
    }

    @Test
    void memoryRoundTripsThroughJson() {
        PolicyMemory m = new PolicyMemory(4, List.of(NOW, NOW.plusSeconds(1)));
        assertThat(PolicyMemory.fromJson(m.toJson())).isEqualTo(m);
        assertThat(PolicyMemory.fromJson(null)).isEqualTo(PolicyMemory.EMPTY);
    }

    private Verdict evaluate(Evidence e) {
        return policy.evaluate(e, PairState.ACTIVE_PRIMARY, false, PolicyMemory.EMPTY);
    }

    private static HealthPolicy policy(PolicySettings settings, Instant now) {
        return new HealthPolicy(settings, Clock.fixed(now, ZoneOffset.UTC));
    }

    private static Evidence healthy() {
        return evidence(rates(0.1, 0.1, 0.1, 0.1, 0.1), ages(100), probeOk(), progress(200, NOW));
    }

    private static Evidence unhealthy() {
        return evidence(rates(5, 5, 5, 5, 5), ages(100), probeOk(), progress(200, NOW));
    }

    private static Evidence evidence(Series errors, Series ages, ProbeResult probe, List<ShardProgress> progress) {
        Instant from = NOW.minusSeconds(360);
        return new Evidence(new StreamSignals("orders", from, from.plusSeconds(300), errors, ages), null, List.of(probe),
                progress);
    }

    private static Series rates(double... values) {
        return withGaps(Arrays.stream(values).boxed().toArray(Double[]::new));
    }

    private static Series withGaps(Double... values) {
        Instant from = NOW.minusSeconds(360);
        List<PeriodValue> list = new ArrayList<>();
        for (int i = 0; i < values.length; i++) {
            list.add(new PeriodValue(from.plusSeconds(60L * i), values[i]));
        }
        return new Series("errorRatePercent", list, "Complete");
    }

    private static Series ages(Integer millis) {
        Double v = millis == null ? null : millis.doubleValue();
        return withGaps(v, v, v, v, v);
    }

    private static ProbeResult probeOk() {
        return new ProbeResult(NOW, "us-west-2", true, Duration.ofMillis(12), "ACTIVE", null);
    }

    private static List<ShardProgress> progress(long behind, Instant updated) {
        return List.of(new ShardProgress("orders", new ReplicationDirection("us-west-2", "us-east-2"), 1,
                "shardId-000000000000", "49590338271490256608559692538361571095921575989136588898", 0, behind, null, null, 10,
                7, false, updated.toEpochMilli()));
    }
}
