package io.kinesisha.controller.statemachine;

import static io.kinesisha.controller.statemachine.PairEvent.*;
import static io.kinesisha.controller.statemachine.PairState.*;

import java.util.EnumMap;
import java.util.Map;

/**
 * The complete transition table: every (state, event) pair is either allowed or rejected with a reason, and the
 * constructor refuses a table with a hole, so an unforeseen combination cannot fall through silently.
 *
 * <p>Design choices: an unplanned failover cannot be aborted (producers may already write to the secondary;
 * finish it, then fail back); a planned switchover escalates to a failover when the primary fails under it; the
 * controller never fails back on its own (a person decides when the primary is trustworthy again).
 */
public final class StateMachine {
    private static final String NO_OPERATION = "no operation is in progress";

    private final Map<PairState, Map<PairEvent, Transition>> table = new EnumMap<>(PairState.class);

    public StateMachine() {
        allow(ACTIVE_PRIMARY, PRIMARY_UNHEALTHY, FAILING_OVER);
        allow(ACTIVE_PRIMARY, FAILOVER_REQUESTED, FAILING_OVER);
        allow(ACTIVE_PRIMARY, SWITCHOVER_REQUESTED, SWITCHING_OVER);
        reject(ACTIVE_PRIMARY, FAILBACK_REQUESTED, "the primary is already active");
        reject(ACTIVE_PRIMARY, OPERATION_COMPLETED, NO_OPERATION);
        reject(ACTIVE_PRIMARY, OPERATION_ABORTED, NO_OPERATION);

        reject(FAILING_OVER, PRIMARY_UNHEALTHY, "a failover is already in progress");
        reject(FAILING_OVER, FAILOVER_REQUESTED, "a failover is already in progress; it resumes at its recorded step");
        reject(FAILING_OVER, SWITCHOVER_REQUESTED, "a failover is in progress");
        reject(FAILING_OVER, FAILBACK_REQUESTED, "a failover is in progress; fail back after it completes");
        allow(FAILING_OVER, OPERATION_COMPLETED, ACTIVE_SECONDARY);
        reject(
                FAILING_OVER,
                OPERATION_ABORTED,
                "an unplanned failover cannot be aborted: producers may already write to the secondary; finish it, then fail back");

        allow(SWITCHING_OVER, PRIMARY_UNHEALTHY, FAILING_OVER);
        allow(SWITCHING_OVER, FAILOVER_REQUESTED, FAILING_OVER);
        reject(
                SWITCHING_OVER,
                SWITCHOVER_REQUESTED,
                "a switchover is already in progress; it resumes at its recorded step");
        reject(SWITCHING_OVER, FAILBACK_REQUESTED, "a switchover is in progress; abort it instead");
        allow(SWITCHING_OVER, OPERATION_COMPLETED, ACTIVE_SECONDARY);
        allow(SWITCHING_OVER, OPERATION_ABORTED, ACTIVE_PRIMARY);

        reject(ACTIVE_SECONDARY, PRIMARY_UNHEALTHY, "the secondary is already active");
        reject(ACTIVE_SECONDARY, FAILOVER_REQUESTED, "the secondary is already active");
        reject(ACTIVE_SECONDARY, SWITCHOVER_REQUESTED, "the secondary is already active; use failback to return");
        allow(ACTIVE_SECONDARY, FAILBACK_REQUESTED, FAILING_BACK);
        reject(ACTIVE_SECONDARY, OPERATION_COMPLETED, NO_OPERATION);
        reject(ACTIVE_SECONDARY, OPERATION_ABORTED, NO_OPERATION);

        reject(
                FAILING_BACK,
                PRIMARY_UNHEALTHY,
                "a failback is in progress: the controller does not reverse it on its own; an operator may abort it");
        reject(FAILING_BACK, FAILOVER_REQUESTED, "a failback is in progress; abort it to stay on the secondary");
        reject(FAILING_BACK, SWITCHOVER_REQUESTED, "a failback is in progress");
        reject(FAILING_BACK, FAILBACK_REQUESTED, "a failback is already in progress; it resumes at its recorded step");
        allow(FAILING_BACK, OPERATION_COMPLETED, ACTIVE_PRIMARY);
        allow(FAILING_BACK, OPERATION_ABORTED, ACTIVE_SECONDARY);

        for (PairState state : PairState.values()) {
            for (PairEvent event : PairEvent.values()) {
                if (!table.containsKey(state) || !table.get(state).containsKey(event)) {
                    throw new IllegalStateException("transition table has no entry for " + state + " x " + event);
                }
            }
        }
    }

    /** The table's answer for {@code event} in {@code state}; never null. */
    public Transition on(PairState state, PairEvent event) {
        return table.get(state).get(event);
    }

    private void allow(PairState from, PairEvent event, PairState to) {
        put(Transition.allow(from, event, to));
    }

    private void reject(PairState from, PairEvent event, String reason) {
        put(Transition.reject(from, event, reason));
    }

    private void put(Transition t) {
        Transition previous = table.computeIfAbsent(t.from(), s -> new EnumMap<>(PairEvent.class))
                .put(t.event(), t);
        if (previous != null) {
            throw new IllegalStateException("transition table defines " + t.from() + " x " + t.event() + " twice");
        }
    }
}
