package io.kinesisha.common.config;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/** Typed reads of already validated, canonical values, for the config views. */
final class Values {
    private final Map<ConfigKey, String> values;

    Values(Map<ConfigKey, String> values) {
        this.values = values;
    }

    String string(ConfigKey key) {
        String value = values.get(key);
        if (value == null) {
            throw new IllegalStateException(key.key() + " has no value after validation");
        }
        return value;
    }

    Optional<String> optional(ConfigKey key) {
        return Optional.ofNullable(values.get(key));
    }

    Optional<URI> uri(ConfigKey key) {
        return optional(key).map(URI::create);
    }

    int integer(ConfigKey key) {
        return Integer.parseInt(string(key));
    }

    double decimal(ConfigKey key) {
        return Double.parseDouble(string(key));
    }

    Duration millis(ConfigKey key) {
        return Duration.ofMillis(Long.parseLong(string(key)));
    }

    Duration minutes(ConfigKey key) {
        return Duration.ofMinutes(integer(key));
    }

    Duration hours(ConfigKey key) {
        return Duration.ofHours(integer(key));
    }

    StreamArn streamArn(ConfigKey key) {
        return StreamArn.parse(string(key));
    }

    <E extends Enum<E> & ConfigEnum> E enumValue(ConfigKey key, Class<E> type) {
        E value = ConfigEnum.lookup(type, string(key));
        if (value == null) {
            throw new IllegalStateException(key.key() + " has no " + type.getSimpleName() + " " + string(key));
        }
        return value;
    }
}
