package io.kinesisha.cli.drill;

import io.kinesisha.testkit.KeyedOrder;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What one stream holds at the end of a game day, measured against the payloads {@code <key>:<counter>}: which
 * ids are there, duplicates, and per-key order violations (a counter below the highest already seen for its
 * key, duplicates aside), with the ids that came late so expected ones (republished orphans) can be told apart.
 */
final class StreamCheck {
    final Set<String> ids = new HashSet<>();
    final List<String> lateIds = new ArrayList<>();
    final Map<String, Integer> occurrences;
    final long records;
    final long duplicates;

    private StreamCheck(KeyedOrder order) {
        this.occurrences = order.occurrences();
        this.records = order.records();
        this.duplicates = order.duplicates();
    }

    static StreamCheck of(List<StreamDump.Entry> entries) {
        KeyedOrder order = new KeyedOrder();
        List<String> late = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        for (StreamDump.Entry e : entries) {
            ids.add(e.payload());
            if (order.accept(e.payload()) == KeyedOrder.Verdict.LATE) {
                late.add(e.payload());
            }
        }
        StreamCheck c = new StreamCheck(order);
        c.ids.addAll(ids);
        c.lateIds.addAll(late);
        return c;
    }

    /** Ids of {@code ids} that occur more than once here. */
    long repeated(Set<String> among) {
        return occurrences.entrySet().stream().filter(e -> e.getValue() > 1 && among.contains(e.getKey())).count();
    }
}
