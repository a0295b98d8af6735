package io.kinesisha.controller.metrics;

/**
 * Where the controller's metrics go: CloudWatch in a deployment, nowhere locally (emulators have no CloudWatch).
 * Kept narrow so the round does not depend on the SDK and tests can see what was published.
 */
@FunctionalInterface
public interface ControllerMetrics {
    /** Publishes one round's metrics for {@code pair}; throws if they could not be published. */
    void publish(String pair, RoundMetrics metrics);
}
