package io.kinesisha.controller.operations.steps;

import static io.kinesisha.controller.operations.steps.StepParameters.FENCED_AT;

import io.kinesisha.common.control.ControlRecord;
import io.kinesisha.common.control.ReplicationDirection;
import io.kinesisha.common.control.ShardProgress;
import io.kinesisha.controller.actions.ActionResult;
import io.kinesisha.controller.actions.ApiCall;
import io.kinesisha.controller.actions.ReplicationAction;
import io.kinesisha.controller.operations.PairContext;
import io.kinesisha.controller.statemachine.Operation;
import io.kinesisha.controller.statemachine.OperationRunner.StepResult;
import io.kinesisha.controller.statemachine.Step;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Stops replication (new epoch, no direction) after taking the RPO evidence and translating the consumer positions
 * from the replication progress, which the fence ends.
 */
public final class FenceReplication implements OperationStep {
    private final StepSupport s;

    public FenceReplication(StepSupport support) {
        this.s = support;
    }

    @Override
    public Step id() {
        return Step.FENCE_REPLICATION;
    }

    @Override
    public StepResult run(Operation op, ControlRecord record) {
        PairContext ctx = s.ctx();
        Instant now = s.time().now();
        ReplicationDirection from = s.fromDirection(op, record);
        List<ShardProgress> rows =
                from == null ? List.of() : ctx.store().readProgress(ctx.pair(), from, s.fromEpoch(op, record));
        Map<String, String> evidence = new LinkedHashMap<>(ReplicationEvidence.rpo(rows, now));
        Map<String, String> parameters = new LinkedHashMap<>();
        String target = from == null ? ctx.secondaryRegion() : from.targetRegion();
        ConsumerStart start;
        try {
            start = ConsumerStart.translate(
                    rows, ctx.kinesis(target), ctx.streamArn(target), now, ConsumerStart.DEFAULT_BUFFER);
        } catch (RuntimeException e) {
            start = new ConsumerStart(
                    now.minus(ConsumerStart.DEFAULT_BUFFER), "fallback (" + e.getMessage() + ")", Map.of());
        }
        parameters.putAll(start.parameters());
        StepParameters.CONSUMER_START.put(evidence, start.timestamp());
        StepParameters.CONSUMER_START_METHOD.put(evidence, start.method());
        s.before("fence replication");
        ActionResult fenced = ReplicationAction.fence(ctx.control(), record).execute();
        evidence.put(
                "fence",
                fenced.changed()
                        ? "epoch " + fenced.outputs().get("epoch") + ", replication stopped"
                        : "already fenced (epoch " + fenced.outputs().get("epoch") + ")");
        Instant fencedAt = FENCED_AT.in(op);
        FENCED_AT.put(parameters, fencedAt != null && !fenced.changed() ? fencedAt : now);
        return new StepResult(parameters, evidence);
    }

    @Override
    public List<ApiCall> plan(ControlRecord record, String active) {
        return List.of(Plans.controlRecord(s.ctx().pair(), "direction=none epoch=" + (record.epoch() + 1)));
    }
}
