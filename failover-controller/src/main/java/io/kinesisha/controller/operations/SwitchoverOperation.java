package io.kinesisha.controller.operations;

import io.kinesisha.controller.operations.steps.ActivateRegion;
import io.kinesisha.controller.operations.steps.AwaitReplicationDrain;
import io.kinesisha.controller.operations.steps.FenceReplication;
import io.kinesisha.controller.operations.steps.MarkCut;
import io.kinesisha.controller.operations.steps.PauseProducers;
import io.kinesisha.controller.operations.steps.RedirectProducers;
import io.kinesisha.controller.operations.steps.ReplicateFromActive;
import io.kinesisha.controller.operations.steps.ResumeProducers;
import io.kinesisha.controller.operations.steps.StartConsumers;
import io.kinesisha.controller.operations.steps.StepSupport;
import io.kinesisha.controller.operations.steps.StopConsumers;
import io.kinesisha.controller.statemachine.OperationType;
import java.util.List;

/**
 * Planned, loss-free switchover: producers pause, the barrier waits until the secondary holds every record the
 * primary acknowledged, and only then does the active region change, so nothing is lost (RPO 0) and no key's
 * records can overtake each other across the switch. Both regions are healthy, so every call must succeed.
 */
public final class SwitchoverOperation {
    private SwitchoverOperation() {}

    public static OperationSteps steps(StepSupport s) {
        String target = s.ctx().secondaryRegion();
        return new OperationSteps(
                OperationType.SWITCHOVER,
                List.of(
                        new PauseProducers(s),
                        new AwaitReplicationDrain(s),
                        new FenceReplication(s),
                        new MarkCut(s, target, false),
                        ActivateRegion.secondary(s),
                        new RedirectProducers(s, target, false),
                        new StartConsumers(s, target),
                        new StopConsumers(s, target, false),
                        new ResumeProducers(s, false),
                        new ReplicateFromActive(s)));
    }
}
