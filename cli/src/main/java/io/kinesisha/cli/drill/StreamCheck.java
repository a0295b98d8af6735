package io.kinesisha.cli.drill;

import java.util.ArrayList;
import java.util.HashMap;
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
    final Map<String, Integer> occurrences = new HashMap<>();
    final List<String> lateIds = new ArrayList<>();
    long records;
    long duplicates;

    static StreamCheck of(List<StreamDump.Entry> entries) {
        StreamCheck c = new StreamCheck();
        Map<String, Long> highest = new HashMap<>();
        for (StreamDump.Entry e : entries) {
            c.records++;
            String id = e.payload();
            int n = c.occurrences.merge(id, 1, Integer::sum);
            c.ids.add(id);
            if (n > 1) {
                c.duplicates++;
                continue;
            }
            int colon = id.lastIndexOf(':');
            if (colon < 0) {
                continue;
            }
            String key = id.substring(0, colon);
            long counter;
            try {
                counter = Long.parseLong(id.substring(colon + 1).split("\\|", 2)[0]);
            } catch (NumberFormatException notOurs) {
                continue;
            }
            Long max = highest.get(key);
            if (max != null && counter < max) {
                c.lateIds.add(id);
            } else {
                highest.put(key, counter);
            }
        }
        return c;
    }

    /** Ids of {@code ids} that occur more than once here. */
    long repeated(Set<String> among) {
        return occurrences.entrySet().stream().filter(e -> e.getValue() > 1 && among.contains(e.getKey())).count();
    }
}
