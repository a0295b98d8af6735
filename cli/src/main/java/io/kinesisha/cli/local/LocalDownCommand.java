package io.kinesisha.cli.local;

import io.kinesisha.cli.OutputOptions;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Stops a local environment started in the background: SIGTERM to its PID, then waits for it to exit. */
@Command(
        name = "down",
        mixinStandardHelpOptions = true,
        description =
                "Stop a local environment started with 'local up' (SIGTERM by PID; its emulators persist and exit).")
public final class LocalDownCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    OutputOptions output;

    @Mixin
    EnvironmentName envName;

    @Option(
            names = "--timeout-seconds",
            defaultValue = "90",
            description = "How long to wait for the exit (default: ${DEFAULT-VALUE}).")
    int timeoutSeconds;

    @Override
    public Integer call() throws Exception {
        Path stateFile = envName.stateFile();
        Optional<LocalEnvironmentState> state = LocalEnvironmentState.read(stateFile);
        Optional<ProcessHandle> process =
                state.flatMap(s -> ProcessHandle.of(s.pid())).filter(ProcessHandle::isAlive);
        if (process.isEmpty()) {
            java.nio.file.Files.deleteIfExists(stateFile);
            report(false, state.map(LocalEnvironmentState::pid).orElse(-1L));
            return 0;
        }
        ProcessHandle handle = process.get();
        handle.destroy();
        try {
            handle.onExit().get(timeoutSeconds, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("local environment '" + envName.name + "' (pid " + handle.pid()
                    + ") did not stop within " + timeoutSeconds + " s; it is still running");
        }
        report(true, handle.pid());
        return 0;
    }

    private void report(boolean stopped, long pid) {
        if (output.json()) {
            output.printJson(spec.commandLine().getOut(), Map.of("name", envName.name, "stopped", stopped, "pid", pid));
        } else {
            spec.commandLine()
                    .getOut()
                    .println(
                            stopped
                                    ? "Local environment '" + envName.name + "' stopped (pid " + pid + ")."
                                    : "Local environment '" + envName.name + "' is not running.");
        }
    }
}
