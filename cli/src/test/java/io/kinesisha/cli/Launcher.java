package io.kinesisha.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs the real {@code ./kinesis-ha} launcher as a user would, with its own KINESIS_HA_HOME. */
final class Launcher {
    private final Path root;
    private final Path home;
    private final Duration timeout;

    Launcher(Path home) {
        this(home, Duration.ofSeconds(180));
    }

    private Launcher(Path home, Duration timeout) {
        this.root = Paths.get(System.getProperty("kinesisha.root", ".."))
                .toAbsolutePath()
                .normalize();
        this.home = home.toAbsolutePath();
        this.timeout = timeout;
    }

    /** The same, waiting up to {@code limit} for a command to finish (a guard against hangs, not a speed test). */
    Launcher waitingUpTo(Duration limit) {
        return new Launcher(home, limit);
    }

    Result run(String... args) throws IOException, InterruptedException {
        return run(Map.of(), args);
    }

    /** As {@link #run(String...)}, with these variables added to the environment. */
    Result run(Map<String, String> variables, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(root.resolve("kinesis-ha").toString());
        command.addAll(List.of(args));
        Path out = Files.createTempFile("kha-out", ".txt");
        Path err = Files.createTempFile("kha-err", ".txt");
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(root.toFile())
                .redirectOutput(out.toFile())
                .redirectError(err.toFile());
        Map<String, String> env = builder.environment();
        env.put("KINESIS_HA_HOME", home.toString());
        env.put("KINESIS_HA_SKIP_BUILD", "1");
        env.putAll(variables);
        Process process = builder.start();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroy();
            throw new IllegalStateException("kinesis-ha " + String.join(" ", args) + " did not finish in "
                    + timeout.toSeconds() + " s; its stderr: " + err);
        }
        Result result = new Result(
                process.exitValue(),
                Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
        Files.delete(out);
        Files.delete(err);
        return result;
    }

    /**
     * Starts a long-running command (e.g. replicate) in the background; output goes to {@code log}. It gets Ctrl-C
     * (SIGINT) as a terminal would deliver it: a build started in the background ({@code mvn verify &}) hands the
     * test JVM SIGINT ignored, every child inherits that, and a JVM that inherits it ignored never runs its shutdown
     * hooks on Ctrl-C. perl (perl-base, on every Debian) restores the default before it execs the launcher.
     */
    Process start(Path log, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                "perl", "-e", "$SIG{INT} = 'DEFAULT'; exec { $ARGV[0] } @ARGV or die \"exec $ARGV[0]: $!\\n\";"));
        command.add(root.resolve("kinesis-ha").toString());
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(root.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().put("KINESIS_HA_HOME", home.toString());
        builder.environment().put("KINESIS_HA_SKIP_BUILD", "1");
        return builder.start();
    }

    record Result(int exitCode, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exitCode + "\nstdout:\n" + out + "\nstderr:\n" + err;
        }
    }
}
