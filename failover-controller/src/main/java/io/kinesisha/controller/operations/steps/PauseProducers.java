package io.kinesisha.controller.operations.steps;

import static io.kinesisha.controller.operations.steps.StepParameters.PREVIOUS_CONCURRENCY;

import io.kinesisha.common.control.ControlRecord;
import io.kinesisha.controller.actions.ActionResult;
import io.kinesisha.controller.actions.ApiCall;
import io.kinesisha.controller.actions.ProducerAction;
import io.kinesisha.controller.operations.PairContext;
import io.kinesisha.controller.statemachine.Operation;
import io.kinesisha.controller.statemachine.OperationRunner.StepResult;
import io.kinesisha.controller.statemachine.Outcome;
import io.kinesisha.controller.statemachine.Outcome.Result;
import io.kinesisha.controller.statemachine.Step;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Pauses producers for the switchover barrier: the control record's flag (SDK producers) first, then each producer
 * function's reserved concurrency to 0, its previous concurrency saved in the operation before it is changed.
 */
public final class PauseProducers implements OperationStep {
    private final StepSupport s;

    public PauseProducers(StepSupport support) {
        this.s = support;
    }

    @Override
    public Step id() {
        return Step.PAUSE_PRODUCERS;
    }

    @Override
    public StepResult run(Operation op, ControlRecord record) {
        PairContext ctx = s.ctx();
        s.before("pause producers (control record)");
        Outcome o = ctx.control().setProducersPaused(ctx.pair(), op.id(), true, Map.of("reason", "switchover barrier"));
        if (o.result() == Result.REJECTED) {
            throw StepSupport.lost(o.reason());
        }
        StepSupport.requireWritten(o);
        Map<String, String> parameters = new LinkedHashMap<>();
        StepParameters.PAUSED_AT.put(parameters, o.record().updatedAt());
        Map<String, String> evidence = new LinkedHashMap<>();
        evidence.put("producers.resolver", o.result() == Result.APPLIED ? "paused (control record)" : "already paused");
        for (String fn : ctx.producerFunctions()) {
            String region = PairContext.regionOf(fn);
            saveConcurrency(op, fn, ProducerAction.reservedConcurrency(ctx.lambda(region), fn));
            s.before("pause producer " + fn);
            ActionResult r =
                    ProducerAction.pause(ctx.lambda(region), region, fn).execute();
            String previous = r.outputs().get(ProducerAction.PREVIOUS_CONCURRENCY);
            if (previous != null) {
                PREVIOUS_CONCURRENCY.of(fn).put(parameters, previous);
            }
            evidence.put("producer." + fn, r.changed() ? "paused (was " + previous + ")" : "already paused");
        }
        return new StepResult(parameters, evidence);
    }

    /**
     * Saves a producer's concurrency in the operation before it is paused (not when already paused: that 0 is not
     * its own), so a resume after an abort or a crash inside this step restores it. Stands down when it cannot.
     */
    private void saveConcurrency(Operation op, String fn, Integer current) {
        if (current != null && current == 0) {
            return;
        }
        PairContext ctx = s.ctx();
        Outcome saved = ctx.control()
                .recordParameter(
                        ctx.pair(),
                        op.id(),
                        op.step(),
                        PREVIOUS_CONCURRENCY.of(fn).key(),
                        current == null ? "none" : current.toString());
        if (saved.result() == Result.REJECTED || saved.result() == Result.LOST_RACE) {
            throw StepSupport.lost("could not save the concurrency of " + fn + " before pausing it: " + saved.reason());
        }
    }

    @Override
    public List<ApiCall> plan(ControlRecord record, String active) {
        List<ApiCall> calls = new ArrayList<>();
        calls.add(Plans.controlRecord(s.ctx().pair(), "producersPaused=true"));
        for (String fn : s.ctx().producerFunctions()) {
            String region = PairContext.regionOf(fn);
            calls.addAll(Plans.lambdaCalls(
                    () -> ProducerAction.pause(s.ctx().lambda(region), region, fn)
                            .describe(),
                    region,
                    fn));
        }
        return calls;
    }
}
