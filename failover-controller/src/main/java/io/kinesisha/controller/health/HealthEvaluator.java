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
 * exactly one conditional write - the EVALUATION audit item with the new memory, or, when the policy says fail
 * over, the PRIMARY_UNHEALTHY transition with the same inputs as its evidence. Two controllers evaluating at once
 * cannot both count: the slower one loses the write and stands down.
 */
public final class HealthEvaluator {
    private final PairControl control;
    private final HealthPolicy policy;

    public HealthEvaluator(PairControl control, HealthPolicy policy) {
        this.control = control;
        this.policy = policy;
    }

    /** Evaluates {@code evidence} for {@code pair}; {@code failoverParameters} go to a started failover. */
    public Result evaluate(String pair, Evidence evidence, Map<String, String> failoverParameters) {
        ControlRecord record = control.read(pair);
        Verdict verdict = policy.evaluate(evidence, PairState.valueOf(record.state()), record.automationPaused(),
                PolicyMemory.fromJson(record.policyMemory()));
        Map<String, String> inputs = new LinkedHashMap<>(verdict.inputs());
        inputs.put("reasons", verdict.reasons().toString());
        inputs.put("warnings", verdict.warnings().toString());
        inputs.put("decision", verdict.decision().name());
        if (verdict.holdReason() != null) {
            inputs.put("holdReason", verdict.holdReason());
        }
        Outcome outcome = verdict.decision() == Decision.FAIL_OVER
                ? control.fire(pair, PairEvent.PRIMARY_UNHEALTHY, failoverParameters, inputs, verdict.memory().toJson())
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

    /** The policy's verdict and what became of writing it. */
    public record Result(Verdict verdict, Outcome outcome) {
    }
}
