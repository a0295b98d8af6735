package io.kinesisha.cli.control;

import io.kinesisha.cli.ConfigOptions;
import io.kinesisha.cli.OutputOptions;
import io.kinesisha.controller.operations.OperationDriver;
import io.kinesisha.controller.operations.PairContext;
import io.kinesisha.controller.statemachine.PairEvent;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Back to the primary: a dry run by default, the real thing (or its resumption) with --yes. */
@Command(
        name = "failback",
        mixinStandardHelpOptions = true,
        description = {
            "Return to the primary after a failover or switchover. Without --yes: a dry run that prints every",
            "step and its calls. With --yes: check the primary stays healthy (--dwell), reconcile orphans",
            "(failback.orphan-policy), replicate back from the failover cut until caught up, switch over to the",
            "primary with RPO 0 and restart forward replication from the new cut. Resumes a failback in progress",
            "at its recorded step."
        })
public final class FailbackCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ConfigOptions config;

    @Mixin
    OutputOptions output;

    @Option(
            names = {"-y", "--yes"},
            description = "Fail back now (without it: dry run).")
    boolean yes;

    @Option(
            names = "--dwell",
            paramLabel = "DURATION",
            description =
                    "How long the primary must answer every probe first, e.g. 30s (default: failback.health-dwell-ms).")
    String dwell;

    @Option(
            names = "--abort",
            description = {
                "Abandon the failback in progress (with --yes): possible until it fences",
                "replication; the secondary stays active, producers resume, reverse replication keeps running."
            })
    boolean abort;

    @Option(names = "--reason", defaultValue = "operator failback", description = "Why (kept in the audit trail).")
    String reason;

    @Override
    public Integer call() throws Exception {
        Duration dwellTime =
                dwell == null ? null : Durations.parse("--dwell", dwell, Duration.ZERO, Duration.ofHours(1));
        if (reason.isBlank()) {
            throw new IllegalArgumentException("--reason must not be blank");
        }
        try (PairContext ctx = ControlSession.open(config)) {
            ControlSession.requireRecord(ctx);
            OperationDriver driver = new OperationDriver(ctx, Progress.to(spec, output));
            if (abort) {
                if (!yes) {
                    throw new IllegalArgumentException("--abort changes the pair: add --yes to confirm");
                }
                return Progress.printReport(spec, output, driver.abortFailback(reason));
            }
            if (!yes) {
                int code = Progress.printPlan(spec, output, driver.plan(PairEvent.FAILBACK_REQUESTED));
                spec.commandLine()
                        .getErr()
                        .println("kinesis-ha failback: dry run, nothing changed; run with --yes to fail back");
                spec.commandLine().getErr().flush();
                return code;
            }
            return Progress.printReport(spec, output, driver.failback(dwellTime, reason));
        }
    }
}
