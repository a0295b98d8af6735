package io.kinesisha.cli.local;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.Optional;

/**
 * What a running {@code local up} tells other commands: its PID (for {@code local down}), the endpoints and
 * the config file. Written atomically once everything is ready; removed when it stops.
 */
public record LocalEnvironmentState(
        String name,
        long pid,
        String dir,
        String primaryRegion,
        String secondaryRegion,
        Map<String, String> kinesisEndpoints,
        Map<String, String> streamArns,
        String controlStoreEndpoint,
        String configFile,
        String startedAt) {

    private static final ObjectMapper JSON = new ObjectMapper();

    void write(Path file) {
        try {
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            JSON.writerWithDefaultPrettyPrinter().writeValue(tmp.toFile(), this);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    static Optional<LocalEnvironmentState> read(Path file) {
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(JSON.readValue(file.toFile(), LocalEnvironmentState.class));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + " (delete it if no environment is running)", e);
        }
    }

    boolean alive() {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }
}
