package io.kinesisha.cli.local;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The {@code --name} every local command shares, and where that environment keeps its files. */
public final class EnvironmentName {
    @Option(names = "--name", defaultValue = "default", description = "Environment name (default: ${DEFAULT-VALUE}).")
    String name;

    Path dir() {
        return LocalHome.dir(name);
    }

    Path stateFile() {
        return LocalHome.stateFile(dir());
    }

    @Override
    public String toString() {
        return name;
    }
}
