package io.kinesisha.controller.statemachine;

import io.kinesisha.common.control.ControlRecord;
import io.kinesisha.controller.statemachine.Outcome.Result;
import java.util.Map;

/**
 * Drives the pair's running operation from its recorded step to the end. Each step is run (idempotently), then
 * recorded as done with one conditional write; a crashed controller therefore resumes at the first step not
 * recorded, and re-runs at most that one. Losing a write means another controller acts: this one stands down.
 */
public final class OperationRunner {
    /** Runs one step against the world; must be idempotent (it may run again after a crash). */
    @FunctionalInterface
    public interface StepHandler {
        StepResult run(Step step, Operation operation, ControlRecord record) throws Exception;
    }

    /** What a step hands to later steps ({@code parameters}) and to the audit trail ({@code evidence}). */
    public record StepResult(Map<String, String> parameters, Map<String, String> evidence) {
        public static StepResult done(Map<String, String> evidence) {
            return new StepResult(Map.of(), evidence);
        }
    }

    private final PairControl control;

    public OperationRunner(PairControl control) {
        this.control = control;
    }

    /**
     * Runs until the operation completes (then fires {@link PairEvent#OPERATION_COMPLETED}), a write is lost or
     * rejected (returned as is), or a step throws (audited, rethrown; the record still points at that step).
     */
    public Outcome run(String pair, StepHandler handler) throws Exception {
        while (true) {
            ControlRecord record = control.read(pair);
            Operation op = OperationCodec.fromJson(record.operation());
            if (op == null) {
                return new Outcome(Result.UNCHANGED, record, "no operation is running");
            }
            if (op.finished()) {
                return control.fire(pair, PairEvent.OPERATION_COMPLETED, Map.of(),
                        Map.of("operation", op.type() + " " + op.id()));
            }
            Step step = op.step();
            StepResult result;
            try {
                result = handler.run(step, op, record);
            } catch (Exception e) {
                control.auditAction(record, "step " + step + " failed: " + e,
                        Map.of("operation", op.type() + " " + op.id(), "step", step.name()));
                throw e;
            }
            Outcome recorded = control.completeStep(pair, op.id(), step, result.parameters(), result.evidence());
            if (recorded.result() != Result.APPLIED) {
                return recorded;
            }
        }
    }
}
