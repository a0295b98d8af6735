package io.kinesisha.common.config;

/** How failing back to the primary treats what only the secondary received while it was active. */
public final class FailbackSettings {
    private final OrphanPolicy orphanPolicy;

    FailbackSettings(Values values) {
        this.orphanPolicy = values.enumValue(ConfigKey.FAILBACK_ORPHAN_POLICY, OrphanPolicy.class);
    }

    public OrphanPolicy orphanPolicy() {
        return orphanPolicy;
    }
}
