package io.kinesisha.controller.operations.steps;

import io.kinesisha.common.control.ControlRecord;
import io.kinesisha.controller.actions.ApiCall;
import io.kinesisha.controller.statemachine.Operation;
import io.kinesisha.controller.statemachine.OperationRunner.StepResult;
import io.kinesisha.controller.statemachine.Step;
import java.util.List;

/**
 * One step of an operation: what it does and what it would do, side by side, so the dry-run plan cannot drift from
 * the run. {@link #id()} is the persisted name: the runner finds the step object by it, also for an operation a
 * crashed controller recorded. {@link #run} must be idempotent (it runs again after a crash).
 */
public interface OperationStep {
    Step id();

    StepResult run(Operation op, ControlRecord record) throws Exception;

    /** The mutating calls it would make now, {@code active} being the active region when it runs (reads only). */
    List<ApiCall> plan(ControlRecord record, String active);

    /** The active region once this step ran (a step that activates a region changes it). */
    default String activeAfter(String active) {
        return active;
    }
}
