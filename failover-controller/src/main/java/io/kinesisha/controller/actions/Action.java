package io.kinesisha.controller.actions;

import java.util.List;

/**
 * A change to the world the controller makes. {@link #execute()} is idempotent: a step re-run after a crash finds
 * its work done and changes nothing. {@link #describe()} is the dry run: it may read, never writes, and returns
 * the exact mutating calls {@link #execute()} would make now (empty when there is nothing to do).
 */
public interface Action {
    String name();

    List<ApiCall> describe();

    ActionResult execute();
}
