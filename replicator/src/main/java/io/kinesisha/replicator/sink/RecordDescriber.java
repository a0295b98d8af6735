package io.kinesisha.replicator.sink;

import java.io.Serializable;

/**
 * Says where an element comes from (for the replicator: source stream, shard, sequence number and that stream's
 * record limit), so an error about one record lets the operator find it.
 *
 * @param <T> the element type
 */
@FunctionalInterface
public interface RecordDescriber<T> extends Serializable {
    String describe(T element);
}
