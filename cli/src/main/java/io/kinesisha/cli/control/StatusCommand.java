package io.kinesisha.cli.control;

import io.kinesisha.cli.ConfigOptions;
import io.kinesisha.cli.OutputOptions;
import io.kinesisha.common.control.ControlRecord;
import io.kinesisha.common.control.ShardProgress;
import io.kinesisha.controller.operations.PairContext;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** Where a pair stands: control record, running operation and step, replication lag per source shard. */
@Command(
        name = "status",
        mixinStandardHelpOptions = true,
        description = {
            "Show a pair's control record (active region, direction, epoch, state, operation and step,",
            "automation and producers paused) and replication lag per source shard. Read-only."
        })
public final class StatusCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ConfigOptions config;

    @Mixin
    OutputOptions output;

    @Override
    public Integer call() {
        try (PairContext ctx = ControlSession.open(config)) {
            ControlSession.requireRecord(ctx);
            ControlRecord r = ctx.control().read(ctx.pair());
            List<ShardProgress> rows =
                    r.direction() == null ? List.of() : ctx.store().readProgress(ctx.pair(), r.direction(), r.epoch());
            Instant now = Instant.now();
            PrintWriter out = spec.commandLine().getOut();
            if (output.json()) {
                Map<String, Object> m = Views.record(r);
                m.put("progress", Views.progress(rows, now));
                m.putAll(Coverage.of(ctx));
                output.printJson(out, m);
                return 0;
            }
            Map<String, Object> v = Views.record(r);
            out.printf(
                    "pair %s: %s, active region %s, replication %s, epoch %d (version %d)%n",
                    r.pairName(),
                    r.state(),
                    r.activeRegion(),
                    r.direction() == null ? "stopped" : r.direction(),
                    r.epoch(),
                    r.version());
            out.printf(
                    "automation %s, producers %s%n",
                    r.automationPaused() ? "PAUSED" : "running", r.producersPaused() ? "PAUSED" : "running");
            @SuppressWarnings("unchecked")
            Map<String, Object> op = (Map<String, Object>) v.get("operation");
            out.println(
                    op == null
                            ? "no operation running"
                            : "operation " + op.get("type") + " " + op.get("id") + " at step " + op.get("stepNumber")
                                    + "/" + ((List<?>) op.get("steps")).size() + " " + op.get("step"));
            if (rows.isEmpty()) {
                out.println("no replication progress under the current direction and epoch");
            }
            for (ShardProgress p : rows) {
                out.printf(
                        "  %s: %d records, %d ms behind, updated %d ms ago%s%n",
                        p.sourceShardId(),
                        p.recordsReplicated(),
                        p.millisBehindLatest(),
                        now.toEpochMilli() - p.updatedEpochMillis(),
                        p.shardFinished() ? ", finished" : "");
            }
            Map<String, Object> coverage = Coverage.of(ctx);
            @SuppressWarnings("unchecked")
            Map<String, List<String>> moves = (Map<String, List<String>>) coverage.get("moves");
            out.println("a failover, switchover or failback moves:");
            moves.forEach((kind, items) -> {
                if (items.isEmpty()) {
                    out.printf("  %s: none configured%n", kind);
                }
                items.forEach(item -> out.printf("  %s: %s%n", kind, item));
            });
            out.println("it does not move:");
            Coverage.NEVER_MOVED.forEach(item -> out.printf("  %s%n", item));
            out.flush();
            return 0;
        }
    }
}
