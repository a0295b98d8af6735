package io.kinesisha.controller.lambda;

import static org.assertj.core.api.Assertions.assertThat;

import io.kinesisha.testkit.JarContents;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;

/** The packaged Lambda jar holds the handler and what it needs, and no Flink, no local environment. */
class LambdaJarIT {
    @Test
    void theShadedLambdaJarHasTheHandlerAndNoFlink() throws Exception {
        Path jar = Path.of("target", "kinesis-ha-failover-controller-0.1.0-SNAPSHOT-lambda.jar");
        assertThat(jar).exists();
        try (JarFile file = new JarFile(jar.toFile())) {
            List<String> names = file.stream().map(JarEntry::getName).toList();
            assertThat(names)
                    .contains(
                            "io/kinesisha/controller/lambda/ControllerHandler.class",
                            "com/amazonaws/services/lambda/runtime/RequestHandler.class",
                            "io/kinesisha/common/control/ControlStore.class",
                            "software/amazon/awssdk/services/lambda/LambdaClient.class",
                            "software/amazon/awssdk/services/cloudwatch/CloudWatchClient.class");
            assertThat(names).noneMatch(n -> n.startsWith("org/apache/flink/"));
            assertThat(names).noneMatch(n -> n.startsWith("io/kinesisha/replicator/"));
        }
        assertThat(JarContents.localEnvironmentEntries(jar))
                .as("no emulator or DynamoDB Local code")
                .isEmpty();
        System.out.printf("Lambda jar: %d KiB%n", Files.size(jar) / 1024);
    }
}
