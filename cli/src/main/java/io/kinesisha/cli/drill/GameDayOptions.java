package io.kinesisha.cli.drill;

import io.kinesisha.cli.control.Durations;
import io.kinesisha.testkit.LocalEnvironment;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import picocli.CommandLine.Option;

/** The size of a game day, shared by {@code drill} and {@code demo}, and where its environment lives. */
public final class GameDayOptions {
    @Option(
            names = "--duration",
            defaultValue = "60s",
            paramLabel = "DURATION",
            description = "Load time around the outage, e.g. 60s, 2m (default: ${DEFAULT-VALUE}).")
    String duration;

    @Option(
            names = "--rate",
            defaultValue = "50",
            description = {
                "Records per second (default: ${DEFAULT-VALUE}). The emulator replicates",
                "roughly 100-200 records/s on 2 cores: above that, replication back cannot catch up and failback waits."
            })
    int rate;

    @Option(names = "--keys", defaultValue = "50", description = "Partition keys (default: ${DEFAULT-VALUE}).")
    int keys;

    @Option(names = "--shards", defaultValue = "2", description = "Shards per stream (default: ${DEFAULT-VALUE}).")
    int shards;

    /** Validated settings; the environment goes to {@code $KINESIS_HA_HOME/<name>/<UTC timestamp>}. */
    public GameDay.Settings settings(boolean consumer, String name) throws IOException {
        return settings(consumer, false, name);
    }

    /** As {@link #settings(boolean, String)}; {@code kcl} adds a real KCL application to the consumers. */
    public GameDay.Settings settings(boolean consumer, boolean kcl, String name) throws IOException {
        Duration d = Durations.parse("--duration", duration, Duration.ofSeconds(20), Duration.ofHours(2));
        String home = System.getenv("KINESIS_HA_HOME");
        Path base = home == null || home.isBlank() ? Paths.get(".kinesis-ha") : Paths.get(home);
        Path dir = base.resolve(name)
                .resolve(java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")
                        .withZone(java.time.ZoneOffset.UTC)
                        .format(java.time.Instant.now()))
                .toAbsolutePath();
        Files.createDirectories(dir);
        return new GameDay.Settings(
                d,
                rate,
                keys,
                shards,
                consumer,
                consumer && kcl,
                dir,
                LocalEnvironment.DEFAULT_PRIMARY,
                LocalEnvironment.DEFAULT_SECONDARY);
    }
}
