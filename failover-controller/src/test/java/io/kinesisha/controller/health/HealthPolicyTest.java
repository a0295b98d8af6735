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
                    "secondary.stream-arn", "arn:aws:kinesis:us-east-2:111111111111:stream/orders"))
            .health());

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
        assertThat(v.inputs())
                .containsEntry("errorRatePercent", "0.100")
                .containsEntry("callsAndRecords", "10000")
                .containsEntry("failed", "10")
                .containsEntry("consecutiveBad", "0/3")
                .containsKey("probes")
                .containsEntry("replicationLagMillis", "200");
    }

    @Test
    void withoutCloudWatchLocallyProbesAloneDecide() {
        Verdict ok = evaluate(Evidence.withoutCloudWatch(List.of(probeOk()), progress(0, NOW)));
        Verdict down = evaluate(Evidence.withoutCloudWatch(
                List.of(new ProbeResult(
                        NOW, "us-west-2", false, Duration.ofMillis(3), null, "SdkClientException: connection refused")),
                progress(0, NOW)));

        assertThat(ok.healthy())
                .as("no CloudWatch by design is not missing evidence")
                .isTrue();
        assertThat(ok.inputs()).containsEntry("cloudWatch", Evidence.CLOUDWATCH_NOT_USED);
        assertThat(ok.warnings()).isEmpty();
        assertThat(down.healthy()).isFalse();
        assertThat(down.reasons()).singleElement().asString().contains("connection refused");
    }

    @Test
    void theErrorRateIsFailedCallsAndRecordsOverAllOfThemAgainstThePercentThreshold() {
        Verdict atThreshold = evaluate(evidence(cloudWatch(1000, 10, 0, 0), probeOk(), progress(0, NOW)));
        Verdict over = evaluate(evidence(cloudWatch(1000, 11, 0, 0), probeOk(), progress(0, NOW)));

        assertThat(atThreshold.healthy()).isTrue();
        assertThat(over.healthy()).isFalse();
        assertThat(over.reasons())
                .singleElement()
                .asString()
                .isEqualTo("error rate 1.10% > 1.00% over PT5M (11 failed of 1000 calls and records, 0 throttled)");
    }

    @Test
    void throttlingWarnsAsCapacityButIsNotAnError() {
        Verdict v = evaluate(evidence(cloudWatch(1000, 0, 400, 0), probeOk(), progress(0, NOW)));

        assertThat(v.healthy()).isTrue();
        assertThat(v.warnings()).singleElement().asString().startsWith("400 calls or records throttled over PT5M");
    }

    @Test
    void iteratorAgeAboveTheThresholdWarnsAndNeverFailsOver() {
        Verdict v = policy.evaluate(
                evidence(cloudWatch(1000, 0, 0, 60_001), probeOk(), progress(0, NOW)),
                PairState.ACTIVE_PRIMARY,
                false,
                new PolicyMemory(5, List.of()));

        assertThat(v.healthy()).isTrue();
        assertThat(v.decision()).isEqualTo(Decision.NONE);
        assertThat(v.warnings()).singleElement().asString().contains("iterator age 60001 ms > 60000 ms");
    }

    @Test
    void cloudWatchWithoutAnswerOrWithoutCallsIsNotEvidenceAgainstThePrimary() {
        Verdict idle = evaluate(evidence(cloudWatch(0, 0, 0, null), probeOk(), progress(0, NOW)));
        Verdict noCloudWatch = evaluate(new Evidence(
                null, "SdkClientException: Unable to execute HTTP request", List.of(probeOk()), progress(0, NOW)));
        Verdict noProbe = evaluate(new Evidence(healthy().cloudWatch(), null, List.of(), progress(0, NOW)));

        assertThat(idle.healthy()).isTrue();
        assertThat(idle.inputs()).containsEntry("errorRatePercent", "no calls");
        assertThat(noCloudWatch.healthy()).as("the probes decide").isTrue();
        assertThat(noCloudWatch.warnings())
                .singleElement()
                .asString()
                .startsWith("CloudWatch: no data (SdkClientException");
        assertThat(noProbe.healthy()).as("no probe at all still counts").isFalse();
        assertThat(noProbe.reasons()).singleElement().asString().contains("no probe result");
    }

    @Test
    void aFailedProbeIsUnhealthyWithItsError() {
        ProbeResult failed = new ProbeResult(
                NOW, "us-west-2", false, Duration.ofMillis(2003), null, "ApiCallTimeoutException: timed out");
        Verdict v = evaluate(evidence(cloudWatch(1000, 0, 0, 0), failed, progress(0, NOW)));

        assertThat(v.reasons())
                .singleElement()
                .asString()
                .isEqualTo("probe of us-west-2 failed after 2003 ms: ApiCallTimeoutException: timed out");
    }

    @Test
    void replicatorLagOrSilenceWarnsButNeverTriggersFailover() {
        Verdict lagging = evaluate(evidence(cloudWatch(1000, 0, 0, 0), probeOk(), progress(45_000, NOW)));
        Verdict silent = evaluate(evidence(cloudWatch(1000, 0, 0, 0), probeOk(), progress(0, NOW.minusSeconds(120))));
        Verdict none = evaluate(new Evidence(healthy().cloudWatch(), null, List.of(probeOk()), List.of()));

        assertThat(List.of(lagging, silent, none))
                .allMatch(Verdict::healthy)
                .allMatch(v -> v.decision() == Decision.NONE);
        assertThat(lagging.warnings()).singleElement().asString().contains("replication lag 45000 ms > 30000 ms");
        assertThat(silent.warnings()).singleElement().asString().contains("last updated 120000 ms ago");
        assertThat(none.warnings()).containsExactly("no replication progress recorded");
    }

    @Test
    void theSameObservationJudgedAgainCountsOnce() {
        PolicyMemory memory = PolicyMemory.EMPTY;
        for (int i = 0; i < 5; i++) {
            memory = policy.evaluate(unhealthy(0), PairState.ACTIVE_PRIMARY, false, memory)
                    .memory();
        }
        Verdict badMinute = null;
        PolicyMemory minutes = PolicyMemory.EMPTY;
        for (int i = 0; i < 5; i++) {
            // a bad error rate, the probes fine: five invocations see the same CloudWatch window
            badMinute = policy.evaluate(
                    evidence(cloudWatch(1000, 50, 0, 0), probeOk(i), progress(0, NOW)),
                    PairState.ACTIVE_PRIMARY,
                    false,
                    minutes);
            minutes = badMinute.memory();
        }

        assertThat(memory.consecutiveBad()).isEqualTo(1);
        assertThat(minutes.consecutiveBad()).isEqualTo(1);
        assertThat(badMinute.holdReason()).isEqualTo("1 of 3 consecutive bad evaluations");
    }

    @Test
    void failedProbesCloserThanHalfAProbeIntervalAreOneObservation() {
        Verdict first = policy.evaluate(failedProbeAt(NOW), PairState.ACTIVE_PRIMARY, false, PolicyMemory.EMPTY);
        Verdict tooClose =
                policy.evaluate(failedProbeAt(NOW.plusMillis(2_499)), PairState.ACTIVE_PRIMARY, false, first.memory());
        Verdict next = policy.evaluate(
                failedProbeAt(NOW.plusMillis(2_500)), PairState.ACTIVE_PRIMARY, false, tooClose.memory());

        assertThat(List.of(first, tooClose, next))
                .extracting(v -> v.memory().consecutiveBad())
                .containsExactly(1, 1, 2);
    }

    @Test
    void theCountBelongsToAnEpochAndStartsAgainAfterASwitch() {
        PolicyMemory beforeSwitch = new PolicyMemory(2, List.of(), 4, NOW.minusSeconds(5), null);

        Verdict sameEpoch = policy.evaluate(unhealthy(0), PairState.ACTIVE_PRIMARY, false, beforeSwitch, 4);
        Verdict afterSwitch = policy.evaluate(unhealthy(0), PairState.ACTIVE_PRIMARY, false, beforeSwitch, 6);

        assertThat(sameEpoch.decision()).isEqualTo(Decision.FAIL_OVER);
        assertThat(sameEpoch.memory().consecutiveBad())
                .as("the failover itself starts the count again")
                .isZero();
        assertThat(sameEpoch.memory().epoch()).isEqualTo(4);
        assertThat(afterSwitch.decision()).isEqualTo(Decision.HOLD);
        assertThat(afterSwitch.memory().consecutiveBad()).isEqualTo(1);
        assertThat(afterSwitch.memory().epoch()).isEqualTo(6);
    }

    @Test
    void failsOverOnlyAfterNConsecutiveBadEvaluations() {
        PolicyMemory memory = PolicyMemory.EMPTY;
        List<Decision> decisions = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Verdict v = policy.evaluate(unhealthy(i), PairState.ACTIVE_PRIMARY, false, memory);
            decisions.add(v.decision());
            memory = v.memory();
        }

        assertThat(decisions).containsExactly(Decision.HOLD, Decision.HOLD, Decision.FAIL_OVER);
        assertThat(memory.consecutiveBad()).as("reset by the failover").isZero();
        assertThat(memory.automaticFailovers()).containsExactly(NOW);
    }

    @Test
    void oneGoodEvaluationBetweenBadOnesStartsTheCountAgain() {
        Verdict bad1 = policy.evaluate(unhealthy(0), PairState.ACTIVE_PRIMARY, false, PolicyMemory.EMPTY);
        Verdict bad2 = policy.evaluate(unhealthy(1), PairState.ACTIVE_PRIMARY, false, bad1.memory());
        Verdict good = policy.evaluate(healthy(), PairState.ACTIVE_PRIMARY, false, bad2.memory());
        Verdict bad3 = policy.evaluate(unhealthy(3), PairState.ACTIVE_PRIMARY, false, good.memory());

        assertThat(bad3.decision()).isEqualTo(Decision.HOLD);
        assertThat(bad3.holdReason()).isEqualTo("1 of 3 consecutive bad evaluations");
    }

    @ParameterizedTest
    @EnumSource(value = PairState.class, names = "ACTIVE_PRIMARY", mode = EnumSource.Mode.EXCLUDE)
    void holdsOutsideActivePrimary(PairState state) {
        Verdict v = policy.evaluate(unhealthy(0), state, false, new PolicyMemory(5, List.of()));

        assertThat(v.decision()).isEqualTo(Decision.HOLD);
        assertThat(v.holdReason()).contains("the pair is " + state);
    }

    @Test
    void theKillSwitchHoldsButTheEvaluationIsStillCountedAndRecorded() {
        Verdict v = policy.evaluate(unhealthy(0), PairState.ACTIVE_PRIMARY, true, new PolicyMemory(5, List.of()));

        assertThat(v.decision()).isEqualTo(Decision.HOLD);
        assertThat(v.holdReason()).isEqualTo("automation is paused (kill switch)");
        assertThat(v.memory().consecutiveBad()).isEqualTo(6);
        assertThat(v.inputs()).containsEntry("automationPaused", "true");
    }

    @Test
    void zeroAllowedFailoversDisablesAutomation() {
        PolicySettings off = new PolicySettings(
                1.0, Duration.ofMinutes(1), Duration.ofSeconds(30), 1, Duration.ZERO, 0, Duration.ofHours(24));
        Verdict v = policy(off, NOW).evaluate(unhealthy(0), PairState.ACTIVE_PRIMARY, false, PolicyMemory.EMPTY);

        assertThat(v.holdReason()).contains("disabled");
    }

    @Test
    void dwellTimeIsMeasuredFromTheLastAutomaticFailover() {
        PolicySettings twoPerDay = new PolicySettings(
                1.0, Duration.ofMinutes(1), Duration.ofSeconds(30), 1, Duration.ofMinutes(30), 2, Duration.ofHours(24));
        PolicyMemory recent = new PolicyMemory(0, List.of(NOW.minus(Duration.ofMinutes(29))));

        Verdict tooSoon = policy(twoPerDay, NOW).evaluate(unhealthy(0), PairState.ACTIVE_PRIMARY, false, recent);
        Verdict afterDwell = policy(twoPerDay, NOW.plus(Duration.ofMinutes(1)))
                .evaluate(unhealthy(0), PairState.ACTIVE_PRIMARY, false, recent);

        assertThat(tooSoon.decision()).isEqualTo(Decision.HOLD);
        assertThat(tooSoon.holdReason()).startsWith("dwell time");
        assertThat(afterDwell.decision()).isEqualTo(Decision.FAIL_OVER);
        assertThat(afterDwell.memory().automaticFailovers()).hasSize(2);
    }

    @Test
    void atMostMaxAutomaticFailoversPerWindowAndOldOnesExpire() {
        PolicyMemory oneToday = new PolicyMemory(0, List.of(NOW.minus(Duration.ofHours(23))));
        PolicyMemory oneYesterday = new PolicyMemory(0, List.of(NOW.minus(Duration.ofHours(25))));
        PolicySettings quick = new PolicySettings(
                1.0, Duration.ofMinutes(1), Duration.ofSeconds(30), 1, Duration.ZERO, 1, Duration.ofHours(24));

        Verdict budgetSpent = policy(quick, NOW).evaluate(unhealthy(0), PairState.ACTIVE_PRIMARY, false, oneToday);
        Verdict budgetBack = policy(quick, NOW).evaluate(unhealthy(0), PairState.ACTIVE_PRIMARY, false, oneYesterday);

        assertThat(budgetSpent.decision()).isEqualTo(Decision.HOLD);
        assertThat(budgetSpent.holdReason()).isEqualTo("1 automatic failover(s) within PT24H already (max 1)");
        assertThat(budgetBack.decision()).isEqualTo(Decision.FAIL_OVER);
        assertThat(budgetBack.memory().automaticFailovers())
                .as("expired entries are dropped")
                .containsExactly(NOW);
    }

    @Test
    void memoryRoundTripsThroughJson() {
        PolicyMemory m =
                new PolicyMemory(4, List.of(NOW, NOW.plusSeconds(1)), 7, NOW.minusSeconds(5), NOW.minusSeconds(60));
        assertThat(PolicyMemory.fromJson(m.toJson())).isEqualTo(m);
        assertThat(PolicyMemory.fromJson(new PolicyMemory(1, List.of()).toJson()))
                .isEqualTo(new PolicyMemory(1, List.of()));
        assertThat(PolicyMemory.fromJson("{\"consecutiveBad\":2}"))
                .as("as stored before epochs were")
                .isEqualTo(new PolicyMemory(2, List.of()));
        assertThat(PolicyMemory.fromJson(null)).isEqualTo(PolicyMemory.EMPTY);
    }

    private Verdict evaluate(Evidence e) {
        return policy.evaluate(e, PairState.ACTIVE_PRIMARY, false, PolicyMemory.EMPTY);
    }

    private static HealthPolicy policy(PolicySettings settings, Instant now) {
        return new HealthPolicy(settings, Clock.fixed(now, ZoneOffset.UTC));
    }

    private static Evidence healthy() {
        return evidence(cloudWatch(10_000, 10, 0, 100), probeOk(), progress(200, NOW));
    }

    /** A failed probe {@code round} probe intervals (5 s) after NOW, CloudWatch fine: a new observation per round. */
    private static Evidence unhealthy(int round) {
        return failedProbeAt(NOW.plusSeconds(5L * round));
    }

    private static Evidence failedProbeAt(Instant at) {
        return evidence(
                cloudWatch(10_000, 10, 0, 100),
                new ProbeResult(
                        at, "us-west-2", false, Duration.ofMillis(2000), null, "ApiCallTimeoutException: timed out"),
                progress(200, NOW));
    }

    private static Evidence evidence(StreamSignals cloudWatch, ProbeResult probe, List<ShardProgress> progress) {
        return new Evidence(cloudWatch, null, List.of(probe), progress);
    }

    /** Five minutes with {@code total} calls and records, {@code failed} and {@code throttled} of them; readers' age. */
    private static StreamSignals cloudWatch(double total, double failed, double throttled, Integer ageMillis) {
        Instant from = NOW.minusSeconds(360);
        List<PeriodValue> rates = new ArrayList<>();
        List<PeriodValue> ages = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            Instant t = from.plusSeconds(60L * i);
            rates.add(total > 0 ? new PeriodValue(t, 100 * failed / total) : PeriodValue.missing(t));
            ages.add(ageMillis == null ? PeriodValue.missing(t) : new PeriodValue(t, ageMillis.doubleValue()));
        }
        return new StreamSignals(
                "orders",
                from,
                from.plusSeconds(300),
                new StreamSignals.Counts(total, failed, throttled),
                new Series("errorRatePercent", rates, "Complete"),
                new Series("iteratorAgeMillis", ages, "Complete"));
    }

    private static ProbeResult probeOk() {
        return probeOk(0);
    }

    private static ProbeResult probeOk(int round) {
        return new ProbeResult(NOW.plusSeconds(5L * round), "us-west-2", true, Duration.ofMillis(12), "ACTIVE", null);
    }

    private static List<ShardProgress> progress(long behind, Instant updated) {
        return List.of(new ShardProgress(
                "orders",
                new ReplicationDirection("us-west-2", "us-east-2"),
                1,
                "shardId-000000000000",
                "49590338271490256608559692538361571095921575989136588898",
                0,
                behind,
                null,
                null,
                10,
                7,
                false,
                updated.toEpochMilli()));
    }
}
