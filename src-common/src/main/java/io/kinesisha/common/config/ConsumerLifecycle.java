package io.kinesisha.common.config;

/**
 * Who owns the enhanced fan-out consumer: the job can register it itself, or an operator who must keep the
 * consumer outside the job's permissions registers it and hands over its ARN.
 */
public enum ConsumerLifecycle implements ConfigEnum {
    JOB_MANAGED,
    SELF_MANAGED;

    @Override
    public String configValue() {
        return name();
    }
}
