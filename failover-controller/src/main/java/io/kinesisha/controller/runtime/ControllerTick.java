package io.kinesisha.controller.runtime;

import io.kinesisha.common.control.ControlRecord;
import io.kinesisha.controller.health.HealthEvaluator;
import io.kinesisha.controller.health.HealthPolicy;
import io.kinesisha.controller.health.PolicySettings;
import io.kinesisha.controller.health.Verdict;
import io.kinesisha.controller.operations.OperationDriver;
import io.kinesisha.controller.operations.PairContext;
import io.kinesisha.controller.statemachine.Operation;
import io.kinesisha.controller.statemachine.OperationCodec;
import io.kinesisha.controller.statemachine.OperationType;
import io.kinesisha.controller.statemachine.PairState;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Consumer;

/**
 * One round of the controller, whoever runs it (the local loop every probe interval, the Lambda handler on an
 * alarm or a schedule): continue a failover left unfinished, or an operation whose owner went quiet; otherwise,
 * while the primary is active, evaluate its health and fail over when the policy says so.
 */
public final class ControllerTick {
    /** An operation other than a failover not advanced for this long is presumed orphaned and resumed. */
    public static final Duration DEFAULT_STALE_OPERATION = Duration.ofMinutes(2);

    /** What the round did. */
    public record Result(String action, String detail, Verdict.Decision decision, OperationDriver.Report report) {
        @Override
        public String toString() {
            return action + ": " + detail;
        }
    }

    private final PairContext ctx;
    private final EvidenceCollector evidence;
    private final HealthEvaluator evaluator;
    private final OperationDriver driver;
    private final Duration staleOperation;

    public ControllerTick(
            PairContext ctx, EvidenceCollector evidence, Consumer<String> progress, Duration staleOperation) {
        this.ctx = ctx;
        this.evidence = evidence;
        this.evaluator = new HealthEvaluator(
                ctx.control(), new HealthPolicy(PolicySettings.from(ctx.config().health()), ctx.clock()));
        this.driver = new OperationDriver(ctx, progress);
        this.staleOperation = staleOperation;
    }

    public Result tick() throws Exception {
        ControlRecord record = ctx.control().read(ctx.pair());
        Operation op = OperationCodec.fromJson(record.operation());
        if (op != null) {
            Duration quiet = Duration.between(op.updatedAt(), ctx.clock().instant());
            if (op.type() == OperationType.FAILOVER || quiet.compareTo(staleOperation) > 0) {
                OperationDriver.Report r = driver.resume();
                return new Result(
                        "resumed", op.type() + " " + op.id() + ": " + r.result() + " - " + r.message(), null, r);
            }
            return new Result(
                    "waiting",
                    op.type() + " " + op.id() + " runs elsewhere (last step " + quiet.toMillis() + " ms ago)",
                    null,
                    null);
        }
        if (PairState.valueOf(record.state()) != PairState.ACTIVE_PRIMARY) {
            return new Result("idle", "pair is " + record.state() + "; only ACTIVE_PRIMARY is evaluated", null, null);
        }
        HealthEvaluator.Result evaluated =
                evaluator.evaluate(ctx.pair(), evidence.collect(record), OperationDriver.failoverParameters(record));
        Verdict v = evaluated.verdict();
        if (evaluated.outcome().applied()
                && PairState.valueOf(evaluated.outcome().record().state()) == PairState.FAILING_OVER) {
            OperationDriver.Report r = driver.resume();
            return new Result(
                    "failed-over",
                    "primary unhealthy " + v.reasons() + " at " + Instant.now() + ": " + r.result() + " - "
                            + r.message(),
                    v.decision(),
                    r);
        }
        return new Result(
                "evaluated",
                v.decision()
                        + (v.healthy()
                                ? " (healthy)"
                                : " " + v.reasons() + (v.holdReason() == null ? "" : ", holding: " + v.holdReason())),
                v.decision(),
                null);
    }
}
