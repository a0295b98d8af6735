package io.kinesisha.replicator.sink;

import java.io.Serializable;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/**
 * Lets a job learn what the sink has made durable, without owning the writer: the replicator publishes per-shard
 * progress from these callbacks. Every callback runs on the task thread, in order: an element is accepted before
 * it is written, and {@link #onFlushed()} follows the acknowledgement of everything accepted before it (which is
 * what a checkpoint barrier waits for). A listener is copied to each parallel writer.
 *
 * @param <T> the element type
 */
public interface SinkWriteListener<T> extends Serializable {
    /** Called once when the writer starts, before any other callback. */
    default void open(WriterInitContext context) throws Exception {}

    /** Every element handed to the sink, including those that become no entry; in input order. */
    default void onAccepted(T element) throws Exception {}

    /**
     * An element's entry is durably in the target stream. Per partition key in input order; across keys in no
     * particular order. An element the converter turned into several entries is reported once, when the last of
     * them is acknowledged, with that entry's shard and sequence number.
     */
    default void onWritten(T element, String targetShardId, String targetSequenceNumber) throws Exception {}

    /** Everything accepted so far is written (a checkpoint flush or the end of input). */
    default void onFlushed() throws Exception {}

    default void close() throws Exception {}
}
