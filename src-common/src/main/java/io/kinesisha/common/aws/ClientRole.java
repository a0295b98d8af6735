package io.kinesisha.common.aws;

/**
 * Who an asynchronous client works for. Each role gets its own Netty event loop, so a reader that is
 * back-pressured can never starve a writer or the controller of I/O threads (the upstream EFO deadlock).
 */
public enum ClientRole {
    /** Reading the source stream (EFO subscriptions, polling). */
    SOURCE,
    /** Writing the target stream. */
    SINK,
    /** Control store, probes and other controller calls. */
    CONTROL
}
