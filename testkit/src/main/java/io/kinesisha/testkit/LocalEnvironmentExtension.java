package io.kinesisha.testkit;

import java.nio.file.Path;
import java.nio.file.Paths;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * JUnit 5 extension: a {@link LocalEnvironment} for a test class, started before its first test and stopped
 * (by PID) after its last. Use as {@code @RegisterExtension static LocalEnvironmentExtension local = ...}.
 */
public final class LocalEnvironmentExtension implements BeforeAllCallback, AfterAllCallback {
    private final String[] regions;
    private LocalEnvironment environment;

    /** Regions by name, the first one the primary; none given: us-west-2 and us-east-2. */
    public LocalEnvironmentExtension(String... regions) {
        this.regions = regions.clone();
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        Path workDir = Paths.get(
                        "target",
                        "local-env",
                        context.getRequiredTestClass().getSimpleName() + "-" + System.currentTimeMillis())
                .toAbsolutePath();
        LocalEnvironment.Builder builder = LocalEnvironment.builder().workDir(workDir);
        for (String region : regions) {
            builder.region(region);
        }
        environment = builder.start();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (environment != null) {
            environment.close();
            environment = null;
        }
    }

    public LocalEnvironment env() {
        if (environment == null) {
            throw new IllegalStateException("the local environment is not running (used outside the test class?)");
        }
        return environment;
    }
}
