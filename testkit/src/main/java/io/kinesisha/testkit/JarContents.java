package io.kinesisha.testkit;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Collectors;

/**
 * What of the local environment a packaged jar carries: the Flink job jar and the Lambda jar must carry none (no
 * emulator launcher, no DynamoDB Local), which their packaging tests check.
 */
public final class JarContents {
    private static final List<String> LOCAL_ONLY = List.of(
            "io/kinesisha/testkit/",
            "io/kinesisha/common/local/",
            "com/amazonaws/services/dynamodbv2/local/",
            "kinesis-local");

    private JarContents() {}

    /** The entries of {@code jar} that belong to the local environment. */
    public static List<String> localEnvironmentEntries(Path jar) throws IOException {
        try (JarFile file = new JarFile(jar.toFile())) {
            return file.stream()
                    .map(JarEntry::getName)
                    .filter(n -> LOCAL_ONLY.stream().anyMatch(n::contains))
                    .collect(Collectors.toList());
        }
    }
}
