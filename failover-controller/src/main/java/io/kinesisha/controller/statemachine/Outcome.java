package io.kinesisha.controller.statemachine;

import io.kinesisha.common.control.ControlRecord;

/**
 * What happened to a request to change a pair. {@link Result#LOST_RACE} carries the record as re-read after losing:
 * the caller must stand down and act on that record, never retry blindly.
 */
public record Outcome(Result result, ControlRecord record, String reason) {
    public enum Result {
        /** Our conditional write won; {@link #record()} is what we wrote. */
        APPLIED,
        /** Nothing to do: the change had already been made (idempotent re-run). */
        UNCHANGED,
        /** Not allowed in the current state; {@link #reason()} says why. */
        REJECTED,
        /** Another writer changed the record first; {@link #record()} is theirs. */
        LOST_RACE
    }

    public boolean applied() {
        return result == Result.APPLIED;
    }
}
