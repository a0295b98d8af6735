package io.kinesisha.controller.statemachine;

import java.util.Objects;

/**
 * One cell of the transition table: an allowed move to {@link #to()} (starting {@link #starts()} when the target
 * state runs an operation), or a rejection with the reason an operator reads.
 */
public record Transition(PairState from, PairEvent event, PairState to, OperationType starts, String rejection) {
    public Transition {
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(event, "event");
        if ((to == null) == (rejection == null)) {
            throw new IllegalArgumentException("a transition has either a target state or a rejection reason");
        }
    }

    static Transition allow(PairState from, PairEvent event, PairState to) {
        // entering a moving state from a different state starts its operation (escalation replaces the old one)
        OperationType starts = to.resting() || to == from ? null : to.operation();
        return new Transition(from, event, to, starts, null);
    }

    static Transition reject(PairState from, PairEvent event, String reason) {
        return new Transition(from, event, null, null, reason);
    }

    public boolean allowed() {
        return to != null;
    }

    @Override
    public String toString() {
        return from + " --" + event + "--> "
                + (allowed() ? to + (starts == null ? "" : " (starts " + starts + ")") : "rejected: " + rejection);
    }
}
