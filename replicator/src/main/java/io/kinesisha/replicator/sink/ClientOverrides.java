package io.kinesisha.replicator.sink;

import java.io.Serializable;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;

/**
 * Additions to the SDK client configuration the sink builds on each task manager (execution interceptors for
 * metrics, tracing or fault injection). Serializable because it travels with the sink; applied on top of the
 * shared timeouts and retry strategy.
 */
@FunctionalInterface
public interface ClientOverrides extends Serializable {
    void apply(ClientOverrideConfiguration.Builder builder);
}
