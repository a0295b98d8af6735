package io.kinesisha.controller.statemachine;

/**
 * What can happen to a pair. Health verdicts arrive as {@link #PRIMARY_UNHEALTHY} only after the health policy
 * (consecutive bad evaluations, dwell time, failover budget, kill switch) let them through; the others come from
 * an operator or from the operation runner.
 */
public enum PairEvent {
    /** The health policy decided to fail over automatically. */
    PRIMARY_UNHEALTHY,
    /** An operator forces an unplanned failover. */
    FAILOVER_REQUESTED,
    /** An operator asks for a planned, loss-free move to the secondary. */
    SWITCHOVER_REQUESTED,
    /** An operator asks to return to the primary. */
    FAILBACK_REQUESTED,
    /** The running operation finished its last step. */
    OPERATION_COMPLETED,
    /** An operator abandons the running operation (only where it can be undone). */
    OPERATION_ABORTED
}
