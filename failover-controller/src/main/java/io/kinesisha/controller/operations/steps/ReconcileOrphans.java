package io.kinesisha.controller.operations.steps;

import io.kinesisha.common.control.ControlRecord;
import io.kinesisha.controller.actions.ApiCall;
import io.kinesisha.controller.operations.PairContext;
import io.kinesisha.controller.reconcile.OrphanRepublisher;
import io.kinesisha.controller.reconcile.Reconciliation;
import io.kinesisha.controller.statemachine.Operation;
import io.kinesisha.controller.statemachine.OperationRunner.StepResult;
import io.kinesisha.controller.statemachine.Step;
import java.util.List;
import java.util.Map;

/**
 * Applies the orphan policy to what the switch that made the active region's cut left in the old primary (records
 * it acknowledged that no replicator copied); each republish batch is confirmed under the runner lease first.
 */
public final class ReconcileOrphans implements OperationStep {
    private final StepSupport s;

    public ReconcileOrphans(StepSupport support) {
        this.s = support;
    }

    @Override
    public Step id() {
        return Step.RECONCILE_ORPHANS;
    }

    @Override
    public StepResult run(Operation op, ControlRecord record) {
        PairContext ctx = s.ctx();
        s.before("reconcile orphans");
        Reconciliation.Result r = new Reconciliation(ctx, s.progress())
                .withHook(new OrphanRepublisher.BatchHook() {
                    @Override
                    public void afterPut(int batchNumber) {
                        // recorded by the ledger right after
                    }

                    @Override
                    public void beforePut(int batchNumber) {
                        s.before("republish orphan batch " + batchNumber);
                    }
                })
                .run(record, ctx.config().failback().orphanPolicy(), true);
        return StepResult.done(r.evidence());
    }

    @Override
    public List<ApiCall> plan(ControlRecord record, String active) {
        PairContext ctx = s.ctx();
        return List.of(
                new ApiCall(
                        "kinesis",
                        "PutRecords",
                        active,
                        Map.of(
                                "StreamARN",
                                ctx.streamArn(active),
                                "Records",
                                "the orphans of " + ctx.other(active) + " (policy "
                                        + ctx.config().failback().orphanPolicy() + "; see ./kinesis-ha orphans)")),
                new ApiCall(
                        "dynamodb",
                        "PutItem",
                        "control",
                        Map.of(
                                "Put republish batch",
                                "pair#" + ctx.pair()
                                        + "#republish <cut epoch>#<batch>: INTENDED before, COPIED after each PutRecords")));
    }
}
