package io.kinesisha.cli.control;

import io.kinesisha.cli.ConfigOptions;
import io.kinesisha.cli.OutputOptions;
import io.kinesisha.common.control.AuditEntry;
import io.kinesisha.controller.operations.PairContext;
import java.io.PrintWriter;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** The pair's audit trail: every decision with its evidence, every action, every evaluation. */
@Command(
        name = "audit",
        mixinStandardHelpOptions = true,
        description = "Show the newest audit entries (decisions with their evidence, actions, evaluations). Read-only.")
public final class AuditCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ConfigOptions config;

    @Mixin
    OutputOptions output;

    @Option(
            names = "--limit",
            defaultValue = "20",
            description = "How many entries, newest first, 1..1000 (default: ${DEFAULT-VALUE}).")
    int limit;

    @Override
    public Integer call() {
        if (limit < 1 || limit > 1000) {
            throw new IllegalArgumentException("--limit must be 1..1000, was " + limit);
        }
        try (PairContext ctx = ControlSession.open(config)) {
            ControlSession.requireRecord(ctx);
            List<AuditEntry> entries = ctx.store().readAudit(ctx.pair(), limit);
            PrintWriter out = spec.commandLine().getOut();
            if (output.json()) {
                output.printJson(out, entries.stream().map(Views::audit).toList());
                return 0;
            }
            for (AuditEntry e : entries) {
                out.println(e.at() + " " + e.kind() + " " + e.message());
                new TreeMap<>(e.evidence()).forEach((k, v) -> out.println("    " + k + " = " + v));
            }
            out.flush();
            return 0;
        }
    }
}
