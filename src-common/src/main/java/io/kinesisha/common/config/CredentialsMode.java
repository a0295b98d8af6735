package io.kinesisha.common.config;

/**
 * Where AWS credentials come from: the SDK default chain in real deployments (roles, never keys in config),
 * fixed keys only for local emulators and tests.
 */
public enum CredentialsMode implements ConfigEnum {
    DEFAULT("default"),
    STATIC("static");

    private final String configValue;

    CredentialsMode(String configValue) {
        this.configValue = configValue;
    }

    @Override
    public String configValue() {
        return configValue;
    }
}
