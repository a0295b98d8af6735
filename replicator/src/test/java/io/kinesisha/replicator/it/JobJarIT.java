package io.kinesisha.replicator.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.kinesisha.testkit.JarContents;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.junit.jupiter.api.Test;

/** The shaded job jar that users submit to Flink carries the job, and nothing of the local environment. */
class JobJarIT {
    @Test
    void theShadedJobJarCarriesNoEmulatorCode() throws Exception {
        Path jar = Paths.get(System.getProperty("kinesisha.job.jar"));
        assertThat(jar).exists();
        assertThat(JarContents.localEnvironmentEntries(jar))
                .as("no emulator or DynamoDB Local code")
                .isEmpty();
        System.out.printf("job jar: %d KiB%n", Files.size(jar) / 1024);
    }
}
