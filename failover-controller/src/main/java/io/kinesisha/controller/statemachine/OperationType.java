package io.kinesisha.controller.statemachine;

import static io.kinesisha.controller.statemachine.Step.*;

import java.util.List;

/**
 * The operations and the steps they run, in order. The step list is copied into each {@link Operation} when it
 * starts, so an operation in flight finishes with the plan it began with even if a newer controller plans
 * differently.
 */
public enum OperationType {
    /**
     * Unplanned: the primary is lost. Fence first so a zombie replicator cannot write into the new active region;
     * resume producers last in case a switchover escalated after pausing them (a no-op otherwise).
     */
    FAILOVER(List.of(
            FENCE_REPLICATION,
            MARK_CUT,
            ACTIVATE_SECONDARY,
            REDIRECT_PRODUCERS,
            START_CONSUMERS,
            STOP_CONSUMERS,
            RESUME_PRODUCERS)),
    /** Planned and loss-free: pause producers and drain replication before moving, then replicate back. */
    SWITCHOVER(List.of(
            PAUSE_PRODUCERS,
            AWAIT_REPLICATION_DRAIN,
            FENCE_REPLICATION,
            MARK_CUT,
            ACTIVATE_SECONDARY,
            REDIRECT_PRODUCERS,
            START_CONSUMERS,
            STOP_CONSUMERS,
            RESUME_PRODUCERS,
            REPLICATE_FROM_ACTIVE)),
    /**
     * Back to the primary once it is healthy: reconcile what the failover left behind, replicate back from the
     * failover cut and catch up, then a switchover in reverse (RPO 0), and forward replication from its cut.
     */
    FAILBACK(List.of(
            CHECK_PRIMARY_HEALTH,
            RECONCILE_ORPHANS,
            REPLICATE_FROM_ACTIVE,
            AWAIT_REPLICATION_CATCH_UP,
            PAUSE_PRODUCERS,
            AWAIT_REPLICATION_DRAIN,
            FENCE_REPLICATION,
            MARK_CUT,
            ACTIVATE_PRIMARY,
            REDIRECT_PRODUCERS,
            START_CONSUMERS,
            STOP_CONSUMERS,
            RESUME_PRODUCERS,
            REPLICATE_FROM_ACTIVE));

    private final List<Step> steps;

    OperationType(List<Step> steps) {
        this.steps = steps;
    }

    public List<Step> steps() {
        return steps;
    }
}
