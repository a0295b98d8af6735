package io.kinesisha.controller.health;

import io.kinesisha.common.config.HealthThresholds;
import java.time.Duration;

/**
 * The numbers the {@link HealthPolicy} applies; normally taken from the pair's {@link HealthThresholds}.
 * {@code probeInterval} sets how far apart two failed probes must be to count as two observations (half of it, so
 * a loop's jitter does not lose one; concurrent invocations probing at the same moment count once).
 */
public record PolicySettings(
        double errorRateThresholdPercent,
        Duration iteratorAgeThreshold,
        Duration replicationLagThreshold,
        int consecutiveBadEvaluations,
        Duration minDwell,
        int maxAutomaticFailovers,
        Duration automaticFailoverWindow,
        Duration probeInterval) {
    /** With the default probe interval (5 s). */
    public PolicySettings(
            double errorRateThresholdPercent,
            Duration iteratorAgeThreshold,
            Duration replicationLagThreshold,
            int consecutiveBadEvaluations,
            Duration minDwell,
            int maxAutomaticFailovers,
            Duration automaticFailoverWindow) {
        this(
                errorRateThresholdPercent,
                iteratorAgeThreshold,
                replicationLagThreshold,
                consecutiveBadEvaluations,
                minDwell,
                maxAutomaticFailovers,
                automaticFailoverWindow,
                Duration.ofSeconds(5));
    }

    public static PolicySettings from(HealthThresholds h) {
        return new PolicySettings(
                h.errorRateThresholdPercent(),
                h.iteratorAgeThreshold(),
                h.replicationLagThreshold(),
                h.consecutiveBadEvaluations(),
                h.minDwell(),
                h.maxAutomaticFailovers(),
                h.automaticFailoverWindow(),
                h.probeInterval());
    }

    /** Failed probes closer together than this are one observation. */
    public Duration distinctProbeSpacing() {
        return probeInterval.dividedBy(2);
    }
}
