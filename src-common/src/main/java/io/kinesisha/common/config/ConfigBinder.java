package io.kinesisha.common.config;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The one place a flat key/value map becomes a {@link ReplicationPairConfig}: whatever the source, every value
 * passes the same checks, and every problem is collected before anything is thrown.
 */
final class ConfigBinder {
    private static final int MAX_SUGGESTION_DISTANCE = 3;
    private static final int MAX_SHOWN_VALUE = 200;

    private ConfigBinder() {}

    /**
     * Validates {@code raw} and builds the config.
     *
     * @param earlier problems the caller already found (for example in a file's structure), reported together
     * @throws ConfigException with every problem found
     */
    static ReplicationPairConfig bind(Map<String, String> raw, List<ConfigError> earlier) {
        List<ConfigError> errors = new ArrayList<>(earlier);
        Set<String> reported = earlier.stream().map(ConfigError::field).collect(Collectors.toSet());
        Map<ConfigKey, String> given = new EnumMap<>(ConfigKey.class);
        Map<String, String> sorted = new TreeMap<>();
        raw.forEach((name, value) -> sorted.put(Objects.toString(name), value == null ? "" : value));
        sorted.forEach((name, value) -> {
            Optional<ConfigKey> key = ConfigKey.fromKey(name);
            if (key.isPresent()) {
                given.put(key.get(), value.strip());
            } else {
                errors.add(unknown(name));
            }
        });

        EnumMap<ConfigKey, String> values = new EnumMap<>(ConfigKey.class);
        Set<ConfigKey> invalid = EnumSet.noneOf(ConfigKey.class);
        for (ConfigKey key : ConfigKey.values()) {
            String value = given.get(key);
            if (value == null || value.isEmpty()) {
                if (key.isRequired()) {
                    if (!reported.contains(key.key())) {
                        errors.add(new ConfigError(key.key(), value == null ? "is required" : "is required but empty"));
                    }
                    invalid.add(key);
                } else {
                    key.defaultValue().ifPresent(d -> values.put(key, d));
                }
                continue;
            }
            try {
                values.put(key, ValueParser.canonical(key, value));
            } catch (IllegalArgumentException e) {
                errors.add(new ConfigError(key.key(), e.getMessage() + got(key, value)));
                invalid.add(key);
            }
        }

        new CrossFieldRules(values, invalid, errors).apply();
        if (!errors.isEmpty()) {
            throw new ConfigException(errors);
        }
        return new ReplicationPairConfig(values);
    }

    /** ", got 'value'" for messages, or nothing when the value is secret. */
    static String got(ConfigKey key, String value) {
        if (key.isSecret()) {
            return "";
        }
        String shown = value.length() > MAX_SHOWN_VALUE ? value.substring(0, MAX_SHOWN_VALUE) + "..." : value;
        return ", got '" + shown + "'";
    }

    /** Unknown names are reported without their value: a misspelt secret key must not leak the secret. */
    private static ConfigError unknown(String name) {
        boolean env = name.startsWith(ConfigKey.ENV_PREFIX);
        String closest = null;
        int best = MAX_SUGGESTION_DISTANCE + 1;
        for (ConfigKey key : ConfigKey.values()) {
            String candidate = env ? key.envVar() : key.key();
            int distance = distance(name.toLowerCase(Locale.ROOT), candidate.toLowerCase(Locale.ROOT));
            if (distance < best) {
                best = distance;
                closest = candidate;
            }
        }
        String message = env ? "unknown environment variable" : "unknown key";
        return new ConfigError(name, closest == null ? message : message + "; did you mean " + closest + "?");
    }

    /** Levenshtein distance. */
    static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
