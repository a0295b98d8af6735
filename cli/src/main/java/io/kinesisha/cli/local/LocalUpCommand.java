package io.kinesisha.cli.local;

import io.kinesisha.cli.OutputOptions;
import io.kinesisha.testkit.LocalEnvironment;
import io.kinesisha.testkit.LocalRegion;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Starts a named two-region environment, creates the streams, writes a ready-to-use config file and keeps
 * everything running until Ctrl-C (or {@code local down}). With {@code --detach} it runs in the background.
 */
@Command(
        name = "up",
        mixinStandardHelpOptions = true,
        description = {
            "Start emulated primary and secondary regions (one kinesis-local process each) and the shared",
            "control store (DynamoDB Local) on free ports; create the streams; print the endpoints and a",
            "ready-to-use config file. Runs until Ctrl-C, or in the background with --detach."
        })
public final class LocalUpCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    OutputOptions output;

    @Mixin
    EnvironmentName envName;

    @Option(
            names = "--primary-region",
            defaultValue = LocalEnvironment.DEFAULT_PRIMARY,
            description = "Primary region (default: ${DEFAULT-VALUE}).")
    String primaryRegion;

    @Option(
            names = "--secondary-region",
            defaultValue = LocalEnvironment.DEFAULT_SECONDARY,
            description = "Secondary region (default: ${DEFAULT-VALUE}).")
    String secondaryRegion;

    @Option(
            names = "--stream",
            defaultValue = "orders",
            description = "Stream name in both regions (default: ${DEFAULT-VALUE}).")
    String stream;

    @Option(
            names = "--shards",
            defaultValue = "4",
            description = "Shards of the primary stream (default: ${DEFAULT-VALUE}).")
    int primaryShards;

    @Option(names = "--secondary-shards", description = "Shards of the secondary stream (default: as --shards).")
    Integer secondaryShards;

    @Option(names = "--detach", description = "Start in the background and return once ready; stop with 'local down'.")
    boolean detach;

    @Override
    public Integer call() throws Exception {
        validate();
        Path dir = envName.dir();
        Path stateFile = envName.stateFile();
        LocalEnvironmentState.read(stateFile)
                .filter(LocalEnvironmentState::alive)
                .ifPresent(running -> {
                    throw new IllegalArgumentException(
                            "local environment '" + envName.name + "' is already running (pid " + running.pid()
                                    + "); stop it with: kinesis-ha local down --name " + envName.name);
                });
        if (detach) {
            return new Detacher(spec, output).launch(stateFile, dir, envName.name);
        }
        resetDir(dir);
        LocalEnvironment env = LocalEnvironment.builder()
                .region(primaryRegion)
                .region(secondaryRegion)
                .workDir(dir)
                .keepDataOnClose(true)
                .start();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            try {
                                env.close();
                                Files.deleteIfExists(stateFile);
                            } catch (IOException | RuntimeException e) {
                                System.err.println("local down: " + e.getMessage());
                            } finally {
                                stopped.countDown();
                            }
                        },
                        "local-env-shutdown"));

        LocalEnvironmentState state = prepare(env, dir);
        state.write(stateFile);
        print(spec.commandLine().getOut(), output, state);
        if (!output.json()) {
            spec.commandLine()
                    .getOut()
                    .println("Running. Ctrl-C (or 'kinesis-ha local down --name " + envName.name + "') stops it.");
            spec.commandLine().getOut().flush();
        }
        stopped.await();
        return 0;
    }

    private void validate() {
        if (primaryRegion.equals(secondaryRegion)) {
            throw new IllegalArgumentException(
                    "--secondary-region must differ from --primary-region (both " + primaryRegion + ")");
        }
        int secondary = secondaryShards == null ? primaryShards : secondaryShards;
        if (primaryShards < 1 || primaryShards > 50) {
            throw new IllegalArgumentException("--shards must be 1..50, was " + primaryShards);
        }
        if (secondary < 1 || secondary > 50) {
            throw new IllegalArgumentException("--secondary-shards must be 1..50, was " + secondary);
        }
        if (!envName.name.matches("[A-Za-z0-9][A-Za-z0-9_-]{0,63}")) {
            throw new IllegalArgumentException(
                    "--name must be letters, digits, '-' or '_' (up to 64), was '" + envName.name + "'");
        }
        if (!stream.matches("[a-zA-Z0-9_.-]{1,128}")) {
            throw new IllegalArgumentException("--stream is not a valid Kinesis stream name: '" + stream + "'");
        }
    }

    private LocalEnvironmentState prepare(LocalEnvironment env, Path dir) {
        LocalRegion primary = env.region(primaryRegion);
        LocalRegion secondary = env.region(secondaryRegion);
        Map<String, String> arns = new LinkedHashMap<>();
        arns.put(primaryRegion, primary.createStream(stream, primaryShards));
        arns.put(
                secondaryRegion,
                secondary.createStream(stream, secondaryShards == null ? primaryShards : secondaryShards));
        Map<String, String> endpoints = new LinkedHashMap<>();
        endpoints.put(primaryRegion, primary.kinesisEndpoint().toString());
        endpoints.put(secondaryRegion, secondary.kinesisEndpoint().toString());
        Path configFile = dir.resolve("kinesis-ha.yaml");
        LocalConfigFile.write(
                configFile,
                envName.name,
                primary,
                secondary,
                stream,
                env.controlStoreEndpoint().toString());
        return new LocalEnvironmentState(
                envName.name,
                ProcessHandle.current().pid(),
                dir.toString(),
                primaryRegion,
                secondaryRegion,
                endpoints,
                arns,
                env.controlStoreEndpoint().toString(),
                configFile.toString(),
                Instant.now().toString());
    }

    static void print(PrintWriter out, OutputOptions output, LocalEnvironmentState state) {
        if (output.json()) {
            output.printJson(out, state);
            return;
        }
        out.printf("Local environment '%s' is up (pid %d)%n", state.name(), state.pid());
        for (Map.Entry<String, String> e : state.kinesisEndpoints().entrySet()) {
            String role = e.getKey().equals(state.primaryRegion()) ? "primary  " : "secondary";
            out.printf(
                    "  %s %-12s Kinesis %s  stream %s%n",
                    role, e.getKey(), e.getValue(), state.streamArns().get(e.getKey()));
        }
        out.printf("  control store          DynamoDB %s%n", state.controlStoreEndpoint());
        out.printf("  config file            %s%n", state.configFile());
        out.printf("  data and logs          %s%n", state.dir());
        out.flush();
    }

    private static void resetDir(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            List<Path> paths = new ArrayList<>();
            try (Stream<Path> walk = Files.walk(dir)) {
                walk.sorted(Comparator.reverseOrder()).forEach(paths::add);
            }
            for (Path p : paths) {
                Files.delete(p);
            }
        }
        Files.createDirectories(dir);
    }
}
