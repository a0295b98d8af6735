package io.kinesisha.controller.operations;

import io.kinesisha.common.control.ControlRecord;
import io.kinesisha.controller.operations.steps.OperationStep;
import io.kinesisha.controller.statemachine.Operation;
import io.kinesisha.controller.statemachine.OperationRunner.StepHandler;
import io.kinesisha.controller.statemachine.OperationRunner.StepResult;
import io.kinesisha.controller.statemachine.OperationType;
import io.kinesisha.controller.statemachine.Step;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An operation as the list of its step objects, in the order of its type's plan (checked when built, so the two
 * cannot drift). The runner runs the step the persisted operation is at, found by its name: an operation recorded
 * by an earlier controller resumes with the plan it began with.
 */
public final class OperationSteps implements StepHandler {
    private final OperationType type;
    private final List<OperationStep> steps;
    private final Map<Step, OperationStep> byId = new LinkedHashMap<>();

    OperationSteps(OperationType type, List<OperationStep> steps) {
        this.type = type;
        this.steps = List.copyOf(steps);
        List<Step> ids = this.steps.stream().map(OperationStep::id).toList();
        if (!ids.equals(type.steps())) {
            throw new IllegalStateException(type + " is planned as " + type.steps() + " but its steps are " + ids);
        }
        for (OperationStep step : this.steps) {
            OperationStep known = byId.putIfAbsent(step.id(), step);
            if (known != null && known != step) {
                throw new IllegalStateException(type + " has two different " + step.id() + " steps");
            }
        }
    }

    public OperationType type() {
        return type;
    }

    public List<OperationStep> steps() {
        return steps;
    }

    /** The step object named {@code id}; fails for a step this operation does not have. */
    public OperationStep step(Step id) {
        OperationStep step = byId.get(id);
        if (step == null) {
            throw new IllegalStateException(
                    id + " is not a " + type.name().toLowerCase(java.util.Locale.ROOT) + " step");
        }
        return step;
    }

    @Override
    public StepResult run(Step id, Operation operation, ControlRecord record) throws Exception {
        return step(id).run(operation, record);
    }
}
