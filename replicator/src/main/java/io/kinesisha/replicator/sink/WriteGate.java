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
    default void open() throws Exception {}

    /** Opens the gate of writer {@code subtask} of {@code parallelism}; a gate that reports per writer needs them. */
    default void open(int subtask, int parallelism) throws Exception {
        open();
    }

    /** True while writing is permitted. Cheap and non-blocking. */
    boolean permitsWrite();

    /**
     * Asks for one request: true (and the request counts as in flight until {@link #endWrite()}) if writing is
     * permitted. A gate that tells others when its writer went silent counts requests here, before it answers, so
     * that it never reports silence while a request it permitted is about to be sent.
     */
    default boolean beginWrite() {
        return permitsWrite();
    }

    /** A request {@link #beginWrite()} permitted has ended (answered, failed or timed out). Any thread. */
    default void endWrite() {}

    /** Why writing is or is not permitted, for logs and metrics. */
    default String reason() {
        return permitsWrite() ? "permitted" : "not permitted";
    }

    @Override
    default void close() throws Exception {}
}
