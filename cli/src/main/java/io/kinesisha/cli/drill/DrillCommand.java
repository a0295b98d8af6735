package io.kinesisha.cli.drill;

import io.kinesisha.cli.OutputOptions;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** A game day on the local environment, with a report; exit 0 only when nothing was lost. */
@Command(
        name = "drill",
        mixinStandardHelpOptions = true,
        description = {
            "Game day on a fresh local two-region environment: keyed load, the primary stopped (SIGTERM),",
            "automatic failover, the primary restarted, failback, then both streams checked record by record.",
            "Prints the report (--output json for automation); exit 0 when nothing acknowledged was lost, 5 otherwise."
        })
public final class DrillCommand implements Callable<Integer> {
    /** Exit code of a game day that lost, looped or reordered records. */
    public static final int FAILED = 5;

    @Spec
    CommandSpec spec;

    @Mixin
    OutputOptions output;

    @Mixin
    GameDayOptions size;

    @Override
    public Integer call() throws Exception {
        GameDay.Settings settings = size.settings(false, "drill");
        GameDayReport report = GameDayRun.run(spec, settings, output.json());
        PrintWriter out = spec.commandLine().getOut();
        if (output.json()) {
            output.printJson(out, report);
        } else {
            out.println("kinesis-ha drill report");
            report.printText(out);
        }
        return report.passed() ? 0 : FAILED;
    }
}
