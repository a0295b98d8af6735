package io.kinesisha.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.kinesisha.testkit.FreePorts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The launcher's class-data-sharing archives: the first run of a command writes one, later runs map it, and neither
 * changes what the command prints (its {@code --output json} stays parseable) or refuses the variables that steer it.
 */
class LauncherIT {

    @Test
    void aQuickCommandWritesItsArchiveOnceAndBehavesTheSameWithIt() throws Exception {
        Path home = Paths.get("target", "kha-home-launcher-" + System.currentTimeMillis())
                .toAbsolutePath();
        Path config = writeConfigWithAnUnreachableControlStore(home);
        Launcher launcher = new Launcher(home);

        Path cds = home.resolve("cds");
        Launcher.Result first = launcher.run("status", "--config", config.toString(), "--output", "json");
        List<String> afterFirst = files(cds);
        Launcher.Result second = launcher.run("status", "--config", config.toString(), "--output", "json");
        List<String> afterSecond = files(cds);

        assertThat(afterFirst)
                .as("the first run of a quick command dumps its classes as it exits")
                .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
                .matches("quick-\\w+\\.jsa\\.\\d+");
        assertThat(afterSecond)
                .as("the second run takes that dump as the archive and maps it (it writes none)")
                .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
                .matches("quick-\\w+\\.jsa");
        for (Launcher.Result run : List.of(first, second)) {
            assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
            assertThat(run.out())
                    .as("nothing but the command's own output on stdout")
                    .isEmpty();
            assertThat(run.err()).as(run.toString()).contains("Connection refused");
        }
        assertThat(lastLine(second.err())).isEqualTo(lastLine(first.err()));
    }

    @Test
    void theDocumentedVariablesAreNotTakenForUnknownSettings() throws Exception {
        Path home = Paths.get("target", "kha-home-launcher-off-" + System.currentTimeMillis())
                .toAbsolutePath();
        Path config = writeConfigWithAnUnreachableControlStore(home);
        Path elsewhere = home.resolve("archives");

        Launcher.Result off =
                new Launcher(home).run(Map.of("KINESIS_HA_CDS", "0"), "status", "--config", config.toString());
        Launcher.Result moved = new Launcher(home)
                .run(Map.of("KINESIS_HA_CDS_DIR", elsewhere.toString()), "status", "--config", config.toString());

        assertThat(off.err()).as(off.toString()).doesNotContain("unknown environment variable");
        assertThat(moved.err()).as(moved.toString()).doesNotContain("unknown environment variable");
        assertThat(home.resolve("cds")).as("KINESIS_HA_CDS=0 writes no archive").doesNotExist();
        assertThat(files(elsewhere)).as("KINESIS_HA_CDS_DIR holds the dump").hasSize(1);
    }

    private static Path writeConfigWithAnUnreachableControlStore(Path home) throws IOException {
        Files.createDirectories(home);
        String nobody = "http://127.0.0.1:" + FreePorts.next();
        return Files.writeString(
                home.resolve("pair.yaml"),
                String.join(
                        "\n",
                        "pair.name: launcher",
                        "primary.stream-arn: arn:aws:kinesis:us-west-2:111111111111:stream/orders",
                        "primary.endpoint: " + nobody,
                        "secondary.stream-arn: arn:aws:kinesis:us-east-2:111111111111:stream/orders",
                        "secondary.endpoint: " + nobody,
                        "control.endpoint: " + nobody,
                        "aws.credentials: static",
                        "aws.access-key-id: \"111111111111\"",
                        "aws.secret-access-key: local-secret",
                        "aws.max-attempts: 1",
                        ""));
    }

    private static List<String> files(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString()).sorted().toList();
        }
    }

    private static String lastLine(String text) {
        String[] lines = text.strip().split("\n");
        return lines[lines.length - 1];
    }
}
