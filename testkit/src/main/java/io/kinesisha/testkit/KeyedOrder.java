package io.kinesisha.testkit;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The one per-key order rule of the project's checks, fed payloads in the order a reader met them: the first
 * occurrence of each record must have a counter above every counter already met for its key; a record met again is
 * a duplicate (re-deliveries after a restore), counted apart and never an order violation. Per key it keeps a bit a
 * counter, so a consumer that runs for hours can use it too, and gaps (counters below the highest never met) follow.
 * Not thread-safe.
 */
public final class KeyedOrder {
    /** What one payload was. */
    public enum Verdict {
        IN_ORDER,
        LATE,
        DUPLICATE,
        NOT_KEYED
    }

    private static final class Key {
        final BitSet seen = new BitSet();
        int highest;
    }

    private final Map<String, Key> keys = new HashMap<>();
    /** Keyed identities met more than once, to how often. */
    private final Map<String, Integer> repeats = new HashMap<>();
    /** Payloads that are not keyed, to how often. */
    private final Map<String, Integer> notKeyed = new HashMap<>();

    private long records;
    private long distinct;
    private long duplicates;
    private long late;

    /** Judges the next payload read. */
    public Verdict accept(String payload) {
        Optional<KeyedPayload> parsed = KeyedPayload.parse(payload).filter(KeyedOrder::fits);
        if (parsed.isEmpty()) {
            records++;
            if (notKeyed.merge(payload, 1, Integer::sum) > 1) {
                duplicates++;
                return Verdict.DUPLICATE;
            }
            return Verdict.NOT_KEYED;
        }
        return accept(parsed.get());
    }

    /** Judges the next record read, already parsed ({@link #fits} must hold: counters are bits here). */
    public Verdict accept(KeyedPayload payload) {
        if (!fits(payload)) {
            throw new IllegalArgumentException("counter too large for the order check: " + payload.id());
        }
        records++;
        Key key = keys.computeIfAbsent(payload.key(), k -> new Key());
        int counter = (int) payload.counter();
        if (key.seen.get(counter)) {
            duplicates++;
            repeats.merge(payload.id(), 2, (was, one) -> was + 1);
            return Verdict.DUPLICATE;
        }
        key.seen.set(counter);
        distinct++;
        if (counter < key.highest) {
            late++;
            return Verdict.LATE;
        }
        key.highest = counter;
        return Verdict.IN_ORDER;
    }

    /** Whether the payload's counter can be checked (below {@link Integer#MAX_VALUE}); others count as not keyed. */
    public static boolean fits(KeyedPayload payload) {
        return payload.counter() < Integer.MAX_VALUE;
    }

    public long records() {
        return records;
    }

    /** Keyed records met for the first time. */
    public long distinct() {
        return distinct;
    }

    public long duplicates() {
        return duplicates;
    }

    /** First occurrences below their key's highest counter: per-key order violations. */
    public long late() {
        return late;
    }

    /** The highest counter met for {@code key} (0 when none). */
    public long highest(String key) {
        Key k = keys.get(key);
        return k == null ? 0 : k.highest;
    }

    /** Number of keys met. */
    public int keys() {
        return keys.size();
    }

    /** How often the identity ({@code <key>:<counter>}, or the payload when not keyed) was met. */
    public int occurrences(String id) {
        Optional<KeyedPayload> parsed = KeyedPayload.parse(id).filter(KeyedOrder::fits);
        if (parsed.isEmpty()) {
            return notKeyed.getOrDefault(id, 0);
        }
        Integer repeated = repeats.get(parsed.get().id());
        if (repeated != null) {
            return repeated;
        }
        Key key = keys.get(parsed.get().key());
        return key != null && key.seen.get((int) parsed.get().counter()) ? 1 : 0;
    }

    /** Whether the record {@code <key>:<counter>} was met. */
    public boolean seen(String id) {
        return occurrences(id) > 0;
    }

    /** Identities met more than once (keyed or not), to how often. */
    public Map<String, Integer> repeated() {
        Map<String, Integer> out = new HashMap<>(repeats);
        notKeyed.forEach((payload, n) -> {
            if (n > 1) {
                out.put(payload, n);
            }
        });
        return out;
    }

    /** Per key, the counters between 1 and the highest met that were never met (final once reading is complete). */
    public long gaps() {
        long gaps = 0;
        for (Key key : keys.values()) {
            gaps += key.highest - key.seen.cardinality();
        }
        return gaps;
    }

    /** Up to {@code limit} missing identities, keys in name order, counters rising. */
    public List<String> gapExamples(int limit) {
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, Key> e : new TreeMap<>(keys).entrySet()) {
            Key key = e.getValue();
            for (int c = key.seen.nextClearBit(1);
                    c < key.highest && out.size() < limit;
                    c = key.seen.nextClearBit(c + 1)) {
                out.add(KeyedPayload.id(e.getKey(), c));
            }
        }
        return out;
    }
}
