package io.kinesisha.common.config;

/**
 * What failback does with records written to the secondary that never reached the primary: republishing keeps
 * them, reporting only leaves the decision to an operator who may not want duplicates.
 */
public enum OrphanPolicy implements ConfigEnum {
    REPUBLISH("republish"),
    REPORT_ONLY("report-only");

    private final String configValue;

    OrphanPolicy(String configValue) {
        this.configValue = configValue;
    }

    @Override
    public String configValue() {
        return configValue;
    }
}
