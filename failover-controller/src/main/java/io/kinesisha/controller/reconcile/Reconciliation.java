package io.kinesisha.controller.reconcile;

import io.kinesisha.common.config.OrphanPolicy;
import io.kinesisha.common.control.ControlRecord;
import io.kinesisha.common.control.RepublishBatch;
import io.kinesisha.common.control.StreamCut;
import io.kinesisha.controller.operations.PairContext;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Orphan reconciliation for the switch that made the active region active: find the orphans against its cut,
 * then apply the policy (republish once, or report only). The same code serves {@code ./kinesis-ha orphans} and
 * the failback step, so the report an operator reads is the one the failback acts on.
 */
public final class Reconciliation {
    /** The report and its flat form for the audit trail. */
    public record Result(OrphanReport report, Map<String, String> evidence) {}

    private final PairContext ctx;
    private final Consumer<String> progress;
    private OrphanRepublisher.BatchHook hook = n -> {};

    public Reconciliation(PairContext ctx, Consumer<String> progress) {
        this.ctx = ctx;
        this.progress = progress;
    }

    /** Test seam: see {@link OrphanRepublisher.BatchHook}. */
    public Reconciliation withHook(OrphanRepublisher.BatchHook batchHook) {
        this.hook = batchHook;
        return this;
    }

    /** {@code apply}: carry out {@code policy}; otherwise only report (and what the ledger says was copied). */
    public Result run(ControlRecord record, OrphanPolicy policy, boolean apply) {
        String active = record.activeRegion();
        String old = ctx.other(active);
        String policyName = policy.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        Optional<StreamCut> cut = ctx.ledger().latestCut(ctx.pair(), active, record.epoch());
        if (cut.isEmpty()
                || cut.get().fencedDirection() == null
                || !cut.get().fencedDirection().sourceRegion().equals(old)) {
            String why = cut.isEmpty()
                    ? "no switch to " + active + " is recorded (no cut)"
                    : "the switch to " + active + " stopped no replication from " + old;
            OrphanReport none = new OrphanReport(
                    ctx.pair(),
                    old,
                    active,
                    cut.map(StreamCut::epoch).orElse(-1L),
                    cut.map(StreamCut::takenAt).orElse(null),
                    null,
                    -1,
                    0,
                    0,
                    0,
                    0,
                    List.of(),
                    List.of(),
                    policyName,
                    OrphanReport.Republish.none(0),
                    why + ": nothing can be orphaned");
            return new Result(none, evidence(none));
        }
        OrphanFinder.Findings findings;
        try {
            findings = new OrphanFinder(ctx.store(), ctx.ledger(), ctx.pair())
                    .find(
                            cut.get(),
                            old,
                            ctx.kinesis(old),
                            ctx.streamArn(old),
                            ctx.kinesis(active),
                            ctx.streamArn(active),
                            policyName);
        } catch (software.amazon.awssdk.core.exception.SdkException e) {
            throw new IllegalStateException(
                    "orphans cannot be determined: reading " + old + " or " + active + " failed ("
                            + e.getClass().getSimpleName() + ": " + e.getMessage() + "); " + old
                            + " must be reachable again for reconciliation",
                    e);
        }
        OrphanReport report = findings.report();
        OrphanReport.Republish result;
        if (apply && policy == OrphanPolicy.REPUBLISH && !findings.orphans().isEmpty()) {
            result = new OrphanRepublisher(
                            ctx.ledger(), ctx.kinesis(active), ctx.streamArn(active), ctx.pair(), ctx.time(), progress)
                    .withHook(hook)
                    .republish(cut.get().epoch(), findings);
        } else {
            result = ledgerState(cut.get().epoch(), findings);
        }
        String note = report.note()
                + (policy == OrphanPolicy.REPORT_ONLY && report.orphans() > 0
                        ? "; policy report-only: the orphans stay in " + old + " only"
                        : "")
                + (!apply && result.remaining() > 0 && policy == OrphanPolicy.REPUBLISH
                        ? "; not applied: ./kinesis-ha orphans --apply --yes (or failback) copies them"
                        : "");
        OrphanReport done = report.withPolicy(policyName, result, note);
        progress.accept("orphans: " + done.summary());
        return new Result(done, evidence(done));
    }

    private OrphanReport.Republish ledgerState(long cutEpoch, OrphanFinder.Findings findings) {
        Set<String> copied = new HashSet<>();
        for (RepublishBatch b : ctx.ledger().batches(ctx.pair(), cutEpoch)) {
            if (b.state() == RepublishBatch.State.COPIED) {
                copied.addAll(b.orphanIds());
            }
        }
        long already =
                findings.orphans().stream().filter(o -> copied.contains(o.id())).count();
        return new OrphanReport.Republish(already, 0, 0, findings.orphans().size() - already);
    }

    static Map<String, String> evidence(OrphanReport r) {
        Map<String, String> e = new LinkedHashMap<>();
        e.put("orphans.count", Long.toString(r.orphans()));
        e.put("orphans.keys", Integer.toString(r.keys()));
        e.put("orphans.keysOrderedAfterNewer", Integer.toString(r.keysOrderedAfterNewer()));
        e.put("orphans.replicatedAfterLastProgress", Long.toString(r.replicatedAfterLastProgress()));
        e.put("orphans.policy", r.policy());
        e.put("orphans.cut", r.activeRegion() + " epoch " + r.cutEpoch());
        if (r.republish() != null) {
            e.put(
                    "orphans.copied",
                    Long.toString(r.republish().alreadyCopied()
                            + r.republish().copiedNow()
                            + r.republish().recoveredFromInterruptedBatch()));
            e.put("orphans.copiedNow", Long.toString(r.republish().copiedNow()));
            e.put("orphans.remaining", Long.toString(r.republish().remaining()));
            if (r.republish().recoveredFromInterruptedBatch() > 0) {
                e.put(
                        "orphans.interruptedBatch",
                        "recognised=" + r.republish().recognisedInInterruptedBatch() + " rewritten="
                                + r.republish().rewrittenFromInterruptedBatch() + " possibleDuplicates="
                                + r.republish().possibleDuplicates() + " byContent="
                                + r.republish().interruptedBatchesByContent());
            }
            if (!r.republish().possibleDuplicateExamples().isEmpty()) {
                e.put(
                        "orphans.possibleDuplicates",
                        String.join(", ", r.republish().possibleDuplicateExamples()));
            }
        }
        for (OrphanReport.ShardOrphans s : r.shards()) {
            e.put(
                    "orphans." + s.shardId(),
                    "count=" + s.count() + " first=" + s.firstSequenceNumber() + " (" + s.firstArrival() + ") last="
                            + s.lastSequenceNumber() + " (" + s.lastArrival() + ") keys=" + s.keys());
        }
        e.put("orphans.note", r.note());
        return e;
    }
}
