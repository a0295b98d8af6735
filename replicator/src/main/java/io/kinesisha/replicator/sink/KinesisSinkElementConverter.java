package io.kinesisha.replicator.sink;

import java.io.Serializable;

/**
 * Turns a stream element into a Kinesis entry, or into nothing: elements such as heartbeats travel through the
 * sink (so a {@link SinkWriteListener} sees them in order with the data) but are never written.
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
}
