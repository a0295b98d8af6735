package io.kinesisha.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kinesisha.common.config.ConfigKey;
import io.kinesisha.infra.DeploymentSettings.InvalidDeploymentException;
import io.kinesisha.infra.constructs.ReplicatorSizing;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awscdk.App;

/** Bad context fails before any construct exists, with a message naming the value. No synthesis here. */
class DeploymentSettingsTest {
    @TempDir
    static Path dir;

    static Map<String, Object> valid;

    @BeforeAll
    static void jars() throws IOException {
        valid = new HashMap<>();
        valid.put("account", "111111111111");
        valid.put("replicatorJar", TestJars.create(dir, "replicator.jar").toString());
        valid.put("controllerJar", TestJars.create(dir, "controller.jar").toString());
    }

    private static DeploymentSettings settings(Map<String, Object> overrides) {
        Map<String, Object> context = new HashMap<>(valid);
        context.putAll(overrides);
        context.values().removeIf(v -> v == null);
        return DeploymentSettings.fromContext(context::get, null, dir);
    }

    private static Map<String, Object> with(String key, Object value) {
        Map<String, Object> m = new HashMap<>();
        m.put(key, value);
        return m;
    }

    @Test
    void defaultsAreAValidDeployment() {
        DeploymentSettings s = settings(Map.of());
        assertThat(s.primaryRegion()).isEqualTo("us-west-2");
        assertThat(s.secondaryRegion()).isEqualTo("us-east-2");
        assertThat(s.witnessRegion()).isEqualTo("us-east-1");
        assertThat(s.streamName()).isEqualTo("orders");
        assertThat(s.shards()).isEqualTo(2);
        assertThat(s.retentionHours()).isEqualTo(168);
        assertThat(s.controlTableName()).isEqualTo("kinesis-ha-orders-control");
        assertThat(s.notificationEmails()).isEmpty();
    }

    @Test
    void eachPairHasItsOwnControlTableUnlessContextNamesOne() {
        assertThat(settings(with("pair", "payments")).controlTableName()).isEqualTo("kinesis-ha-payments-control");
        assertThat(settings(with("pair", "payments")).pairProperties("us-east-2", "arn:consumer"))
                .containsEntry(ConfigKey.CONTROL_TABLE_NAME.key(), "kinesis-ha-payments-control");
        assertThat(settings(with(ConfigKey.CONTROL_TABLE_NAME.key(), "shared-control"))
                        .controlTableName())
                .isEqualTo("shared-control");
    }

    @Test
    void notificationAddressesAreReadAndCheckedOneByOne() {
        assertThat(settings(with("notificationEmails", " oncall@example.com, sre@example.org "))
                        .notificationEmails())
                .containsExactly("oncall@example.com", "sre@example.org");
        assertThatThrownBy(() -> settings(with("notificationEmails", "oncall@example.com,pager")))
                .isInstanceOf(InvalidDeploymentException.class)
                .hasMessageContaining("notificationEmails: 'pager' is not an e-mail address");
    }

    @Test
    void sameRegionTwiceIsRefused() {
        assertThatThrownBy(() -> settings(with("secondaryRegion", "us-west-2")))
                .isInstanceOf(InvalidDeploymentException.class)
                .hasMessageContaining("secondaryRegion: 'us-west-2' is the same region as primaryRegion");
    }

    @Test
    void unknownRegionIsRefused() {
        assertThatThrownBy(() -> settings(with("primaryRegion", "us-westt-2")))
                .isInstanceOf(InvalidDeploymentException.class)
                .hasMessageContaining("primaryRegion: 'us-westt-2' is not a known AWS region");
    }

    @Test
    void regionsOutsideOneStrongConsistencySetAreRefused() {
        assertThatThrownBy(() -> settings(with("secondaryRegion", "eu-west-1")))
                .hasMessageContaining(
                        "us-west-2, eu-west-1, us-east-1 are not in one DynamoDB multi-region strong consistency region set");
        assertThatThrownBy(() -> settings(with("witnessRegion", "us-east-2")))
                .hasMessageContaining("witnessRegion: 'us-east-2' must differ");
    }

