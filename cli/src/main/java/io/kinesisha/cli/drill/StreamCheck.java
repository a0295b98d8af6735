package io.kinesisha.cli.drill;

import io.kinesisha.testkit.KeyedOrder;
import io.kinesisha.testkit.StreamContents;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import software.amazon.awssdk.services.kinesis.model.Record;

/**
 * What one stream holds at the end of a game day, measured against the payloads {@code <key>:<counter>}: which
 * ids are there, duplicates, and per-key order violations (a counter below the highest already seen for its
 * key, duplicates aside), with the ids that came late so expected ones (republished orphans) can be told apart.
 */
final class StreamCheck {
    final Set<String> ids = new HashSet<>();
    final List<String> lateIds = new ArrayList<>();
    private final KeyedOrder order;
    final long records;
    final long duplicates;

    private StreamCheck(KeyedOrder order) {
        this.order = order;
        this.records = order.records();
        this.duplicates = order.duplicates();
    }

    /** The stream's records shard after shard, each in sequence order (a key's records in the order it was written). */
    static StreamCheck of(StreamContents contents) {
        KeyedOrder order = new KeyedOrder();
        List<String> late = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        for (Record r : contents.records()) {
            String payload = StreamContents.payload(r);
            ids.add(payload);
            if (order.accept(payload) == KeyedOrder.Verdict.LATE) {
                late.add(payload);
            }
        }
        StreamCheck c = new StreamCheck(order);
        c.ids.addAll(ids);
        c.lateIds.addAll(late);
        return c;
    }

    /** Ids of {@code ids} that occur more than once here. */
    long repeated(Set<String> among) {
        return order.repeated().keySet().stream().filter(among::contains).count();
    }

    /** How often {@code id} occurs here. */
    int occurrences(String id) {
        return order.occurrences(id);
    }
}
