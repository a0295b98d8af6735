package io.kinesisha.cli.control;

import io.kinesisha.cli.ConfigOptions;
import io.kinesisha.cli.OutputOptions;
import io.kinesisha.common.control.ControlRecord;
import io.kinesisha.controller.operations.PairContext;
import io.kinesisha.controller.reconcile.OrphanReport;
import io.kinesisha.controller.reconcile.Reconciliation;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** The orphans of the last switch: reported exactly, and with --apply reconciled by the configured policy. */
@Command(
        name = "orphans",
        mixinStandardHelpOptions = true,
        description = {
            "Report the records the old primary acknowledged that never reached the active region (per shard:",
            "count, first/last sequence number and arrival, keys). Reads only, unless --apply: then the policy",
            "failback.orphan-policy is carried out (republish copies each orphan once, recorded in a ledger, so a",
            "re-run copies nothing twice; report-only changes nothing). The old primary must be reachable."
        })
public final class OrphansCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ConfigOptions config;

    @Mixin
    OutputOptions output;

    @Option(names = "--apply", description = "Carry out the orphan policy (needs --yes).")
    boolean apply;

    @Option(
            names = {"-y", "--yes"},
            description = "Confirm --apply.")
    boolean yes;

    @Override
    public Integer call() throws Exception {
        if (apply && !yes) {
            throw new IllegalArgumentException(
                    "--apply changes the active stream: add --yes to confirm (without --apply"
                            + " the command only reports)");
        }
        try (PairContext ctx = ControlSession.open(config)) {
            ControlSession.requireRecord(ctx);
            ControlRecord record = ctx.control().read(ctx.pair());
            Reconciliation.Result result = new Reconciliation(ctx, Progress.to(spec, output))
                    .run(record, ctx.config().failback().orphanPolicy(), apply);
            print(spec.commandLine().getOut(), result.report());
            return 0;
        }
    }

    private void print(PrintWriter out, OrphanReport r) {
        if (output.json()) {
            output.printJson(out, view(r));
            return;
        }
        out.println(
                "orphans of " + r.oldPrimary() + " against the cut of " + r.activeRegion() + " (epoch " + r.cutEpoch()
                        + (r.cutTakenAt() == null ? "" : ", " + r.cutTakenAt()) + "): " + r.orphans() + " record(s), "
                        + r.keys()
                        + " key(s)");
        for (OrphanReport.ShardOrphans s : r.shards()) {
            out.printf(
                    "  %s  %d record(s), %d key(s)  first %s (%s)  last %s (%s)%n",
                    s.shardId(),
                    s.count(),
                    s.keys(),
                    s.firstSequenceNumber(),
                    s.firstArrival(),
                    s.lastSequenceNumber(),
                    s.lastArrival());
        }
        if (!r.keyExamples().isEmpty()) {
            out.println("  keys: " + String.join(", ", r.keyExamples())
                    + (r.keys() > r.keyExamples().size() ? ", ..." : ""));
        }
        out.println("  replicated after the last progress row (not orphans): " + r.replicatedAfterLastProgress());
        out.println("  keys with newer records already in " + r.activeRegion() + ": " + r.keysOrderedAfterNewer());
        OrphanReport.Republish p = r.republish();
        out.println("  policy " + r.policy() + ": copied before " + p.alreadyCopied() + ", copied now " + p.copiedNow()
                + ", recovered from an interrupted batch " + p.recoveredFromInterruptedBatch() + ", remaining "
                + p.remaining());
        if (p.recoveredFromInterruptedBatch() > 0) {
            out.println("  interrupted batch: " + p.recognisedInInterruptedBatch() + " copy(ies) found landed, "
                    + p.rewrittenFromInterruptedBatch() + " written again, of which " + p.possibleDuplicates()
                    + " possible duplicate(s)"
                    + (p.possibleDuplicateExamples().isEmpty()
                            ? ""
                            : ": " + String.join(", ", p.possibleDuplicateExamples()))
                    + (p.interruptedBatchesByContent() == 0
                            ? ""
                            : "; " + p.interruptedBatchesByContent()
                                    + " batch(es) without tips (older version) recognised by content after the cut"));
        }
        out.println("  " + r.note());
        out.flush();
    }

    static Map<String, Object> view(OrphanReport r) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("pair", r.pair());
        v.put("oldPrimary", r.oldPrimary());
        v.put("activeRegion", r.activeRegion());
        v.put("cutEpoch", r.cutEpoch());
        v.put("cutTakenAt", r.cutTakenAt() == null ? null : r.cutTakenAt().toString());
        v.put("fencedDirection", r.fencedDirection());
        v.put("fencedEpoch", r.fencedEpoch());
        v.put("orphans", r.orphans());
        v.put("keys", r.keys());
        v.put("keysOrderedAfterNewer", r.keysOrderedAfterNewer());
        v.put("replicatedAfterLastProgress", r.replicatedAfterLastProgress());
        List<Map<String, Object>> shards = r.shards().stream()
                .map(s -> {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("shardId", s.shardId());
                    m.put("count", s.count());
                    m.put("firstSequenceNumber", s.firstSequenceNumber());
                    m.put("lastSequenceNumber", s.lastSequenceNumber());
                    m.put("firstArrival", s.firstArrival().toString());
                    m.put("lastArrival", s.lastArrival().toString());
                    m.put("keys", s.keys());
                    return m;
                })
                .collect(Collectors.toList());
        v.put("shards", shards);
        v.put("keyExamples", r.keyExamples());
        v.put("policy", r.policy());
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("alreadyCopied", r.republish().alreadyCopied());
        p.put("copiedNow", r.republish().copiedNow());
        p.put("recoveredFromInterruptedBatch", r.republish().recoveredFromInterruptedBatch());
        p.put("remaining", r.republish().remaining());
        p.put("recognisedInInterruptedBatch", r.republish().recognisedInInterruptedBatch());
        p.put("rewrittenFromInterruptedBatch", r.republish().rewrittenFromInterruptedBatch());
        p.put("possibleDuplicates", r.republish().possibleDuplicates());
        p.put("possibleDuplicateExamples", r.republish().possibleDuplicateExamples());
        p.put("interruptedBatchesByContent", r.republish().interruptedBatchesByContent());
        v.put("republish", p);
        v.put("note", r.note());
        return v;
    }
}