    @Test
    void missingOrMalformedAccountIsRefused() {
        assertThatThrownBy(() -> settings(with("account", null)))
                .hasMessageContaining("account: missing; pass -c account=");
        assertThatThrownBy(() -> settings(with("account", "1234")))
                .hasMessageContaining("account: '1234' is not a 12-digit AWS account id");
        Map<String, Object> noAccount = new HashMap<>(valid);
        noAccount.remove("account");
        assertThat(DeploymentSettings.fromContext(noAccount::get, "222222222222", dir)
                        .account())
                .as("falls back to the CLI's account")
                .isEqualTo("222222222222");
    }

    @Test
    void invalidShardCountsAreRefused() {
        assertThatThrownBy(() -> settings(with("shards", "0"))).hasMessageContaining("shards: 0 is outside 1-10000");
        assertThatThrownBy(() -> settings(with("shards", "-3"))).hasMessageContaining("shards: -3 is outside 1-10000");
        assertThatThrownBy(() -> settings(with("shards", "four")))
                .hasMessageContaining("shards: 'four' is neither a whole number");
        assertThat(settings(with("shards", "on-demand")).onDemand()).isTrue();
    }

    @Test
    void everyProblemIsReportedAtOnce() {
        Map<String, Object> bad = new HashMap<>();
        bad.put("account", null);
        bad.put("shards", "x");
        bad.put("retentionHours", "2");
        bad.put("replicatorJar", "no/such.jar");
        bad.put("health.error-rate-threshold-percent", "0");
        assertThatThrownBy(() -> settings(bad))
                .isInstanceOfSatisfying(
                        InvalidDeploymentException.class,
                        e -> assertThat(e.errors()).hasSize(5))
                .hasMessageContaining("account: missing")
                .hasMessageContaining("shards: 'x'")
                .hasMessageContaining("retentionHours: 2 is outside 24-8760")
                .hasMessageContaining("replicatorJar: " + dir.resolve("no/such.jar") + " does not exist")
                .hasMessageContaining("health.error-rate-threshold-percent");
    }

    @Test
    void pairSettingsAreValidatedByTheSameRulesAsTheJob() {
        assertThatThrownBy(() -> settings(with("replication.max-batch-records", "501")))
                .hasMessageContaining("replication.max-batch-records");
        assertThatThrownBy(
                        () -> settings(with("primary.stream-arn", "arn:aws:kinesis:us-west-2:111111111111:stream/x")))
                .hasMessageContaining("primary.stream-arn: set by the app");
        assertThat(settings(with("health.replication-lag-threshold-ms", "15000"))
                        .pairConfig()
                        .health()
                        .replicationLagThreshold()
                        .toMillis())
                .isEqualTo(15000);
    }

    @Test
    void badContextFailsTheAppBeforeAnyStackExists() {
        Map<String, Object> context = new HashMap<>(valid);
        context.put("secondaryRegion", "us-west-2");
        App app = KinesisHaApp.newApp(context);
        assertThatThrownBy(() -> KinesisHaApp.build(
                        app, DeploymentSettings.fromContext(key -> app.getNode().tryGetContext(key), null, dir)))
                .hasMessageStartingWith("invalid CDK context");
        assertThat(app.getNode().getChildren()).isEmpty();
    }

    @Test
    void sizingFollowsThroughputAndCapsAtShards() {
        assertThat(ReplicatorSizing.of(settings(Map.of("shards", "8", "replicatorMbPerSecondPerCore", "2"))))
                .as("8 MB/s x 2 catch-up / 2 MB/s per core")
                .isEqualTo(new ReplicatorSizing(8, 1));
        assertThat(ReplicatorSizing.of(settings(Map.of("shards", "8", "replicatorMbPerSecondPerCore", "5"))))
                .isEqualTo(new ReplicatorSizing(4, 1));
        assertThat(ReplicatorSizing.of(settings(Map.of("shards", "2", "expectedWriteMbPerSecond", "20"))))
                .as("no more subtasks than shards")
                .isEqualTo(new ReplicatorSizing(2, 1));
        assertThat(ReplicatorSizing.of(settings(Map.of(
                        "shards", "on-demand", "expectedWriteMbPerSecond", "20", "replicatorMbPerSecondPerCore", "2"))))
                .isEqualTo(new ReplicatorSizing(20, 1));
    }
}
