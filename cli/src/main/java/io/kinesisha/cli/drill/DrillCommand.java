package io.kinesisha.cli.drill;

import io.kinesisha.cli.OutputOptions;
import io.kinesisha.cli.control.Durations;
import io.kinesisha.common.local.LocalEnvironment;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** A game day on the local environment, with a report; exit 0 only when nothing was lost. */
@Command(name = "drill", mixinStandardHelpOptions = true,
        description = {"Game day on a fresh local two-region environment: keyed load, the primary stopped (SIGTERM),",
            "automatic failover, the primary restarted, failback, then both streams checked record by record.",
            "Prints the report (--output json for automation); exit 0 when nothing acknowledged was lost, 5 otherwise."})
public final class DrillCommand implements Callable<Integer> {
    /** Exit code of a game day that lost, looped or reordered records. */
    public static final int FAILED = 5;

    @Spec
    CommandSpec spec;

    @Mixin
    OutputOptions output;

    @Option(names = "--duration", defaultValue = "60s", paramLabel = "DURATION",
            description = "Load time around the outage, e.g. 60s, 2m (default: ${DEFAULT-VALUE}).")
    String duration;

    @Option(names = "--rate", defaultValue = "50", description = {"Records per second (default: ${DEFAULT-VALUE}). The emulator replicates",
        "roughly 100-200 records/s on 2 cores: above that, replication back cannot catch up and failback waits."})
    int rate;

    @Option(names = "--keys", defaultValue = "50", description = "Partition keys (default: ${DEFAULT-VALUE}).")
    int keys;

    @Option(names = "--shards", defaultValue = "2", description = "Shards per stream (default: ${DEFAULT-VALUE}).")
    int shards;

    @Override
    public Integer call() throws Exception {
        GameDay.Settings settings = settings(duration, rate, keys, shards, false, "drill");
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

    static GameDay.Settings settings(String duration, int rate, int keys, int shards, boolean consumer, String name)
            throws java.io.IOException {
        Duration d = Durations.parse("--duration", duration, Duration.ofSeconds(20), Duration.ofHours(2));
        String home = System.getenv("KINESIS_HA_HOME");
        Path base = home == null || home.isBlank() ? Paths.get(".kinesis-ha") : Paths.get(home);
        Path dir = base.resolve(name).resolve(java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")
                .withZone(java.time.ZoneOffset.UTC).format(java.time.Instant.now())).toAbsolutePath();
        Files.createDirectories(dir);
        return new GameDay.Settings(d, rate, keys, shards, consumer, dir, LocalEnvironment.DEFAULT_PRIMARY,
                LocalEnvironment.DEFAULT_SECONDARY);
    }
}
