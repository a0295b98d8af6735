package io.kinesisha.replicator.it;

import io.kinesisha.testkit.LocalEnvironment;
import io.kinesisha.testkit.LocalEnvironmentExtension;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * What every test of a whole replication job runs on: emulated regions ({@link LocalEnvironmentExtension}) and a
 * Flink MiniCluster of one task manager with two slots, started before the class and stopped after it (Flink
 * first, so no job reads an emulator that is gone). One field instead of two set-ups copied into every such test:
 * {@code @RegisterExtension static final RegionsAndFlink LOCAL = new RegionsAndFlink();}.
 */
public final class RegionsAndFlink
        implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback {
    private final LocalEnvironmentExtension regions;
    private final MiniClusterExtension flink;
    private InMemoryReporter metrics;

    /** Regions by name, the first one the primary; none given: us-west-2 and us-east-2. */
    public RegionsAndFlink(String... regions) {
        this.regions = new LocalEnvironmentExtension(regions);
        this.flink = new MiniClusterExtension(() -> {
            Configuration configuration =
                    metrics == null ? new Configuration() : metrics.addToConfiguration(new Configuration());
            return new MiniClusterResourceConfiguration.Builder()
                    .setConfiguration(configuration)
                    .setNumberTaskManagers(1)
                    .setNumberSlotsPerTaskManager(2)
                    .build();
        });
    }

    /** Reports the cluster's metrics to {@code reporter} (call where the field is made, before the class starts). */
    public RegionsAndFlink reportingTo(InMemoryReporter reporter) {
        this.metrics = reporter;
        return this;
    }

    public LocalEnvironment env() {
        return regions.env();
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        regions.beforeAll(context);
        flink.beforeAll(context);
    }

    @Override
    public void beforeEach(ExtensionContext context) throws Exception {
        flink.beforeEach(context);
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        flink.afterEach(context);
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        try {
            flink.afterAll(context);
        } finally {
            regions.afterAll(context);
        }
    }
}
