package io.kinesisha.controller.statemachine;

import io.kinesisha.common.control.ControlRecord;
import io.kinesisha.controller.statemachine.Outcome.Result;
import java.util.Map;

/**
 * Drives the pair's running operation from its recorded step to the end. Each step is run (idempotently), then
 * recorded as done with one conditional write; a crashed controller therefore resumes at the first step not
 * recorded, and re-runs at most that one. Losing a write means another controller acts: this one stands down.
 * The run holds the pair's {@link OperationLease}: a second runner of the same operation stands down before it
 * does anything, and a runner that finds the lease or its step taken stands down before its next side effect.
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
     * rejected (returned as is), the runner lease is held by another runner or lost ({@link Result#LOST_RACE}, no
     * side effect made), or a step throws (audited, rethrown; the record still points at that step).
     */
    public Outcome run(String pair, StepHandler handler) throws Exception {
        OperationLease lease = control.lease(pair);
        ControlRecord first = control.read(pair);
        Operation started = OperationCodec.fromJson(first.operation());
        if (started == null) {
            return new Outcome(Result.UNCHANGED, first, "no operation is running");
        }
        if (!lease.acquire("runs " + started.type() + " " + started.id())) {
            return new Outcome(
                    Result.LOST_RACE,
                    first,
                    started.type() + " " + started.id() + " runs elsewhere (runner lease "
                            + lease.holder()
                                    .map(l -> "held by " + l.owner() + " until "
                                            + java.time.Instant.ofEpochMilli(l.expiresEpochMillis()) + ": "
                                            + l.description())
                                    .orElse("held by another runner")
                            + "); "
                            + lease.owner() + " stands down without changing anything");
        }
        try {
            return runHolding(pair, handler, lease);
        } finally {
            lease.release();
        }
    }

    private Outcome runHolding(String pair, StepHandler handler, OperationLease lease) throws Exception {
        while (true) {
            ControlRecord record = control.read(pair);
            Operation op = OperationCodec.fromJson(record.operation());
            if (op == null) {
                return new Outcome(Result.UNCHANGED, record, "no operation is running");
            }
            if (op.finished()) {
                return control.fire(
                        pair, PairEvent.OPERATION_COMPLETED, Map.of(), Map.of("operation", op.type() + " " + op.id()));
            }
            Step step = op.step();
            StepResult result;
            lease.enter(op);
            try {
                lease.check("step " + step);
                result = handler.run(step, op, record);
            } catch (OperationLease.LostException lost) {
                control.auditAction(
                        record,
                        "runner " + lease.owner() + " stood down at step " + step + ": " + lost.getMessage(),
                        Map.of("operation", op.type() + " " + op.id(), "step", step.name()));
                return new Outcome(Result.LOST_RACE, control.read(pair), "runner lease: " + lost.getMessage());
            } catch (Exception e) {
                control.auditAction(
                        record,
                        "step " + step + " failed: " + e,
                        Map.of("operation", op.type() + " " + op.id(), "step", step.name()));
                throw e;
            } finally {
                lease.leave();
            }
            Outcome recorded = control.completeStep(pair, op.id(), step, result.parameters(), result.evidence());
            if (recorded.result() != Result.APPLIED) {
                return recorded;
            }
        }
    }
}
