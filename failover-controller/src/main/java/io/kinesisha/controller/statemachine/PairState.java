package io.kinesisha.controller.statemachine;

/**
 * Where a replication pair stands. Two resting states say which region serves producers and consumers; the
 * three moving states each belong to exactly one {@link OperationType}, so a record in a moving state always
 * carries the operation (and step) a crashed controller resumes.
 *
 * <pre>
 * ACTIVE_PRIMARY   primary serves; replication primary -> secondary          (rest)
 * FAILING_OVER     unplanned move to the secondary (primary presumed lost)   (FAILOVER)
 * SWITCHING_OVER   planned, loss-free move to the secondary                  (SWITCHOVER)
 * ACTIVE_SECONDARY secondary serves; replication stopped or reversed          (rest)
 * FAILING_BACK     return to the primary after failover or switchover       (FAILBACK)
 * </pre>
 *
 * The names are stored in {@link io.kinesisha.common.control.ControlRecord#state()}.
 */
public enum PairState {
    ACTIVE_PRIMARY(null),
    FAILING_OVER(OperationType.FAILOVER),
    SWITCHING_OVER(OperationType.SWITCHOVER),
    ACTIVE_SECONDARY(null),
    FAILING_BACK(OperationType.FAILBACK);

    private final OperationType operation;

    PairState(OperationType operation) {
        this.operation = operation;
    }

    /** True for the states in which no operation runs. */
    public boolean resting() {
        return operation == null;
    }

    /** The operation that runs in this state; {@code null} in a resting state. */
    public OperationType operation() {
        return operation;
    }
}
