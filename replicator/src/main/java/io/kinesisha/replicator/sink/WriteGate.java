package io.kinesisha.replicator.sink;

import java.io.Serializable;

/**
 * A permission the sink asks for before sending each batch, so a writer that has lost the right to write (a
 * newer epoch took over the direction it replicates in) stops instead of racing the new owner. The sink asks on
 * the task thread for every batch: {@link #permitsWrite()} must answer from memory, never do I/O. A gate is copied
 * to each parallel writer and opened there.
 */
public interface WriteGate extends Serializable, AutoCloseable {
    /** Starts whatever keeps the answer fresh (e.g. a background poller). */
    default void open() throws Exception {
    }

    /** True while writing is permitted. Cheap and non-blocking. */
    boolean permitsWrite();

    /** Why writing is or is not permitted, for logs and metrics. */
    default String reason() {
        return permitsWrite() ? "permitted" : "not permitted";
    }

    @Override
    default void close() throws Exception {
    }
}
