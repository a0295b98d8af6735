package io.kinesisha.replicator.source;

import java.io.Serializable;
import java.util.Optional;
import java.util.Set;

/**
 * Tells the source which of the records it fetched a job must pass over, when the answer depends on something
 * outside the stream that may change while the job runs (records written into the stream by another party, who
 * names them only after they landed). The reader asks after every fetch that returned records and holds those
 * records, without emitting or checkpointing them, until the screen can answer for them; held records are read
 * again after a restore, so nothing is lost and no state format changes. A screen is copied to each split reader
 * and opened on its fetcher thread; it logs why it holds.
 */
public interface RecordScreen extends Serializable, AutoCloseable {
    /** Starts whatever the answers need (clients). Called once, on the fetcher thread, before the first question. */
    default void open() throws Exception {}

    /**
     * The positions ({@code <shard id>@<sequence number>}) to pass over among every record fetched before this call,
     * or empty while that cannot be known yet (the reader holds the records and asks again shortly). May do I/O.
     */
    Optional<Set<String>> passOver();

    @Override
    default void close() throws Exception {}
}
