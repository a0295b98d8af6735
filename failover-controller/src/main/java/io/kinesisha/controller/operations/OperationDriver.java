package io.kinesisha.controller.operations;

import io.kinesisha.common.control.ControlRecord;
import io.kinesisha.controller.actions.ApiCall;
import io.kinesisha.controller.operations.ReplicationBarrier.DrainTimeoutException;
import io.kinesisha.controller.operations.steps.OperationStep;
import io.kinesisha.controller.operations.steps.ResumeProducers;
import io.kinesisha.controller.operations.steps.StepParameters;
import io.kinesisha.controller.operations.steps.StepSupport;
import io.kinesisha.controller.statemachine.Operation;
import io.kinesisha.controller.statemachine.OperationCodec;
import io.kinesisha.controller.statemachine.OperationLease;
import io.kinesisha.controller.statemachine.OperationRunner;
import io.kinesisha.controller.statemachine.OperationRunner.StepHandler;
import io.kinesisha.controller.statemachine.OperationType;
import io.kinesisha.controller.statemachine.Outcome;
import io.kinesisha.controller.statemachine.PairEvent;
import io.kinesisha.controller.statemachine.PairState;
import io.kinesisha.controller.statemachine.StateMachine;
import io.kinesisha.controller.statemachine.Step;
import io.kinesisha.controller.statemachine.Transition;
import io.kinesisha.controller.time.ControllerTime.Stopwatch;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Starts operations and drives them to the end: fires the event (one conditional write decides who acts), then
 * runs the recorded steps with the handler of the operation's type. The same entry points serve the CLI, the
 * Lambda handler and the local controller loop; {@link #resume()} continues whatever a crashed controller left.
 */
public final class OperationDriver {
    /** How a request ended; the CLI maps these to exit codes. */
    public enum Result {
        /** The operation ran to its end. */
        COMPLETED,
        /** A switchover gave up at its barrier; producers resumed in the old region, nothing moved. */
        ABORTED,
        /** The state machine refused the request (the message says why); nothing changed. */
        REJECTED,
        /** Another controller changed the record first and owns the operation now. */
        LOST_RACE,
        /** Nothing to do. */
        UNCHANGED
    }

    /** The outcome, the record as it is now, and how long it took. */
    public record Report(Result result, String message, ControlRecord record, String operationId, Duration took) {}

    /** A dry run: the transition the request would make and the mutating calls of each step. */
    public record Plan(String transition, boolean allowed, List<PlannedStep> steps) {}

    public record PlannedStep(Step step, List<ApiCall> calls) {}

    /** How often an abort asks for the runner lease while the runner stands down. */
    private static final Duration LEASE_POLL = Duration.ofMillis(200);
    /** An abort re-reads and tries again when a runner saved a step parameter meanwhile. */
    private static final int ABORT_ATTEMPTS = 5;

    private final PairContext ctx;
    private final Consumer<String> progress;
    private final StepSupport support;

    public OperationDriver(PairContext ctx, Consumer<String> progress) {
        this.ctx = ctx;
        this.progress = progress;
        this.support = new StepSupport(ctx, progress);
    }

    /** Unplanned failover to the secondary; resumes one already in progress. */
    public Report failover(String reason) throws Exception {
        Stopwatch started = ctx.time().stopwatch();
        ControlRecord record = ctx.control().read(ctx.pair());
        if (PairState.valueOf(record.state()) == PairState.FAILING_OVER) {
            progress.accept("a failover is in progress at " + describe(record) + "; resuming it");
            return resume();
        }
        Outcome fired = ctx.control()
                .fire(ctx.pair(), PairEvent.FAILOVER_REQUESTED, startParameters(record), Map.of("reason", reason));
        return drive(fired, started);
    }

    /**
     * Planned switchover with the barrier bounded by {@code drainTimeout}; on timeout it is aborted (producers
     * resume in the primary, the operation is cleared) and reported as {@link Result#ABORTED}.
     */
    public Report switchover(Duration drainTimeout, Duration pauseGrace, String reason) throws Exception {
        Stopwatch started = ctx.time().stopwatch();
        ControlRecord record = ctx.control().read(ctx.pair());
        Map<String, String> params = startParameters(record);
        StepParameters.DRAIN_TIMEOUT.put(params, drainTimeout);
        StepParameters.PAUSE_GRACE.put(params, pauseGrace);
        Outcome fired =
                ctx.control().fire(ctx.pair(), PairEvent.SWITCHOVER_REQUESTED, params, Map.of("reason", reason));
        return drive(fired, started);
    }

    /**
     * Failback to the primary; resumes one already in progress. Refused without any change while the primary
     * does not answer a probe. {@code dwell}: how long the primary must stay healthy first ({@code null}: config).
     */
    public Report failback(Duration dwell, String reason) throws Exception {
        Stopwatch started = ctx.time().stopwatch();
        ControlRecord record = ctx.control().read(ctx.pair());
        if (PairState.valueOf(record.state()) == PairState.FAILING_BACK) {
            progress.accept("a failback is in progress at " + describe(record) + "; resuming it");
            return resume();
        }
        String unhealthy = probePrimary();
        if (unhealthy != null) {
            return new Report(
                    Result.REJECTED,
                    "failback refused: the primary " + ctx.primaryRegion() + " is not healthy (" + unhealthy
                            + "); nothing changed",
                    record,
                    null,
                    took(started));
        }
        Map<String, String> params = startParameters(record);
        params.putAll(ResumeProducers.pendingResumes(ctx));
        if (dwell != null) {
            StepParameters.DWELL.put(params, dwell);
        }
        Outcome fired = ctx.control().fire(ctx.pair(), PairEvent.FAILBACK_REQUESTED, params, Map.of("reason", reason));
        return drive(fired, started);
    }

    /**
     * Abandons a failback before it fences replication: producers resume where they are (the secondary), which
     * stays active, and reverse replication keeps running. Refused once the failback has fenced replication. The
     * abort is recorded first (a runner of the failback stands down at its next check), then producers are resumed
     * under the runner lease, once that runner has let it go: a pause of the runner's never lands after the resume.
     */
    public Report abortFailback(String reason) {
        Stopwatch started = ctx.time().stopwatch();
        ControlRecord record;
        Operation op;
        Outcome aborted;
        int attempt = 0;
        do {
            // the operation as aborted, with every parameter its runner saved (a producer's concurrency before a pause)
            record = ctx.control().read(ctx.pair());
            op = OperationCodec.fromJson(record.operation());
            if (PairState.valueOf(record.state()) != PairState.FAILING_BACK || op == null) {
                return new Report(
                        Result.REJECTED,
                        "no failback is in progress (state " + record.state() + ")",
                        record,
                        null,
                        took(started));
            }
            aborted = ctx.control().fire(record, PairEvent.OPERATION_ABORTED, Map.of(), Map.of("reason", reason), null);
        } while (aborted.result() == Outcome.Result.LOST_RACE && ++attempt < ABORT_ATTEMPTS);
        if (!aborted.applied()) {
            return new Report(Result.REJECTED, aborted.reason(), aborted.record(), op.id(), took(started));
        }
        OperationLease lease = ctx.control().lease(ctx.pair());
        Duration wait = lease.ttl().multipliedBy(2);
        boolean held;
        try {
            held = lease.await("abort of failback " + op.id() + ": resume producers", wait, LEASE_POLL, progress);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            held = false;
        }
        if (!held) {
            ControlRecord now = ctx.control().read(ctx.pair());
            return new Report(
                    Result.ABORTED,
                    "failback abandoned, but producers were not resumed: the runner lease is "
                            + "still held ("
                            + lease.holder().map(Object::toString).orElse("?") + ") after waiting up to "
                            + wait.toSeconds() + " s; run ./kinesis-ha failback --abort --yes again",
                    now,
                    op.id(),
                    took(started));
        }
        try {
            new ResumeProducers(support, false).resume(op, null);
        } finally {
            lease.release();
        }
        ControlRecord now = ctx.control().read(ctx.pair());
        return new Report(
                Result.ABORTED,
                "failback abandoned: " + now.activeRegion() + " stays active, replication "
                        + (now.direction() == null ? "none" : now.direction()) + ", producers resumed",
                now,
                op.id(),
                took(started));
    }

    /** One probe of the primary: null when it answered, else what went wrong. */
    private String probePrimary() {
        try (io.kinesisha.controller.health.KinesisProbe probe = new io.kinesisha.controller.health.KinesisProbe(
                io.kinesisha.common.aws.AwsTargets.kinesis(ctx.config(), ctx.side(ctx.primaryRegion())),
                ctx.streamArn(ctx.primaryRegion()),
                ctx.config().health().probeTimeout(),
                ctx.clock())) {
            io.kinesisha.controller.health.ProbeResult r = probe.probe();
            return r.healthy() ? null : r.error();
        }
    }

    /** Runs the recorded operation from its recorded step to the end (after a crash, or for the loop). */
    public Report resume() throws Exception {
        Stopwatch started = ctx.time().stopwatch();
        ControlRecord record = ctx.control().read(ctx.pair());
        Operation op = OperationCodec.fromJson(record.operation());
        if (op == null) {
            return new Report(Result.UNCHANGED, "no operation is running", record, null, took(started));
        }
        return run(op, started);
    }

    /** What {@code event} would do now, and each step's calls (reads allowed, no writes). */
    public Plan plan(PairEvent event) {
        ControlRecord record = ctx.control().read(ctx.pair());
        Transition t = new StateMachine().on(PairState.valueOf(record.state()), event);
        Operation running = OperationCodec.fromJson(record.operation());
        List<Step> steps = t.starts() != null
                ? t.starts().steps()
                : running != null
                        ? running.steps()
                                .subList(running.currentStep(), running.steps().size())
                        : List.of();
        List<PlannedStep> planned = new ArrayList<>();
        OperationType type = t.starts() != null ? t.starts() : running != null ? running.type() : null;
        OperationSteps operation = type == null ? null : handler(type);
        String active = record.activeRegion();
        for (Step s : steps) {
            OperationStep step = operation.step(s);
            planned.add(new PlannedStep(s, step.plan(record, active)));
            active = step.activeAfter(active);
        }
        return new Plan(t.toString(), t.allowed(), planned);
    }

    /** The operation of {@code type} as its list of steps. */
    public OperationSteps handler(OperationType type) {
        return switch (type) {
            case FAILOVER -> FailoverOperation.steps(support);
            case SWITCHOVER -> SwitchoverOperation.steps(support);
            case FAILBACK -> FailbackOperation.steps(support);
        };
    }

    private Report drive(Outcome fired, Stopwatch started) throws Exception {
        return switch (fired.result()) {
            case REJECTED -> new Report(Result.REJECTED, fired.reason(), fired.record(), null, took(started));
            case LOST_RACE -> new Report(Result.LOST_RACE, fired.reason(), fired.record(), null, took(started));
            case UNCHANGED -> new Report(Result.UNCHANGED, fired.reason(), fired.record(), null, took(started));
            case APPLIED -> run(OperationCodec.fromJson(fired.record().operation()), started);
        };
    }

    private Report run(Operation op, Stopwatch started) throws Exception {
        progress.accept(op.type() + " " + op.id() + ": running from step " + (op.currentStep() + 1) + "/"
                + op.steps().size() + (op.finished() ? "" : " (" + op.step() + ")"));
        Outcome outcome;
        try {
            outcome = new OperationRunner(ctx.control()).run(ctx.pair(), logging(handler(op.type())));
        } catch (DrainTimeoutException timeout) {
            return abort(op, timeout.getMessage(), started);
        }
        return switch (outcome.result()) {
            case APPLIED ->
                new Report(
                        Result.COMPLETED,
                        op.type() + " completed: active region "
                                + outcome.record().activeRegion() + ", epoch "
                                + outcome.record().epoch(),
                        outcome.record(),
                        op.id(),
                        took(started));
            case LOST_RACE -> new Report(Result.LOST_RACE, outcome.reason(), outcome.record(), op.id(), took(started));
            case REJECTED -> new Report(Result.REJECTED, outcome.reason(), outcome.record(), op.id(), took(started));
            case UNCHANGED -> new Report(Result.UNCHANGED, outcome.reason(), outcome.record(), op.id(), took(started));
        };
    }

    private Report abort(Operation op, String why, Stopwatch started) {
        OperationLease lease = ctx.control().lease(ctx.pair());
        if (!lease.acquire("abort " + op.type() + " " + op.id() + ": resume producers")) {
            return new Report(
                    Result.LOST_RACE,
                    why + "; the abort stands down: " + op.type() + " " + op.id() + " is run by "
                            + lease.holder().map(Object::toString).orElse("another runner") + " now",
                    ctx.control().read(ctx.pair()),
                    op.id(),
                    took(started));
        }
        Outcome aborted;
        try {
            progress.accept(op.type() + " aborted: " + why + "; resuming producers in "
                    + ctx.control().read(ctx.pair()).activeRegion());
            ControlRecord current = ctx.control().read(ctx.pair());
            Operation recorded = OperationCodec.fromJson(current.operation());
            new ResumeProducers(support, false).resume(recorded == null ? op : recorded, null);
            aborted = ctx.control().fire(ctx.pair(), PairEvent.OPERATION_ABORTED, Map.of(), Map.of("reason", why));
        } finally {
            lease.release();
        }
        if (!aborted.applied()) {
            return new Report(
                    Result.REJECTED,
                    "drain timed out (" + why + ") and the abort was refused: " + aborted.reason(),
                    aborted.record(),
                    op.id(),
                    took(started));
        }
        return new Report(
                Result.ABORTED,
                why + "; producers resumed in " + aborted.record().activeRegion() + ", nothing moved",
                aborted.record(),
                op.id(),
                took(started));
    }

    private StepHandler logging(StepHandler handler) {
        return (step, op, record) -> {
            Stopwatch t = ctx.time().stopwatch();
            progress.accept("step " + (op.currentStep() + 1) + "/" + op.steps().size() + " " + step + " ...");
            OperationRunner.StepResult r = handler.run(step, op, record);
            progress.accept("step " + (op.currentStep() + 1) + "/" + op.steps().size() + " " + step + " done in "
                    + took(t).toMillis() + " ms");
            return r;
        };
    }

    private static Map<String, String> startParameters(ControlRecord record) {
        Map<String, String> p = new LinkedHashMap<>();
        StepParameters.FROM_DIRECTION.put(p, record.direction());
        StepParameters.FROM_EPOCH.put(p, record.epoch());
        return p;
    }

    /** The failover parameters the health evaluator passes when it starts one. */
    public static Map<String, String> failoverParameters(ControlRecord record) {
        return startParameters(record);
    }

    private static String describe(ControlRecord record) {
        Operation op = OperationCodec.fromJson(record.operation());
        return op == null
                ? "no step"
                : "step " + (op.currentStep() + 1) + "/" + op.steps().size() + (op.finished() ? "" : " " + op.step());
    }

    private static Duration took(Stopwatch started) {
        return started.elapsed();
    }
}
