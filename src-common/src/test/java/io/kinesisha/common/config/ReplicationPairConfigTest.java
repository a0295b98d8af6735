package io.kinesisha.common.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReplicationPairConfigTest {
    private final ReplicationPairConfig full = ReplicationPairConfig.fromMap(ConfigFixtures.full());

    @Test
    void exposesTypedViews() {
        assertThat(full.pairName()).isEqualTo("orders-eu");
        assertThat(full.primary().region()).isEqualTo("eu-west-1");
        assertThat(full.primary().account()).isEqualTo("111122223333");
        assertThat(full.primary().streamArn().streamName()).isEqualTo("orders");
        assertThat(full.secondary().streamArn().account()).isEqualTo("444455556666");
        assertThat(full.secondary().endpoint())
                .contains(URI.create("https://vpce-1.kinesis.eu-central-1.vpce.amazonaws.com"));
        assertThat(full.replication().consumerLifecycle()).isEqualTo(ConsumerLifecycle.SELF_MANAGED);
        assertThat(full.replication().consumerArn())
                .contains("arn:aws:kinesis:eu-west-1:111122223333:stream/orders/consumer/ha:1700000000");
        assertThat(full.replication().shardDiscoveryInterval()).hasSeconds(15);
        assertThat(full.replication().maxInFlightBatches()).isEqualTo(8);
        assertThat(full.control().region()).isEqualTo("eu-north-1");
        assertThat(full.health().iteratorAgeThreshold()).hasMinutes(2);
        assertThat(full.health().replicationLagThreshold()).hasMillis(45000);
        assertThat(full.health().probeInterval()).hasSeconds(10);
        assertThat(full.health().consecutiveBadEvaluations()).isEqualTo(4);
        assertThat(full.health().minDwell()).isZero();
        assertThat(full.health().maxAutomaticFailovers()).isEqualTo(2);
        assertThat(full.failback().orphanPolicy()).isEqualTo(OrphanPolicy.REPORT_ONLY);
        assertThat(full.aws().accessKeyId()).contains("AKIAEXAMPLE");
        assertThat(full.aws().apiCallAttemptTimeout()).isEqualTo(full.aws().apiCallTimeout());
    }

    @Test
    void toPropertiesHoldsEveryKeyInDefinitionOrder() {
        assertThat(full.toProperties()).hasSize(ConfigKey.values().length);
        assertThat(full.toProperties().keySet())
                .containsExactly(java.util.Arrays.stream(ConfigKey.values())
                        .map(ConfigKey::key)
                        .toArray(String[]::new));
    }

    @Test
    void toPropertiesRoundTrips() {
        ReplicationPairConfig copy = ReplicationPairConfig.fromMap(full.toProperties());

        assertThat(copy).isEqualTo(full).hasSameHashCodeAs(full);
        assertThat(copy.toProperties()).isEqualTo(full.toProperties());
    }

    @Test
    void storesCanonicalSpellings() {
        Map<String, String> input = ConfigFixtures.minimal();
        input.put("replication.reader", "polling");
        input.put("failback.orphan-policy", "Report-Only");
        input.put("aws.credentials", "DEFAULT");
        input.put("replication.max-batch-records", "+0250");
        input.put("health.error-rate-threshold-percent", "5");

        Map<String, String> properties = ReplicationPairConfig.fromMap(input).toProperties();

        assertThat(properties)
                .containsEntry("replication.reader", "POLLING")
                .containsEntry("failback.orphan-policy", "report-only")
                .containsEntry("aws.credentials", "default")
                .containsEntry("replication.max-batch-records", "250")
                .containsEntry("health.error-rate-threshold-percent", "5.0");
    }

    @Test
    void configsWithTheSameEffectiveValuesAreEqual() {
        Map<String, String> explicit = ConfigFixtures.minimal();
        explicit.put("primary.region", "us-east-1");
        explicit.put("replication.reader", "efo");

        assertThat(ReplicationPairConfig.fromMap(explicit))
                .isEqualTo(ReplicationPairConfig.fromMap(ConfigFixtures.minimal()));
        assertThat(ReplicationPairConfig.fromMap(ConfigFixtures.minimal())).isNotEqualTo(full);
    }

    @Test
    void toStringMasksTheSecret() {
        assertThat(full.toString()).doesNotContain(ConfigFixtures.SECRET).contains("aws.secret-access-key=****");
        assertThat(full.aws().toString()).doesNotContain(ConfigFixtures.SECRET).contains("AKIAEXAMPLE");
    }

    @Test
    void propertiesViewIsReadOnly() {
        assertThatThrownBy(() -> full.toProperties().put("pair.name", "x"))
                .isInstanceOf(UnsupportedOperationException.class);
    }
}
