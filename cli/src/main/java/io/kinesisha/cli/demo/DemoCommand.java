package io.kinesisha.cli.demo;

import io.kinesisha.cli.OutputOptions;
import io.kinesisha.cli.drill.DrillCommand;
import io.kinesisha.cli.drill.GameDay;
import io.kinesisha.cli.drill.GameDayOptions;
import io.kinesisha.cli.drill.GameDayReport;
import io.kinesisha.cli.drill.GameDayRun;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** The one-command tour: a regional outage and recovery on this machine, with a report to look at. */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        description = {
            "Watch a region fail and kinesis-ha keep going, on this machine: two emulated regions, the",
            "replicator, a keyed load and an order-checking consumer (with --kcl also a KCL application) following the active region,",
            "the controller with automation on. The primary is stopped, the controller fails over, the primary comes back, failback",
            "runs; then both streams are verified and an HTML report with charts is written. Ctrl-C stops everything."
        })
public final class DemoCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    OutputOptions output;

    @Mixin
    GameDayOptions size;

    @Option(
            names = "--report",
            paramLabel = "FILE",
            description = "Where to write the HTML report (default: in the run's folder).")
    Path reportFile;

    @Option(
            names = "--kcl",
            description = "Also run a real KCL 3.x application that the controller moves (its lease tables translated)"
                    + " and report its duplicates and skips. Each switch waits for its worker to hold its leases and"
                    + " read (a few seconds). Experimental: orphans republished at failback can be left unprocessed.")
    boolean kcl;

    @Override
    public Integer call() throws Exception {
        GameDay.Settings settings = size.settings(true, kcl, "demo");
        GameDayReport report = GameDayRun.run(spec, settings, output.json());
        Path html = reportFile != null ? reportFile : settings.workDir().resolve("report.html");
        Path written = writeHtml(report, GameDayRun.lastTimeline(), html);
        PrintWriter out = spec.commandLine().getOut();
        if (output.json()) {
            output.printJson(out, Map.of("report", report, "html", written.toString(), "passed", report.passed()));
        } else {
            out.println("kinesis-ha demo report");
            report.printText(out);
            out.println("  HTML report (charts):                     " + written);
            out.flush();
        }
        return report.passed() ? 0 : DrillCommand.FAILED;
    }

    static Path writeHtml(GameDayReport report, Timeline timeline, Path file) throws java.io.IOException {
        HtmlReport html = new HtmlReport("kinesis-ha demo: a regional outage, failover and failback")
                .describe(
                        "Two emulated regions on this machine. Producers and the checking consumer follow the active "
                                + "region through the control record, a KCL application is restarted in it after each switch (the "
                                + "controller translated its leases); the primary (" + report.primaryRegion()
                                + ") was stopped with "
                                + "SIGTERM, the controller failed over to " + report.secondaryRegion()
                                + " on its own, the primary "
                                + "came back and failback returned to it. Every acknowledged record was then looked up in both streams.")
                .rows(report.rows())
                .section(
                        "What the markers mean",
                        List.of(
                                "outage: the primary's emulator receives SIGTERM (its data is kept)",
                                "failover detected: the controller's decision (3 failed probes, one per second)",
                                "failover done: the secondary is active; producers and the consumer follow it",
                                "primary restored: the primary's emulator is back with its data",
                                "failback done: orphans reconciled, replication reversed and caught up, switched back with RPO 0"));
        if (timeline != null) {
            html.timeline(timeline);
        }
        return html.write(file);
    }
}
