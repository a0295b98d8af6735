package io.kinesisha.testkit;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * Finds the Kinesis emulator package that the build installed with {@code npm ci} from the committed lockfile
 * ({@code emulator/node_modules/kinesis-local}). Looked up from the system property
 * {@code kinesisha.emulator.dir}, the variable {@code KINESIS_HA_EMULATOR_DIR}, or the nearest
 * {@code emulator/} folder above the working directory.
 */
public final class EmulatorInstall {
    static final String PROPERTY = "kinesisha.emulator.dir";
    static final String VARIABLE = "KINESIS_HA_EMULATOR_DIR";

    private EmulatorInstall() {}

    /** The folder holding the emulator's {@code main.js}, its working directory. */
    public static Path kinesisLocalPackage() {
        Path emulatorDir = emulatorDir();
        Path pkg = emulatorDir.resolve("node_modules").resolve("kinesis-local");
        if (!Files.isRegularFile(pkg.resolve("main.js"))) {
            throw new IllegalStateException("the Kinesis emulator is not installed in " + emulatorDir
                    + ": run 'mvn -B -pl src-common generate-resources' (or 'npm ci' in that folder)");
        }
        return pkg;
    }

    static Path emulatorDir() {
        String configured = System.getProperty(PROPERTY);
        if (configured == null || configured.isBlank()) {
            configured = System.getenv(VARIABLE);
        }
        if (configured != null && !configured.isBlank()) {
            return Paths.get(configured).toAbsolutePath().normalize();
        }
        for (Path dir = Paths.get("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("emulator").resolve("package.json"))) {
                return dir.resolve("emulator");
            }
        }
        throw new IllegalStateException("cannot find the emulator folder: set -D" + PROPERTY + " or " + VARIABLE
                + ", or run from inside the kinesis-ha checkout");
    }

    /** The node executable: {@code KINESIS_HA_NODE} or {@code node} on the PATH. */
    static String node() {
        String node = System.getenv("KINESIS_HA_NODE");
        return node == null || node.isBlank() ? "node" : node;
    }
}
