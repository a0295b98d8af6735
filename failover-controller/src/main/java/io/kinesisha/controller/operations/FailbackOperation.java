package io.kinesisha.controller.operations;

import io.kinesisha.common.control.ControlRecord;
import io.kinesisha.controller.statemachine.Operation;
import io.kinesisha.controller.statemachine.OperationRunner.StepHandler;
import io.kinesisha.controller.statemachine.OperationRunner.StepResult;
import io.kinesisha.controller.statemachine.Step;
import java.util.function.Consumer;

/**
 * Back to the primary after a failover or switchover, loss-free and without loops: the primary must have been
 * healthy for the dwell time; its orphans are reconciled; replication runs back from the secondary's cut (which
 * leaves out everything that came from the primary, and the ledger leaves out the republished orphans) until it
 * has caught up; then a switchover in reverse (pause, drain, fence, cut the primary, activate it, move producers
 * and consumers, resume) and forward replication from the primary's new cut.
 */
public final class FailbackOperation implements StepHandler {
    private final PairContext ctx;
    private final StepActions actions;

    public FailbackOperation(PairContext ctx, Consumer<String> progress) {
        this.ctx = ctx;
        this.actions = new StepActions(ctx, progress);
    }

    @Override
    public StepResult run(Step step, Operation operation, ControlRecord record) throws InterruptedException {
        return switch (step) {
            case CHECK_PRIMARY_HEALTH -> actions.checkHealthy(operation, ctx.primaryRegion());
            case RECONCILE_ORPHANS -> actions.reconcileOrphans(record);
            case REPLICATE_FROM_ACTIVE -> actions.replicateFromActive(record);
            case AWAIT_REPLICATION_CATCH_UP -> actions.awaitCatchUp(operation, record);
            case PAUSE_PRODUCERS -> actions.pauseProducers(operation);
            case AWAIT_REPLICATION_DRAIN -> actions.awaitDrain(operation, record);
            case FENCE_REPLICATION -> actions.fence(operation, record);
            case MARK_CUT -> actions.markCut(operation, record, ctx.primaryRegion(), false);
            case ACTIVATE_PRIMARY -> actions.activate(ctx.primaryRegion());
            case REDIRECT_PRODUCERS -> actions.redirectProducers(record, false);
            case START_CONSUMERS -> actions.startConsumers(operation, record);
            case STOP_CONSUMERS -> actions.stopConsumers(record, false);
            case RESUME_PRODUCERS -> actions.resumeProducers(operation, null);
            default -> throw new IllegalStateException(step + " is not a failback step");
        };
    }
}
