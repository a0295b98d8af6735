package io.kinesisha.controller.operations;

import io.kinesisha.controller.operations.steps.ActivateRegion;
import io.kinesisha.controller.operations.steps.FenceReplication;
import io.kinesisha.controller.operations.steps.MarkCut;
import io.kinesisha.controller.operations.steps.RedirectProducers;
import io.kinesisha.controller.operations.steps.ResumeProducers;
import io.kinesisha.controller.operations.steps.StartConsumers;
import io.kinesisha.controller.operations.steps.StepSupport;
import io.kinesisha.controller.operations.steps.StopConsumers;
import io.kinesisha.controller.statemachine.OperationType;
import java.util.List;

/**
 * Unplanned failover: the primary is presumed lost, so nothing waits for it. Fence first (a zombie replicator
 * must not write into the region taking over), record the RPO evidence, let the fence settle and cut the secondary,
 * promote it (the one write SDK producers wait for), then move Lambda producers and consumers; calls into the
 * failed region are best effort and audited as such.
 */
public final class FailoverOperation {
    private FailoverOperation() {}

    public static OperationSteps steps(StepSupport s) {
        String target = s.ctx().secondaryRegion();
        return new OperationSteps(
                OperationType.FAILOVER,
                List.of(
                        new FenceReplication(s),
                        new MarkCut(s, target, true),
                        ActivateRegion.secondary(s),
                        new RedirectProducers(s, target, true),
                        new StartConsumers(s, target),
                        new StopConsumers(s, target, true),
                        new ResumeProducers(s, true)));
    }
}
