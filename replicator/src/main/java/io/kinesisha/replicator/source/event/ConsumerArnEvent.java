package io.kinesisha.replicator.source.event;

import org.apache.flink.api.connector.source.SourceEvent;

/**
 * Enumerator to reader: the EFO consumer to subscribe with. Sent to every reader when it registers and whenever
 * the enumerator registers a new consumer (the old one was deregistered), so no reader subscribes with an ARN
 * from restored state that may no longer exist.
 */
public final class ConsumerArnEvent implements SourceEvent {
    private static final long serialVersionUID = 1L;

    private final String consumerArn;

    public ConsumerArnEvent(String consumerArn) {
        this.consumerArn = consumerArn;
    }

    public String consumerArn() {
        return consumerArn;
    }

    @Override
    public String toString() {
        return "ConsumerArnEvent{" + consumerArn + "}";
    }
}
