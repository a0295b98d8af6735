package io.kinesisha.cli.local;

import io.kinesisha.cli.OutputOptions;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** Shows whether a named local environment is running, and its endpoints. Exit code 3 when it is not. */
@Command(
        name = "status",
        mixinStandardHelpOptions = true,
        description = "Show a local environment's endpoints and config file; exit code 3 if it is not running.")
public final class LocalStatusCommand implements Callable<Integer> {
    static final int NOT_RUNNING = 3;

    @Spec
    CommandSpec spec;

    @Mixin
    OutputOptions output;

    @Mixin
    EnvironmentName envName;

    @Override
    public Integer call() {
        Optional<LocalEnvironmentState> state =
                LocalEnvironmentState.read(envName.stateFile()).filter(LocalEnvironmentState::alive);
        if (state.isPresent()) {
            LocalUpCommand.print(spec.commandLine().getOut(), output, state.get());
            return 0;
        }
        if (output.json()) {
            output.printJson(spec.commandLine().getOut(), Map.of("name", envName.name, "running", false));
        } else {
            spec.commandLine().getOut().println("Local environment '" + envName.name + "' is not running.");
        }
        return NOT_RUNNING;
    }
}
