package io.kinesisha.replicator.source.reader.fanout;

import java.io.IOException;

/**
 * SubscribeToShard answered ResourceNotFoundException: either the EFO consumer was deregistered (the enumerator
 * registers a new one) or the shard aged out of retention. The split reader tells which.
 */
public final class ConsumerNotFoundException extends IOException {
    private static final long serialVersionUID = 1L;

    public ConsumerNotFoundException(String shardId, String consumerArn, Throwable cause) {
        super("SubscribeToShard " + shardId + " with " + consumerArn + ": resource not found", cause);
    }
}
