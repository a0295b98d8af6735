package io.kinesisha.controller.health;

import io.kinesisha.common.config.HealthThresholds;
import java.time.Duration;

/** The numbers the {@link HealthPolicy} applies; normally taken from the pair's {@link HealthThresholds}. */
public record PolicySettings(double errorRateThresholdPercent, Duration iteratorAgeThreshold,
                             Duration replicationLagThreshold, int consecutiveBadEvaluations, Duration minDwell,
                             int maxAutomaticFailovers, Duration automaticFailoverWindow) {
    public static PolicySettings from(HealthThresholds h) {
        return new PolicySettings(h.errorRateThresholdPercent(), h.iteratorAgeThreshold(), h.replicationLagThreshold(),
                h.consecutiveBadEvaluations(), h.minDwell(), h.maxAutomaticFailovers(), h.automaticFailoverWindow());
    }
}
