package io.kinesisha.replicator.sink;

import java.io.Serializable;
import java.util.List;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/**
 * Turns a stream element into Kinesis entries, or into nothing: elements such as heartbeats travel through the
 * sink (so a {@link SinkWriteListener} sees them in order with the data) but are never written. An element may
 * also become several entries (a KPL aggregate written as its user records): the listener then hears of it once,
 * when the last of them is acknowledged.
 *
 * @param <T> the element type
 */
@FunctionalInterface
public interface KinesisSinkElementConverter<T> extends Serializable {
    /**
     * The entry to write for {@code element}, or {@code null} if the element must not be written. Called on the
     * task thread; must not block.
     */
    SinkEntry convert(T element);

    /**
     * The entries to write for {@code element}, in order (each keeps its place in its partition key's order), or
     * none. What the writer calls; by default the one entry of {@link #convert}.
     */
    default List<SinkEntry> convertAll(T element) {
        SinkEntry entry = convert(element);
        return entry == null ? List.of() : List.of(entry);
    }

    /**
     * As {@link #convertAll(Object)}, adding the entries to {@code into} (the writer reuses one list, instead of a
     * new one per record; a converter on the hot path overrides both).
     */
    default void convertAll(T element, List<SinkEntry> into) {
        into.addAll(convertAll(element));
    }

    /** Called once when a writer starts, before any conversion (e.g. to register metrics). */
    default void open(WriterInitContext context) {}
}
