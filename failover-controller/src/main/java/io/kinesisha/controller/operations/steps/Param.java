package io.kinesisha.controller.operations.steps;

import io.kinesisha.common.control.ReplicationDirection;
import io.kinesisha.controller.statemachine.Operation;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.function.Function;

/**
 * One operation parameter: its key in the persisted operation (unchanged, so an operation recorded by an older
 * controller resumes) and how its value reads and writes, so a step cannot misspell a key or misparse a value.
 */
public final class Param<T> {
    private final String key;
    private final Function<String, T> parse;
    private final Function<T, String> format;

    private Param(String key, Function<String, T> parse, Function<T, String> format) {
        this.key = key;
        this.parse = parse;
        this.format = format;
    }

    static Param<String> text(String key) {
        return new Param<>(key, Function.identity(), Function.identity());
    }

    static Param<Long> number(String key) {
        return new Param<>(key, Long::parseLong, String::valueOf);
    }

    /** A duration stored as milliseconds (keys ending in {@code Millis}). */
    static Param<Duration> millis(String key) {
        return new Param<>(key, v -> Duration.ofMillis(Long.parseLong(v)), d -> Long.toString(d.toMillis()));
    }

    static Param<Instant> instant(String key) {
        return new Param<>(key, Instant::parse, Instant::toString);
    }

    /** A direction; stored empty when there is none. */
    static Param<ReplicationDirection> direction(String key) {
        return new Param<>(
                key, v -> v.isEmpty() ? null : ReplicationDirection.parse(v), d -> d == null ? "" : d.toString());
    }

    public String key() {
        return key;
    }

    /** The value in {@code op}, or null when it is not set. */
    public T in(Operation op) {
        String v = op.parameter(key);
        return v == null ? null : parse.apply(v);
    }

    public T in(Operation op, T otherwise) {
        T v = in(op);
        return v == null ? otherwise : v;
    }

    public String format(T value) {
        return format.apply(value);
    }

    /** Puts {@code value} into {@code parameters} under this key. */
    public void put(Map<String, String> parameters, T value) {
        parameters.put(key, format(value));
    }

    /** Per-function parameters: {@code prefix + function}. */
    public static final class Family {
        private final String prefix;

        Family(String prefix) {
            this.prefix = prefix;
        }

        public String prefix() {
            return prefix;
        }

        public Param<String> of(String function) {
            return text(prefix + function);
        }

        /** The function a key of this family names, or null when {@code key} is not of this family. */
        public String function(String key) {
            return key.startsWith(prefix) ? key.substring(prefix.length()) : null;
        }
    }
}
