package io.kinesisha.controller.operations;

import io.kinesisha.controller.operations.steps.ActivateRegion;
import io.kinesisha.controller.operations.steps.AwaitReplicationCatchUp;
import io.kinesisha.controller.operations.steps.AwaitReplicationDrain;
import io.kinesisha.controller.operations.steps.CheckPrimaryHealth;
import io.kinesisha.controller.operations.steps.FenceReplication;
import io.kinesisha.controller.operations.steps.MarkCut;
import io.kinesisha.controller.operations.steps.PauseProducers;
import io.kinesisha.controller.operations.steps.ReconcileOrphans;
import io.kinesisha.controller.operations.steps.RedirectProducers;
import io.kinesisha.controller.operations.steps.ReplicateFromActive;
import io.kinesisha.controller.operations.steps.ResumeProducers;
import io.kinesisha.controller.operations.steps.StartConsumers;
import io.kinesisha.controller.operations.steps.StepSupport;
import io.kinesisha.controller.operations.steps.StopConsumers;
import io.kinesisha.controller.statemachine.OperationType;
import java.util.List;

/**
 * Back to the primary after a failover or switchover, loss-free and without loops: the primary must have been
 * healthy for the dwell time; its orphans are reconciled; replication runs back from the secondary's cut (which
 * leaves out everything that came from the primary, and the ledger leaves out the republished orphans) until it
 * has caught up; then a switchover in reverse (pause, drain, fence, cut the primary, activate it, move producers
 * and consumers, resume) and forward replication from the primary's new cut.
 */
public final class FailbackOperation {
    private FailbackOperation() {}

    public static OperationSteps steps(StepSupport s) {
        String target = s.ctx().primaryRegion();
        ReplicateFromActive replicate = new ReplicateFromActive(s);
        return new OperationSteps(
                OperationType.FAILBACK,
                List.of(
                        new CheckPrimaryHealth(s),
                        new ReconcileOrphans(s),
                        replicate,
                        new AwaitReplicationCatchUp(s),
                        new PauseProducers(s),
                        new AwaitReplicationDrain(s),
                        new FenceReplication(s),
                        new MarkCut(s, target, false),
                        ActivateRegion.primary(s),
                        new RedirectProducers(s, target, false),
                        new StartConsumers(s, target),
                        new StopConsumers(s, target, false),
                        new ResumeProducers(s, false),
                        replicate));
    }
}
