package io.kinesisha.common.config;

/**
 * Switching back: the fence settle of the failover that precedes it, orphan policy, health dwell, catch-up bound,
 * and the runner lease every operation is run under.
 */
public final class FailbackSettings {
    private final OrphanPolicy orphanPolicy;
    private final java.time.Duration fenceSettle;
    private final java.time.Duration healthDwell;
    private final java.time.Duration catchUpTimeout;
    private final java.time.Duration runnerLease;

    FailbackSettings(Values values) {
        this.orphanPolicy = values.enumValue(ConfigKey.FAILBACK_ORPHAN_POLICY, OrphanPolicy.class);
        this.fenceSettle = values.millis(ConfigKey.FAILOVER_FENCE_SETTLE_MS);
        this.healthDwell = values.millis(ConfigKey.FAILBACK_HEALTH_DWELL_MS);
        this.catchUpTimeout = values.millis(ConfigKey.FAILBACK_CATCH_UP_TIMEOUT_MS);
        this.runnerLease = values.millis(ConfigKey.FAILOVER_RUNNER_LEASE_MS);
    }

    /** Wait after the failover fence before producers move (see {@link ConfigKey#FAILOVER_FENCE_SETTLE_MS}). */
    public java.time.Duration fenceSettle() {
        return fenceSettle;
    }

    public java.time.Duration healthDwell() {
        return healthDwell;
    }

    public java.time.Duration catchUpTimeout() {
        return catchUpTimeout;
    }

    /** How long an operation's runner holds it without renewing (see {@link ConfigKey#FAILOVER_RUNNER_LEASE_MS}). */
    public java.time.Duration runnerLease() {
        return runnerLease;
    }

    public OrphanPolicy orphanPolicy() {
        return orphanPolicy;
    }
}
