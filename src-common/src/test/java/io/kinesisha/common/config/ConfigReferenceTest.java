package io.kinesisha.common.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Keeps docs/configuration.md equal to the generated reference; run with -Dkinesisha.writeDocs=true to refresh it. */
class ConfigReferenceTest {

    @Test
    void committedReferenceIsUpToDate() throws IOException {
        Path docs = repositoryRoot().resolve("docs/configuration.md");
        String generated = ConfigReference.markdown();
        if (Boolean.getBoolean("kinesisha.writeDocs")) {
            Files.writeString(docs, generated, StandardCharsets.UTF_8);
        }

        assertThat(docs).exists();
        assertThat(Files.readString(docs, StandardCharsets.UTF_8))
                .as("docs/configuration.md is stale; regenerate it with -Dkinesisha.writeDocs=true")
                .isEqualTo(generated);
    }

    @Test
    void tableHasOneRowPerKey() {
        String markdown = ConfigReference.markdown();

        for (ConfigKey key : ConfigKey.values()) {
            assertThat(markdown).contains("| `" + key.key() + "` | `" + key.envVar() + "` | ");
        }
        assertThat(markdown)
                .contains("| `replication.checkpoint-interval-ms` | `KINESIS_HA_REPLICATION_CHECKPOINT_INTERVAL_MS`"
                        + " | integer | `10000` | 1000 to 3600000 |");
        assertThat(markdown.lines().filter(l -> l.startsWith("| `"))).hasSize(ConfigKey.values().length);
    }

    private static Path repositoryRoot() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("pom.xml")) && Files.isDirectory(dir.resolve("emulator"))) {
                return dir;
            }
        }
        throw new IllegalStateException(
                "no folder with pom.xml and emulator/ above " + Path.of("").toAbsolutePath());
    }
}
