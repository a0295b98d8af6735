package io.kinesisha.testkit;

import java.util.Optional;

/**
 * The payload every load of the project writes: {@code <key>:<counter>[|padding]}, the counter per key starting at 1,
 * so completeness and per-key order can be checked from the data alone, whatever reads it.
 */
public final class KeyedPayload {
    private final String key;
    private final long counter;

    private KeyedPayload(String key, long counter) {
        this.key = key;
        this.counter = counter;
    }

    /** The identity of the {@code counter}th record of {@code key}. */
    public static String id(String key, long counter) {
        return key + ":" + counter;
    }

    /** The key and counter of a payload, or empty when it is not one of ours (no colon, no number, counter < 1). */
    public static Optional<KeyedPayload> parse(String payload) {
        int bar = payload.indexOf('|');
        String id = bar < 0 ? payload : payload.substring(0, bar);
        int colon = id.lastIndexOf(':');
        if (colon <= 0) {
            return Optional.empty();
        }
        try {
            long counter = Long.parseLong(id.substring(colon + 1));
            return counter < 1 ? Optional.empty() : Optional.of(new KeyedPayload(id.substring(0, colon), counter));
        } catch (NumberFormatException notOurs) {
            return Optional.empty();
        }
    }

    public String key() {
        return key;
    }

    public long counter() {
        return counter;
    }

    /** {@code <key>:<counter>}, without padding. */
    public String id() {
        return id(key, counter);
    }
}
