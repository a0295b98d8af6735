package io.kinesisha.controller.operations.steps;

import io.kinesisha.common.config.KclApplication;
import io.kinesisha.common.control.ControlRecord;
import io.kinesisha.common.control.ReplicationStart;
import io.kinesisha.common.control.RepublishBatch;
import io.kinesisha.common.control.ShardProgress;
import io.kinesisha.common.control.StreamCut;
import io.kinesisha.controller.actions.ApiCall;
import io.kinesisha.controller.kcl.KclLeaseMigration;
import io.kinesisha.controller.kcl.KclLeaseMigration.Plan;
import io.kinesisha.controller.kcl.KclLeaseMigration.Side;
import io.kinesisha.controller.kcl.KclLeaseTable;
import io.kinesisha.controller.operations.PairContext;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The KCL applications' part of starting consumers in the newly active region: their leases there are written
 * at the translated positions before they restart (they are started by their operators after the step, see the
 * runbook). Lambda consumers are {@link io.kinesisha.controller.actions.ConsumerAction}'s.
 */
final class KclConsumers {
    private final PairContext ctx;

    KclConsumers(PairContext ctx) {
        this.ctx = ctx;
    }

    /** Writes every application's leases for {@code record}'s active region; evidence per application. */
    Map<String, String> start(ControlRecord record) {
        Map<String, String> evidence = new LinkedHashMap<>();
        if (ctx.config().kclApplications().isEmpty()) {
            return evidence;
        }
        String active = record.activeRegion();
        Optional<StreamCut> targetCut = ctx.ledger()
                .cut(ctx.pair(), active, record.epoch())
                .or(() -> ctx.ledger().latestCut(ctx.pair(), active, record.epoch()));
        for (KclApplication app : ctx.config().kclApplications()) {
            Plan plan = plan(app, active, record.epoch(), targetCut);
            if (plan.skips() != 0) {
                throw new IllegalStateException("KCL application " + app.name() + ": the translation would skip "
                        + plan.skips() + " records; no lease written");
            }
            KclLeaseMigration.write(plan, table(app, active));
            evidence.putAll(plan.evidence());
        }
        return evidence;
    }

    /** The lease writes {@link #start} would make if {@code target} became active now (reads only). */
    List<ApiCall> describe(String target, long epoch) {
        List<ApiCall> calls = new ArrayList<>();
        for (KclApplication app : ctx.config().kclApplications()) {
            try {
                calls.addAll(plan(app, target, epoch, Optional.empty()).calls());
            } catch (RuntimeException e) {
                calls.add(new ApiCall(
                        "dynamodb",
                        "(cannot plan: " + e.getClass().getSimpleName() + ")",
                        target,
                        Map.of("application", app.name(), "error", String.valueOf(e.getMessage()))));
            }
        }
        return calls;
    }

    private Plan plan(KclApplication app, String active, long epoch, Optional<StreamCut> targetCut) {
        String source = ctx.other(active);
        Optional<StreamCut> sourceCut = ctx.ledger().latestCut(ctx.pair(), source, epoch);
        Optional<StreamCut> fenced = targetCut.filter(c -> c.fencedDirection() != null);
        List<ShardProgress> progress = fenced.map(
                        c -> ctx.store().readProgress(ctx.pair(), c.fencedDirection(), c.fencedEpoch()))
                .orElse(List.of());
        Optional<ReplicationStart> start =
                fenced.flatMap(c -> ctx.ledger().start(ctx.pair(), c.fencedDirection(), c.fencedEpoch()));
        return KclLeaseMigration.plan(
                app.name(),
                side(app, source),
                side(app, active),
                sourceCut,
                targetCut,
                start,
                progress,
                sourceCut.map(c -> republished(c.epoch())).orElse(Map.of()));
    }

    /**
     * The orphans republished into the source against its cut (a failback's, or {@code orphans --apply}): each copy's
     * position to its original's. Only COPIED batches: the replication out of the source skips exactly these.
     */
    private Map<String, String> republished(long cutEpoch) {
        Map<String, String> copies = new HashMap<>();
        for (RepublishBatch batch : ctx.ledger().batches(ctx.pair(), cutEpoch)) {
            if (batch.state() == RepublishBatch.State.COPIED) {
                for (int i = 0; i < batch.targets().size(); i++) {
                    copies.put(batch.targets().get(i), batch.orphanIds().get(i));
                }
            }
        }
        return copies;
    }

    private Side side(KclApplication app, String region) {
        return new Side(region, ctx.kinesis(region), ctx.streamArn(region), table(app, region));
    }

    private KclLeaseTable table(KclApplication app, String region) {
        return new KclLeaseTable(ctx.dynamo(region), app.leaseTable(region).orElseThrow());
    }
}
