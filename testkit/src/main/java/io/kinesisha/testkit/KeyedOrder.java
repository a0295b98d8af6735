package io.kinesisha.testkit;

import java.util.HashMap;
import java.util.Map;

/**
 * The one per-key order rule of the project's checks, fed payloads in the order a reader met them: the first
 * occurrence of each record must have a counter above every counter already met for its key; a record met again is
 * a duplicate (re-deliveries after a restore), counted apart and never an order violation.
 */
public final class KeyedOrder {
    /** What one payload was. */
    public enum Verdict { IN_ORDER, LATE, DUPLICATE, NOT_KEYED }

    private final Map<String, Integer> occurrences = new HashMap<>();
    private final Map<String, Long> highest = new HashMap<>();
    private long records;
    private long duplicates;
    private long late;

    /** Judges the next payload read. */
    public Verdict accept(String payload) {
        records++;
        java.util.Optional<KeyedPayload> parsed = KeyedPayload.parse(payload);
        String id = parsed.map(KeyedPayload::id).orElse(payload);
        if (occurrences.merge(id, 1, Integer::sum) > 1) {
            duplicates++;
            return Verdict.DUPLICATE;
        }
        if (parsed.isEmpty()) {
            return Verdict.NOT_KEYED;
        }
        Long max = highest.get(parsed.get().key());
        if (max != null && parsed.get().counter() < max) {
            late++;
            return Verdict.LATE;
        }
        highest.put(parsed.get().key(), parsed.get().counter());
        return Verdict.IN_ORDER;
    }

    public long records() {
        return records;
    }

    public long duplicates() {
        return duplicates;
    }

    /** First occurrences below their key's highest counter: per-key order violations. */
    public long late() {
        return late;
    }

    /** Identity ({@code <key>:<counter>}, or the payload when not keyed) to how often it was met. */
    public Map<String, Integer> occurrences() {
        return occurrences;
    }
}
