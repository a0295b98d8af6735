package io.kinesisha.cli.control;

import io.kinesisha.cli.ConfigOptions;
import io.kinesisha.cli.OutputOptions;
import io.kinesisha.controller.operations.OperationDriver;
import io.kinesisha.controller.operations.PairContext;
import io.kinesisha.controller.statemachine.PairEvent;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Unplanned failover by hand: promote the secondary now, recording the RPO evidence. */
@Command(
        name = "failover",
        mixinStandardHelpOptions = true,
        description = {
            "Unplanned failover: fence replication, promote the secondary without waiting for the primary,",
            "move producers and consumers, and record the RPO evidence (last replicated position per shard, lag).",
            "Resumes a failover already in progress at its recorded step."
        })
public final class FailoverCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ConfigOptions config;

    @Mixin
    OutputOptions output;

    @Mixin
    Confirmation confirmation;

    @Option(names = "--reason", defaultValue = "operator request", description = "Why (kept in the audit trail).")
    String reason;

    @Override
    public Integer call() throws Exception {
        if (reason.isBlank()) {
            throw new IllegalArgumentException("--reason must not be blank");
        }
        try (PairContext ctx = ControlSession.open(config)) {
            ControlSession.requireRecord(ctx);
            OperationDriver driver = new OperationDriver(ctx, Progress.to(spec, output));
            if (confirmation.dryRun()) {
                return Progress.printPlan(spec, output, driver.plan(PairEvent.FAILOVER_REQUESTED));
            }
            if (!confirmation.confirm(
                    "failover",
                    "fail pair " + ctx.pair() + " over to " + ctx.secondaryRegion()
                            + " now (records not yet replicated stay behind in " + ctx.primaryRegion() + ")",
                    spec.commandLine().getErr())) {
                return Confirmation.DECLINED;
            }
            return Progress.printReport(spec, output, driver.failover(reason));
        }
    }
}
