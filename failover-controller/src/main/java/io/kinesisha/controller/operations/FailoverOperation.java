package io.kinesisha.controller.operations;

import io.kinesisha.common.control.ControlRecord;
import io.kinesisha.controller.statemachine.Operation;
import io.kinesisha.controller.statemachine.OperationRunner.StepHandler;
import io.kinesisha.controller.statemachine.OperationRunner.StepResult;
import io.kinesisha.controller.statemachine.Step;
import java.util.function.Consumer;

/**
 * Unplanned failover: the primary is presumed lost, so nothing waits for it. Fence first (a zombie replicator
 * must not write into the region taking over), record the RPO evidence, promote the secondary (the one write
 * SDK producers wait for), then move Lambda producers and consumers; calls into the failed region are best
 * effort and audited as such.
 */
public final class FailoverOperation implements StepHandler {
    private final PairContext ctx;
    private final StepActions actions;

    /** {@code progress} receives lines for the operator while a step waits. */
    public FailoverOperation(PairContext ctx, Consumer<String> progress) {
        this.ctx = ctx;
        this.actions = new StepActions(ctx, progress);
    }

    @Override
    public StepResult run(Step step, Operation operation, ControlRecord record) throws InterruptedException {
        return switch (step) {
            case FENCE_REPLICATION -> actions.fence(operation, record);
            case MARK_CUT -> actions.markCut(operation, record, ctx.secondaryRegion(), true);
            case ACTIVATE_SECONDARY -> actions.activate(ctx.secondaryRegion());
            case REDIRECT_PRODUCERS -> actions.redirectProducers(record, true);
            case START_CONSUMERS -> actions.startConsumers(operation, record);
            case STOP_CONSUMERS -> actions.stopConsumers(record, true);
            case RESUME_PRODUCERS -> actions.resumeProducers(operation, ctx.other(record.activeRegion()));
            default -> throw new IllegalStateException(step + " is not a failover step");
        };
    }
}
