package io.kinesisha.controller.operations.steps;

import static io.kinesisha.controller.operations.steps.StepParameters.PENDING_RESUME;
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
 * Clears the producers-paused flag first (SDK producers follow it), then restores producer functions. After an
 * unplanned failover a function in the region it left is best effort: when its Lambda API does not answer it is
 * skipped, audited with its saved concurrency ({@link StepParameters#PENDING_RESUME}), and resumed at failback.
 */
public final class ResumeProducers implements OperationStep {
    /** How far back the audit trail is searched for pending resumes (no evaluations are audited while the secondary is active). */
    static final int PENDING_RESUME_SEARCH = 500;

    private final StepSupport s;
    private final boolean bestEffortInOldRegion;

    public ResumeProducers(StepSupport support, boolean bestEffortInOldRegion) {
        this.s = support;
        this.bestEffortInOldRegion = bestEffortInOldRegion;
    }

    @Override
    public Step id() {
        return Step.RESUME_PRODUCERS;
    }

    @Override
    public StepResult run(Operation op, ControlRecord record) {
        return resume(op, bestEffortInOldRegion ? s.ctx().other(record.activeRegion()) : null);
    }

    /** Resumes producers with the concurrency {@code op} saved ({@code op} may be null); {@code failedRegion}: best effort. */
    public StepResult resume(Operation op, String failedRegion) {
        PairContext ctx = s.ctx();
        Map<String, String> evidence = new LinkedHashMap<>();
        s.before("resume producers (control record)");
        Outcome o = ctx.control().setProducersPaused(ctx.pair(), false, Map.of());
        StepSupport.requireWritten(o);
        evidence.put("producers.resolver", o.result() == Result.APPLIED ? "resumed (control record)" : "not paused");
        for (String fn : ctx.producerFunctions()) {
            String region = PairContext.regionOf(fn);
            String previous = op == null ? null : PREVIOUS_CONCURRENCY.of(fn).in(op);
            s.before("resume producer " + fn);
            try {
                ActionResult r = ProducerAction.resume(ctx.lambda(region), region, fn, previous)
                        .execute();
                evidence.put("producer." + fn, r.changed() ? "resumed" : "not paused");
            } catch (RuntimeException e) {
                if (!region.equals(failedRegion)) {
                    throw e;
                }
                evidence.put(
                        "producer." + fn,
                        "skipped: the Lambda API of the failed region " + region + " did not answer (" + e.getMessage()
                                + "); resumed at failback");
                PENDING_RESUME.of(fn).put(evidence, previous == null ? "none" : previous);
            }
        }
        return StepResult.done(evidence);
    }

    /**
     * The saved concurrency of producer functions a failover could not resume (newest failover first in the audit
     * trail), as failback parameters: the failback's own pause finds them paused already and saves nothing.
     */
    public static Map<String, String> pendingResumes(PairContext ctx) {
        Map<String, String> pending = new LinkedHashMap<>();
        ctx.store().readAudit(ctx.pair(), PENDING_RESUME_SEARCH).stream()
                .filter(a -> a.message().equals("completed step " + Step.RESUME_PRODUCERS))
                .findFirst()
                .ifPresent(a -> a.evidence().forEach((k, v) -> {
                    String fn = PENDING_RESUME.function(k);
                    if (fn != null) {
                        PREVIOUS_CONCURRENCY.of(fn).put(pending, v);
                    }
                }));
        return pending;
    }

    @Override
    public List<ApiCall> plan(ControlRecord record, String active) {
        List<ApiCall> calls = new ArrayList<>();
        calls.add(Plans.controlRecord(s.ctx().pair(), "producersPaused=false"));
        for (String fn : s.ctx().producerFunctions()) {
            String region = PairContext.regionOf(fn);
            calls.addAll(Plans.lambdaCalls(
                    () -> ProducerAction.resume(s.ctx().lambda(region), region, fn, null)
                            .describe(),
                    region,
                    fn));
        }
        return calls;
    }
}
