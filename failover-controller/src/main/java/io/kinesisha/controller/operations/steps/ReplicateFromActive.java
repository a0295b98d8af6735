package io.kinesisha.controller.operations.steps;

import io.kinesisha.common.control.ControlRecord;
import io.kinesisha.common.control.ReplicationDirection;
import io.kinesisha.common.kinesis.JobManagedConsumer;
import io.kinesisha.controller.actions.ActionResult;
import io.kinesisha.controller.actions.ApiCall;
import io.kinesisha.controller.actions.ReplicationAction;
import io.kinesisha.controller.actions.ReplicatorApplicationAction;
import io.kinesisha.controller.operations.PairContext;
import io.kinesisha.controller.statemachine.Operation;
import io.kinesisha.controller.statemachine.OperationRunner.StepResult;
import io.kinesisha.controller.statemachine.Step;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Replicates from the active region to the other one under a new epoch, starting after the active region's cut;
 * with Managed Flink applications configured, stops the opposite direction's application and starts this one's
 * without a snapshot.
 */
public final class ReplicateFromActive implements OperationStep {
    /** Managed Flink applications take minutes to stop and start. */
    static final Duration APPLICATION_WAIT = Duration.ofMinutes(10);

    static final Duration APPLICATION_POLL = Duration.ofSeconds(5);

    private final StepSupport s;

    public ReplicateFromActive(StepSupport support) {
        this.s = support;
    }

    @Override
    public Step id() {
        return Step.REPLICATE_FROM_ACTIVE;
    }

    @Override
    public StepResult run(Operation op, ControlRecord record) throws InterruptedException {
        PairContext ctx = s.ctx();
        String active = record.activeRegion();
        ReplicationDirection direction = new ReplicationDirection(active, ctx.other(active));
        Map<String, String> startEvidence = new LinkedHashMap<>();
        s.before("replicate " + direction);
        long epoch = ReplicationStarts.routeAndRecord(
                ctx,
                record,
                direction,
                () -> Long.parseLong(new ReplicationAction(ctx.control(), ctx.pair(), active, direction)
                        .execute()
                        .outputs()
                        .get("epoch")),
                startEvidence);
        String start = ctx.ledger()
                .latestCut(ctx.pair(), active, epoch)
                .map(c -> "after the cut of " + active + " at epoch " + c.epoch() + " (" + c.takenAt() + ")")
                .orElse("at the configured starting position (no cut of " + active + ")");
        Map<String, String> evidence = new LinkedHashMap<>();
        evidence.put("direction", direction.toString());
        evidence.put("epoch", Long.toString(epoch));
        evidence.putAll(startEvidence);
        evidence.put(
                "replicator",
                "a replicator for " + direction + " writes only under epoch " + epoch + " and starts " + start);
        Optional<String> app = ctx.replicatorApplication(direction);
        if (app.isPresent()) {
            switchApplications(direction, app.get(), evidence);
        } else {
            evidence.put(
                    "application", "no Managed Flink applications configured: run ./kinesis-ha replicate --follow");
        }
        // a later fence in the same operation replaces this direction, also when it runs again after a crash
        Map<String, String> parameters = new LinkedHashMap<>();
        StepParameters.FROM_DIRECTION.put(parameters, direction);
        StepParameters.FROM_EPOCH.put(parameters, epoch);
        return new StepResult(parameters, evidence);
    }

    private void switchApplications(ReplicationDirection direction, String app, Map<String, String> evidence) {
        PairContext ctx = s.ctx();
        ReplicationDirection opposite = new ReplicationDirection(direction.targetRegion(), direction.sourceRegion());
        String otherApp = ctx.replicatorApplication(opposite).orElseThrow();
        ActionResult stopped = new ReplicatorApplicationAction(
                        ctx.flink(opposite.targetRegion()),
                        opposite.targetRegion(),
                        otherApp,
                        ReplicatorApplicationAction.Goal.STOP,
                        APPLICATION_WAIT,
                        APPLICATION_POLL,
                        s.progress(),
                        JobManagedConsumer.of(ctx.config(), opposite),
                        () -> JobManagedConsumer.of(ctx.config(), opposite)
                                .orElseThrow()
                                .retire(ctx.kinesis(opposite.sourceRegion())))
                .withTime(s.time())
                .withGuard(s::before)
                .execute();
        evidence.put("application." + otherApp, stopped.changed() ? "stopped" : "not running");
        if (stopped.outputs().containsKey("consumer")) {
            evidence.put(
                    "application." + otherApp + ".consumer", stopped.outputs().get("consumer"));
        }
        ActionResult started = new ReplicatorApplicationAction(
                        ctx.flink(direction.targetRegion()),
                        direction.targetRegion(),
                        app,
                        ReplicatorApplicationAction.Goal.START_FRESH,
                        APPLICATION_WAIT,
                        APPLICATION_POLL,
                        s.progress())
                .withTime(s.time())
                .withGuard(s::before)
                .execute();
        evidence.put(
                "application." + app,
                "started without a snapshot in " + direction.targetRegion()
                        + (started.calls().size() > 1 ? " (was running under an older epoch: restarted)" : ""));
    }

    @Override
    public List<ApiCall> plan(ControlRecord record, String active) {
        return List.of(Plans.controlRecord(
                s.ctx().pair(), "direction=" + active + "->" + s.ctx().other(active) + " epoch+1"));
    }
}
