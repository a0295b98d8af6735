package io.kinesisha.controller.operations.steps;

import io.kinesisha.common.control.ControlRecord;
import io.kinesisha.common.control.StreamCut;
import io.kinesisha.controller.actions.ApiCall;
import io.kinesisha.controller.operations.PairContext;
import io.kinesisha.controller.reconcile.StreamTips;
import io.kinesisha.controller.statemachine.Operation;
import io.kinesisha.controller.statemachine.OperationRunner.StepResult;
import io.kinesisha.controller.statemachine.Step;
import io.kinesisha.controller.time.ControllerTime;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Records the cut of the region about to become active (its stream's last record per shard): after an unplanned
 * fence it first lets the fence settle (a fenced replicator may still finish a write), so the tips are final
 * before producers arrive. Replication out of that region later starts after the cut.
 */
public final class MarkCut implements OperationStep {
    /** How often the runner lease is renewed while the fence settles. */
    static final Duration KEEP_ALIVE = Duration.ofSeconds(1);

    private final StepSupport s;
    private final String region;
    private final boolean settle;

    /** {@code settle}: wait for the fence to settle first (after an unplanned fence, which nothing drained). */
    public MarkCut(StepSupport support, String region, boolean settle) {
        this.s = support;
        this.region = region;
        this.settle = settle;
    }

    @Override
    public Step id() {
        return Step.MARK_CUT;
    }

    @Override
    public StepResult run(Operation op, ControlRecord record) throws InterruptedException {
        PairContext ctx = s.ctx();
        Optional<StreamCut> existing = ctx.ledger().cut(ctx.pair(), region, record.epoch());
        Map<String, String> evidence = new LinkedHashMap<>();
        StreamCut cut;
        if (existing.isPresent()) {
            cut = existing.get();
            evidence.put("cut", "already taken at " + cut.takenAt());
        } else {
            if (settle) {
                settle(op, record, evidence);
            }
            Map<String, String> tips = StreamTips.take(
                    ctx.kinesis(region), ctx.streamArn(region), s.time().clock());
            s.before("record the cut of " + region);
            cut = ctx.ledger()
                    .putCut(new StreamCut(
                            ctx.pair(),
                            region,
                            record.epoch(),
                            s.time().now(),
                            s.fromDirection(op, record),
                            s.fromEpoch(op, record),
                            tips));
        }
        evidence.put("cut.region", cut.region());
        evidence.put("cut.epoch", Long.toString(cut.epoch()));
        evidence.put("cut.fenced", cut.fencedDirection() + " epoch " + cut.fencedEpoch());
        cut.tips().forEach((shard, tip) -> evidence.put("cut." + shard, tip.isEmpty() ? "(empty)" : tip));
        return StepResult.done(evidence);
    }

    private void settle(Operation op, ControlRecord record, Map<String, String> evidence) throws InterruptedException {
        ControllerTime time = s.time();
        Duration wait = StepParameters.SETTLE.in(op, s.ctx().config().failback().fenceSettle());
        Instant until = StepParameters.FENCED_AT.in(op, time.now()).plus(wait);
        long left = Duration.between(time.now(), until).toMillis();
        if (left > 0) {
            s.progress("letting the fence settle for up to " + left + " ms (a fenced replicator may finish"
                    + " a write), less once every writer acknowledged the fence");
            ControllerTime.Stopwatch[] sinceKeepAlive = {time.stopwatch()};
            FenceSettle.Ended ended = new FenceSettle(
                            FenceSettle.Records.of(s.ctx().store(), s.ctx().pair()), time, () -> {
                                if (sinceKeepAlive[0].elapsed().compareTo(KEEP_ALIVE) >= 0) {
                                    s.waiting("the fence to settle");
                                    sinceKeepAlive[0] = time.stopwatch();
                                }
                            })
                    .await(s.fromDirection(op, record), s.fromEpoch(op, record), until);
            evidence.put("fence.acknowledged", Boolean.toString(ended.acknowledged()));
            evidence.put("fence.waitedMillis", Long.toString(ended.waited().toMillis()));
            evidence.put("fence.settleEnd", ended.detail());
        }
        evidence.put("fence.settledMillis", Long.toString(wait.toMillis()));
    }

    @Override
    public List<ApiCall> plan(ControlRecord record, String active) {
        PairContext ctx = s.ctx();
        return List.of(new ApiCall(
                "dynamodb",
                "PutItem",
                "control",
                Map.of(
                        "Put cut item",
                        "pair#" + ctx.pair() + "#cut " + region + "#<epoch>: last sequence number per shard of "
                                + ctx.streamArn(region),
                        "ConditionExpression",
                        "attribute_not_exists(pk)")));
    }
}
