package io.kinesisha.controller.operations.steps;

import io.kinesisha.common.control.ControlRecord;
import io.kinesisha.controller.actions.Action;
import io.kinesisha.controller.actions.ActionResult;
import io.kinesisha.controller.actions.ApiCall;
import io.kinesisha.controller.actions.ProducerAction;
import io.kinesisha.controller.operations.PairContext;
import io.kinesisha.controller.statemachine.Operation;
import io.kinesisha.controller.statemachine.OperationRunner.StepResult;
import io.kinesisha.controller.statemachine.Step;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Points producer functions at the active stream; SDK producers already follow the record. After an unplanned
 * failover a function in the failed region is best effort: skipped and audited when its Lambda API does not answer.
 */
public final class RedirectProducers implements OperationStep {
    private final StepSupport s;
    private final String target;
    private final boolean bestEffortInOldRegion;

    /** {@code target}: the region the operation activates (for the plan; the run follows the record). */
    public RedirectProducers(StepSupport support, String target, boolean bestEffortInOldRegion) {
        this.s = support;
        this.target = target;
        this.bestEffortInOldRegion = bestEffortInOldRegion;
    }

    @Override
    public Step id() {
        return Step.REDIRECT_PRODUCERS;
    }

    @Override
    public StepResult run(Operation op, ControlRecord record) {
        PairContext ctx = s.ctx();
        String active = record.activeRegion();
        Map<String, String> evidence = new LinkedHashMap<>();
        evidence.put(
                "producers.resolver",
                "SDK producers follow the control record: active " + active + ", epoch " + record.epoch());
        for (String fn : ctx.producerFunctions()) {
            String region = PairContext.regionOf(fn);
            s.before("redirect producer " + fn);
            try {
                ActionResult r = redirect(fn, region, active).execute();
                evidence.put("producer." + fn, r.changed() ? "redirected to " + active : "already on " + active);
            } catch (RuntimeException e) {
                if (!bestEffortInOldRegion || region.equals(active)) {
                    throw e;
                }
                evidence.put(
                        "producer." + fn,
                        "skipped: the failed region " + region + " did not answer, left as is (" + e.getMessage()
                                + "); redirected at failback");
            }
        }
        return StepResult.done(evidence);
    }

    @Override
    public List<ApiCall> plan(ControlRecord record, String active) {
        List<ApiCall> calls = new ArrayList<>();
        for (String fn : s.ctx().producerFunctions()) {
            String region = PairContext.regionOf(fn);
            calls.addAll(Plans.lambdaCalls(() -> redirect(fn, region, target).describe(), region, fn));
        }
        return calls;
    }

    private Action redirect(String fn, String region, String to) {
        PairContext ctx = s.ctx();
        return ProducerAction.redirect(
                ctx.lambda(region),
                region,
                fn,
                Map.of("KINESIS_HA_ACTIVE_REGION", to, "KINESIS_HA_STREAM_ARN", ctx.streamArn(to)));
    }
}
