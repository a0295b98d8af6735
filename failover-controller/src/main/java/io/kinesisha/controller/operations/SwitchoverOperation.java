package io.kinesisha.controller.operations;

import io.kinesisha.common.control.ControlRecord;
import io.kinesisha.controller.statemachine.Operation;
import io.kinesisha.controller.statemachine.OperationRunner.StepHandler;
import io.kinesisha.controller.statemachine.OperationRunner.StepResult;
import io.kinesisha.controller.statemachine.Step;
import java.util.function.Consumer;

/**
 * Planned, loss-free switchover: producers pause, the barrier waits until the secondary holds every record the
 * primary acknowledged, and only then does the active region change, so nothing is lost (RPO 0) and no key's
 * records can overtake each other across the switch. Both regions are healthy, so every call must succeed.
 */
public final class SwitchoverOperation implements StepHandler {
    private final PairContext ctx;
    private final StepActions actions;

    /** {@code progress} receives lines for the operator while a step waits. */
    public SwitchoverOperation(PairContext ctx, Consumer<String> progress) {
        this.ctx = ctx;
        this.actions = new StepActions(ctx, progress);
    }

    @Override
    public StepResult run(Step step, Operation operation, ControlRecord record) throws InterruptedException {
        return switch (step) {
            case PAUSE_PRODUCERS -> actions.pauseProducers(operation);
            case AWAIT_REPLICATION_DRAIN -> actions.awaitDrain(operation, record);
            case FENCE_REPLICATION -> actions.fence(operation, record);
            case MARK_CUT -> actions.markCut(operation, record, ctx.secondaryRegion(), false);
            case ACTIVATE_SECONDARY -> actions.activate(ctx.secondaryRegion());
            case REDIRECT_PRODUCERS -> actions.redirectProducers(record, false);
            case START_CONSUMERS -> actions.startConsumers(operation, record);
            case STOP_CONSUMERS -> actions.stopConsumers(record, false);
            case RESUME_PRODUCERS -> actions.resumeProducers(operation, null);
            case REPLICATE_FROM_ACTIVE -> actions.replicateFromActive(record);
            default -> throw new IllegalStateException(step + " is not a switchover step");
        };
    }
}
