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

/** Planned, loss-free move to the secondary. */
@Command(
        name = "switchover",
        mixinStandardHelpOptions = true,
        description = {
            "Planned switchover to the secondary with RPO 0: pause producers, wait until the replicator has",
            "copied everything written before the pause (bounded by --timeout; on timeout the switchover is aborted",
            "and producers resume in the primary), then move producers and consumers and resume."
        })
public final class SwitchoverCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ConfigOptions config;

    @Mixin
    OutputOptions output;

    @Mixin
    Confirmation confirmation;

    @Option(
            names = "--timeout",
            defaultValue = "30s",
            paramLabel = "DURATION",
            description = "Longest wait for replication to drain, e.g. 30s, 2m, 1500ms (default: ${DEFAULT-VALUE}).")
    String timeout;

    @Option(
            names = "--pause-grace",
            defaultValue = "1500ms",
            paramLabel = "DURATION",
            description =
                    "Time producers get to see the pause and finish writes in flight (default: ${DEFAULT-VALUE}).")
    String pauseGrace;

    @Option(names = "--reason", defaultValue = "planned switchover", description = "Why (kept in the audit trail).")
    String reason;

    @Override
    public Integer call() throws Exception {
        Duration drain = Durations.parse("--timeout", timeout, Duration.ofSeconds(1), Duration.ofHours(1));
        Duration grace = Durations.parse("--pause-grace", pauseGrace, Duration.ZERO, Duration.ofMinutes(1));
        if (reason.isBlank()) {
            throw new IllegalArgumentException("--reason must not be blank");
        }
        try (PairContext ctx = ControlSession.open(config)) {
            ControlSession.requireRecord(ctx);
            OperationDriver driver = new OperationDriver(ctx, Progress.to(spec, output));
            if (confirmation.dryRun()) {
                return Progress.printPlan(spec, output, driver.plan(PairEvent.SWITCHOVER_REQUESTED));
            }
            if (!confirmation.confirm(
                    "switchover",
                    "switch pair " + ctx.pair() + " over to " + ctx.secondaryRegion()
                            + " (producers pause for a few seconds)",
                    spec.commandLine().getErr())) {
                return Confirmation.DECLINED;
            }
            return Progress.printReport(spec, output, driver.switchover(drain, grace, reason));
        }
    }
}
