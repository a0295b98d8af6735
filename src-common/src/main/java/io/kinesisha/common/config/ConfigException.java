package io.kinesisha.common.config;

import java.util.List;
import java.util.stream.Collectors;

/**
 * Carries every problem found in a configuration, so an operator fixes them in one round instead of one per
 * deployment attempt. Unchecked: a bad configuration is fatal at startup and callers only print it.
 */
public final class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final List<ConfigError> errors;

    public ConfigException(List<ConfigError> errors) {
        super(format(errors));
        if (errors.isEmpty()) {
            throw new IllegalArgumentException("a ConfigException needs at least one error");
        }
        this.errors = List.copyOf(errors);
    }

    static ConfigException of(String field, String message) {
        return new ConfigException(List.of(new ConfigError(field, message)));
    }

    public List<ConfigError> errors() {
        return errors;
    }

    private static String format(List<ConfigError> errors) {
        return errors.stream().map(ConfigError::toString).collect(Collectors.joining("\n"));
    }
}
