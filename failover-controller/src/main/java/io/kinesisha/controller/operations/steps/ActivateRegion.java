package io.kinesisha.controller.operations.steps;

import io.kinesisha.common.control.ControlRecord;
import io.kinesisha.controller.actions.ActionResult;
import io.kinesisha.controller.actions.ApiCall;
import io.kinesisha.controller.actions.ReplicationAction;
import io.kinesisha.controller.statemachine.Operation;
import io.kinesisha.controller.statemachine.OperationRunner.StepResult;
import io.kinesisha.controller.statemachine.Step;
import java.util.List;
import java.util.Map;

/** Names a region active in the control record: the resolver's answer for every SDK client. */
public final class ActivateRegion implements OperationStep {
    private final StepSupport s;
    private final Step id;
    private final String region;

    private ActivateRegion(StepSupport support, Step id, String region) {
        this.s = support;
        this.id = id;
        this.region = region;
    }

    public static ActivateRegion secondary(StepSupport support) {
        return new ActivateRegion(
                support, Step.ACTIVATE_SECONDARY, support.ctx().secondaryRegion());
    }

    public static ActivateRegion primary(StepSupport support) {
        return new ActivateRegion(support, Step.ACTIVATE_PRIMARY, support.ctx().primaryRegion());
    }

    @Override
    public Step id() {
        return id;
    }

    @Override
    public StepResult run(Operation op, ControlRecord record) {
        s.before("activate " + region);
        ActionResult r = new ReplicationAction(s.ctx().control(), s.ctx().pair(), region, null).execute();
        return StepResult.done(Map.of(
                "activeRegion", region, "epoch", r.outputs().get("epoch"), "changed", Boolean.toString(r.changed())));
    }

    @Override
    public List<ApiCall> plan(ControlRecord record, String active) {
        return List.of(Plans.controlRecord(s.ctx().pair(), "activeRegion=" + region));
    }

    @Override
    public String activeAfter(String active) {
        return region;
    }
}
