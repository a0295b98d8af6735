package io.kinesisha.common.config;

/** Where a job without a checkpoint starts: TRIM_HORIZON copies the retained history, LATEST only new records. */
public enum StartingPosition implements ConfigEnum {
    TRIM_HORIZON,
    LATEST;

    @Override
    public String configValue() {
        return name();
    }
}
