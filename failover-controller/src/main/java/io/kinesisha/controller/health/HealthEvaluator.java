package io.kinesisha.controller.health;

import io.kinesisha.common.control.ControlRecord;
import io.kinesisha.controller.health.Verdict.Decision;
import io.kinesisha.controller.statemachine.Outcome;
import io.kinesisha.controller.statemachine.PairControl;
import io.kinesisha.controller.statemachine.PairEvent;
import io.kinesisha.controller.statemachine.PairState;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One evaluation round: evidence plus the control record's policy memory through the {@link HealthPolicy}, then
 * exactly one conditional write on the version that was judged - the EVALUATION audit item with the new memory, or,
 * when the policy says fail over, the PRIMARY_UNHEALTHY transition with the same inputs as its evidence. Whatever
 * changed the record in between (the kill switch, another controller, a concurrent write from the other region)
 * makes the write a lost race: the record is read again and the same evidence judged again on it, so a pause that
 * lands between the judgement and the failover stops the failover.
 */
public final class HealthEvaluator {
    /** Decisions per round before giving up to a writer that keeps changing the record. */
    static final int MAX_DECISIONS = 5;

    private final PairControl control;
    private final HealthPolicy policy;

    public HealthEvaluator(PairControl control, HealthPolicy policy) {
        this.control = control;
        this.policy = policy;
    }

    /** Evaluates {@code evidence} for {@code pair}; {@code failoverParameters} go to a started failover. */
    public Result evaluate(String pair, Evidence evidence, Map<String, String> failoverParameters) {
        Result result = null;
        for (int decision = 1; decision <= MAX_DECISIONS; decision++) {
            result = decide(control.read(pair), evidence, failoverParameters);
            if (result.outcome().result() != Outcome.Result.LOST_RACE) {
                return result;
            }
        }
        return result;
    }

    private Result decide(ControlRecord record, Evidence evidence, Map<String, String> failoverParameters) {
        Verdict verdict = policy.evaluate(
                evidence,
                PairState.valueOf(record.state()),
                record.automationPaused(),
                PolicyMemory.fromJson(record.policyMemory()),
                record.epoch());
        Map<String, String> inputs = new LinkedHashMap<>(verdict.inputs());
        inputs.put("reasons", verdict.reasons().toString());
        inputs.put("warnings", verdict.warnings().toString());
        inputs.put("decision", verdict.decision().name());
        if (verdict.holdReason() != null) {
            inputs.put("holdReason", verdict.holdReason());
        }
        Outcome outcome = verdict.decision() == Decision.FAIL_OVER
                ? control.fire(
                        record,
                        PairEvent.PRIMARY_UNHEALTHY,
                        failoverParameters,
                        inputs,
                        verdict.memory().toJson())
                : control.recordEvaluation(record, verdict.memory().toJson(), message(verdict), inputs);
        return new Result(verdict, outcome);
    }

    private static String message(Verdict v) {
        return switch (v.decision()) {
            case NONE -> "primary healthy";
            case HOLD -> "primary unhealthy, holding: " + v.holdReason();
            case FAIL_OVER -> "primary unhealthy: failing over";
        };
    }

    /** The policy's verdict and what became of writing it (a lost race only after {@value #MAX_DECISIONS} decisions). */
    public record Result(Verdict verdict, Outcome outcome) {}
}
