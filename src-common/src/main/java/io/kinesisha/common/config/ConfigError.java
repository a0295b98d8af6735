package io.kinesisha.common.config;

import java.util.Objects;

/** One problem with one setting, kept separate so every problem can be reported at once and tested by field. */
public final class ConfigError {
    private final String field;
    private final String message;

    public ConfigError(String field, String message) {
        this.field = Objects.requireNonNull(field, "field");
        this.message = Objects.requireNonNull(message, "message");
    }

    /** The dotted key, environment variable, file or property group the problem is about. */
    public String field() {
        return field;
    }

    public String message() {
        return message;
    }

    @Override
    public boolean equals(Object other) {
        if (this == other) {
            return true;
        }
        if (!(other instanceof ConfigError)) {
            return false;
        }
        ConfigError that = (ConfigError) other;
        return field.equals(that.field) && message.equals(that.message);
    }

    @Override
    public int hashCode() {
        return Objects.hash(field, message);
    }

    @Override
    public String toString() {
        return field + ": " + message;
    }
}
