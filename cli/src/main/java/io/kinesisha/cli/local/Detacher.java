package io.kinesisha.cli.local;

import io.kinesisha.cli.OutputOptions;
import io.kinesisha.testkit.Waits;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Runs {@code local up} as a background JVM (same java, same classpath, same arguments without --detach),
 * waits until it has written its state file, prints what it started and returns. Its output goes to
 * {@code local-up.log} in the environment's folder.
 */
final class Detacher {
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(120);

    private final CommandSpec spec;
    private final OutputOptions output;

    Detacher(CommandSpec spec, OutputOptions output) {
        this.spec = spec;
        this.output = output;
    }

    int launch(Path stateFile, Path dir, String name) throws IOException {
        Files.createDirectories(dir.getParent());
        Files.deleteIfExists(stateFile);
        Path log = dir.getParent().resolve(name + "-local-up.log");
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        for (String prop : new String[] {"kinesisha.emulator.dir", "log4j2.configurationFile"}) {
            String value = System.getProperty(prop);
            if (value != null) {
                command.add("-D" + prop + "=" + value);
            }
        }
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add("io.kinesisha.cli.KinesisHa");
        command.add("local");
        command.add("up");
        for (OptionSpec option : spec.commandLine().getParseResult().matchedOptions()) {
            if (option.longestName().equals("--detach")) {
                continue;
            }
            List<String> values = option.originalStringValues();
            if (values.isEmpty() || option.arity().max() == 0) {
                command.add(option.longestName());
            }
            for (String value : option.arity().max() == 0 ? List.<String>of() : values) {
                command.add(option.longestName() + "=" + value);
            }
        }
        Process child = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.to(log.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
        Waits.until(
                () -> {
                    if (!child.isAlive()) {
                        throw new IllegalStateException(
                                "local up exited with code " + child.exitValue() + " before it was ready; see " + log);
                    }
                    return ready(stateFile, child.pid()).isPresent();
                },
                READY_TIMEOUT,
                () -> "local environment '" + name + "' to be ready (log " + log + ")");
        LocalEnvironmentState state = ready(stateFile, child.pid()).orElseThrow();
        LocalUpCommand.print(spec.commandLine().getOut(), output, state);
        if (!output.json()) {
            spec.commandLine()
                    .getOut()
                    .println("Running in the background; log " + log + ". Stop it with: kinesis-ha local down --name "
                            + name);
            spec.commandLine().getOut().flush();
        }
        return 0;
    }

    private static Optional<LocalEnvironmentState> ready(Path stateFile, long pid) {
        return LocalEnvironmentState.read(stateFile).filter(s -> s.pid() == pid);
    }
}
