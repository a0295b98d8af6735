package io.kinesisha.common.config;

import static io.kinesisha.common.config.ConfigKey.HEALTH_AUTOMATIC_FAILOVER_WINDOW_HOURS;
import static io.kinesisha.common.config.ConfigKey.HEALTH_CONSECUTIVE_BAD_EVALUATIONS;
import static io.kinesisha.common.config.ConfigKey.HEALTH_ERROR_RATE_THRESHOLD_PERCENT;
import static io.kinesisha.common.config.ConfigKey.HEALTH_ERROR_RATE_WINDOW_MINUTES;
import static io.kinesisha.common.config.ConfigKey.HEALTH_ITERATOR_AGE_THRESHOLD_MS;
import static io.kinesisha.common.config.ConfigKey.HEALTH_MAX_AUTOMATIC_FAILOVERS;
import static io.kinesisha.common.config.ConfigKey.HEALTH_MIN_DWELL_MINUTES;
import static io.kinesisha.common.config.ConfigKey.HEALTH_PROBE_INTERVAL_MS;
import static io.kinesisha.common.config.ConfigKey.HEALTH_PROBE_TIMEOUT_MS;
import static io.kinesisha.common.config.ConfigKey.HEALTH_REPLICATION_LAG_THRESHOLD_MS;

import java.time.Duration;

/**
 * When the failover controller considers a region unhealthy and how often it may act on it: the thresholds detect
 * trouble, the dwell time and failover budget keep a flapping signal from bouncing traffic between regions.
 */
public final class HealthThresholds {
    private final double errorRateThresholdPercent;
    private final Duration errorRateWindow;
    private final Duration iteratorAgeThreshold;
    private final Duration replicationLagThreshold;
    private final Duration probeInterval;
    private final Duration probeTimeout;
    private final int consecutiveBadEvaluations;
    private final Duration minDwell;
    private final int maxAutomaticFailovers;
    private final Duration automaticFailoverWindow;

    HealthThresholds(Values values) {
        this.errorRateThresholdPercent = values.decimal(HEALTH_ERROR_RATE_THRESHOLD_PERCENT);
        this.errorRateWindow = values.minutes(HEALTH_ERROR_RATE_WINDOW_MINUTES);
        this.iteratorAgeThreshold = values.millis(HEALTH_ITERATOR_AGE_THRESHOLD_MS);
        this.replicationLagThreshold = values.millis(HEALTH_REPLICATION_LAG_THRESHOLD_MS);
        this.probeInterval = values.millis(HEALTH_PROBE_INTERVAL_MS);
        this.probeTimeout = values.millis(HEALTH_PROBE_TIMEOUT_MS);
        this.consecutiveBadEvaluations = values.integer(HEALTH_CONSECUTIVE_BAD_EVALUATIONS);
        this.minDwell = values.minutes(HEALTH_MIN_DWELL_MINUTES);
        this.maxAutomaticFailovers = values.integer(HEALTH_MAX_AUTOMATIC_FAILOVERS);
        this.automaticFailoverWindow = values.hours(HEALTH_AUTOMATIC_FAILOVER_WINDOW_HOURS);
    }

    /** A percentage in (0, 100], not a fraction. */
    public double errorRateThresholdPercent() {
        return errorRateThresholdPercent;
    }

    public Duration errorRateWindow() {
        return errorRateWindow;
    }

    public Duration iteratorAgeThreshold() {
        return iteratorAgeThreshold;
    }

    public Duration replicationLagThreshold() {
        return replicationLagThreshold;
    }

    public Duration probeInterval() {
        return probeInterval;
    }

    /** Always shorter than {@link #probeInterval()}. */
    public Duration probeTimeout() {
        return probeTimeout;
    }

    public int consecutiveBadEvaluations() {
        return consecutiveBadEvaluations;
    }

    public Duration minDwell() {
        return minDwell;
    }

    /** Zero means automatic failover is disabled. */
    public int maxAutomaticFailovers() {
        return maxAutomaticFailovers;
    }

    public Duration automaticFailoverWindow() {
        return automaticFailoverWindow;
    }
}
