package io.kinesisha.controller.operations.steps;

import io.kinesisha.common.control.ControlRecord;
import io.kinesisha.controller.actions.ActionResult;
import io.kinesisha.controller.actions.ApiCall;
import io.kinesisha.controller.actions.ConsumerAction;
import io.kinesisha.controller.operations.PairContext;
import io.kinesisha.controller.statemachine.Operation;
import io.kinesisha.controller.statemachine.OperationRunner.StepResult;
import io.kinesisha.controller.statemachine.Step;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Disables consumers' event source mappings in the region left; best effort after an unplanned failover. */
public final class StopConsumers implements OperationStep {
    private final StepSupport s;
    private final String target;
    private final boolean bestEffort;

    /** {@code target}: the region the operation activates (for the plan; the run follows the record). */
    public StopConsumers(StepSupport support, String target, boolean bestEffort) {
        this.s = support;
        this.target = target;
        this.bestEffort = bestEffort;
    }

    @Override
    public Step id() {
        return Step.STOP_CONSUMERS;
    }

    @Override
    public StepResult run(Operation op, ControlRecord record) {
        PairContext ctx = s.ctx();
        String old = ctx.other(record.activeRegion());
        Map<String, String> evidence = new LinkedHashMap<>();
        for (String fn : ctx.consumerFunctions()) {
            s.before("stop consumer " + fn + " in " + old);
            try {
                ActionResult r = ConsumerAction.stop(ctx.lambda(old), old, fn, ctx.streamArn(old))
                        .execute();
                evidence.put("consumer." + fn, r.changed() ? "stopped in " + old : "already stopped in " + old);
            } catch (RuntimeException e) {
                if (!bestEffort) {
                    throw e;
                }
                evidence.put(
                        "consumer." + fn,
                        "skipped: " + old + " did not answer, left as is (" + e.getMessage()
                                + "); failback sets consumers there again");
            }
        }
        if (evidence.isEmpty()) {
            evidence.put("consumers", "no consumer functions configured");
        }
        return StepResult.done(evidence);
    }

    @Override
    public List<ApiCall> plan(ControlRecord record, String active) {
        PairContext ctx = s.ctx();
        String old = ctx.other(target);
        List<ApiCall> calls = new ArrayList<>();
        for (String fn : ctx.consumerFunctions()) {
            calls.addAll(Plans.lambdaCalls(
                    () -> ConsumerAction.stop(ctx.lambda(old), old, fn, ctx.streamArn(old))
                            .describe(),
                    old,
                    fn));
        }
        return calls;
    }
}
