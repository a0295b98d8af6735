package io.kinesisha.cli.drill;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Runs a game day for a command (drill and demo): progress on stderr (phase, elapsed, records/s, lag every two seconds), and
 * Ctrl-C stops everything it started before the JVM exits (no emulator left behind).
 */
public final class GameDayRun {
    private static volatile io.kinesisha.cli.demo.Timeline lastTimeline;

    private GameDayRun() {}

    /** The timeline of the last game day run in this JVM (for the demo's charts). */
    public static io.kinesisha.cli.demo.Timeline lastTimeline() {
        return lastTimeline;
    }

    public static GameDayReport run(CommandSpec spec, GameDay.Settings settings, boolean quiet) throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        String name = spec.name();
        // every line, also those --output json leaves off the terminal: what a slow or failed run did, step by step
        Path logFile = settings.workDir().resolve("logs").resolve(name + ".log");
        Files.createDirectories(logFile.getParent());
        PrintWriter log = new PrintWriter(Files.newBufferedWriter(logFile, StandardCharsets.UTF_8), true);
        err.println("kinesis-ha " + name + ": its whole log: " + logFile);
        GameDay day = new GameDay(settings, line -> {
            synchronized (log) {
                log.println(Instant.now() + " " + line);
            }
            if (!quiet || line.startsWith("phase:")) {
                err.println("kinesis-ha " + name + ": " + line);
                err.flush();
            }
        });
        lastTimeline = day.timeline();
        Thread hook = new Thread(day::close, name + "-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        long started = System.nanoTime();
        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, name + "-progress");
            t.setDaemon(true);
            return t;
        });
        ticker.scheduleAtFixedRate(
                () -> {
                    var samples = day.timeline().samples();
                    var last = samples.isEmpty() ? null : samples.get(samples.size() - 1);
                    err.printf(
                            "kinesis-ha %s: [%3d s] %s | %s records/s | lag %s | active %s%n",
                            name,
                            Duration.ofNanos(System.nanoTime() - started).toSeconds(),
                            day.phase(),
                            last == null ? "-" : Math.round(last.producedPerSecond()),
                            last == null || last.lagMillis() == null ? "-" : last.lagMillis() + " ms",
                            last == null ? "-" : last.activeRegion());
                    err.flush();
                },
                2,
                2,
                TimeUnit.SECONDS);
        try {
            return day.run();
        } finally {
            ticker.shutdownNow();
            day.close();
            log.close();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running already
            }
        }
    }
}
