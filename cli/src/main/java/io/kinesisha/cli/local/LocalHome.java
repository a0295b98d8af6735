package io.kinesisha.cli.local;

import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * Where named local environments keep data, logs, the generated config and their state file:
 * {@code $KINESIS_HA_HOME/local/<name>} (the launcher sets KINESIS_HA_HOME to the checkout's .kinesis-ha).
 */
final class LocalHome {
    private LocalHome() {}

    static Path dir(String name) {
        String home = System.getenv("KINESIS_HA_HOME");
        Path base = home == null || home.isBlank() ? Paths.get(".kinesis-ha") : Paths.get(home);
        return base.resolve("local").resolve(name).toAbsolutePath().normalize();
    }

    static Path stateFile(Path dir) {
        return dir.resolve("local-env.json");
    }
}
