package io.kinesisha.common.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code consumers.kcl-applications}: applications with a lease table in both regions load; anything else names the key. */
class KclApplicationsKeyTest {
    private static final String KEY = "consumers.kcl-applications";

    @Test
    void applicationsLoadWithTheirLeaseTablePerRegion() {
        Map<String, String> map = ConfigFixtures.full();
        String primary = ReplicationPairConfig.fromMap(map).primary().region();
        String secondary = ReplicationPairConfig.fromMap(map).secondary().region();
        map.put(
                KEY,
                "orders:" + primary + "=orders-leases," + secondary + "=orders-leases-dr;audit:" + secondary + "=audit,"
                        + primary + "=audit");

        List<KclApplication> apps = ReplicationPairConfig.fromMap(map).kclApplications();

        assertThat(apps).extracting(KclApplication::name).containsExactly("orders", "audit");
        assertThat(apps.get(0).leaseTable(primary)).contains("orders-leases");
        assertThat(apps.get(0).leaseTable(secondary)).contains("orders-leases-dr");
        map.remove(KEY);
        assertThat(ReplicationPairConfig.fromMap(map).kclApplications()).isEmpty();
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "orders|must match",
                "orders:PRIMARY=tb1|has no lease table in",
                "orders:PRIMARY=tb1,eu-west-9=tb2|has no lease table in",
                "orders:PRIMARY=tb1,SECONDARY=tb2,eu-west-9=tb3|neither region of the pair",
                "orders:PRIMARY=tb1,SECONDARY=tb2;orders:PRIMARY=tb1,SECONDARY=tb2|names application orders twice",
                "orders:PRIMARY=tb1,PRIMARY=tb2,SECONDARY=tb3|two lease tables in",
                "orders:PRIMARY=ab,SECONDARY=tb2|must match",
                "orders:PRIMARY=tb1,SECONDARY=tb2;|must match"
            })
    void malformedValuesNameTheKey(String value, String problem) {
        Map<String, String> map = ConfigFixtures.full();
        map.remove(KEY);
        ReplicationPairConfig base = ReplicationPairConfig.fromMap(map);
        map.put(
                KEY,
                value.replace("PRIMARY", base.primary().region())
                        .replace("SECONDARY", base.secondary().region()));
        assertThatThrownBy(() -> ReplicationPairConfig.fromMap(map))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(KEY)
                .hasMessageContaining(problem);
    }
}
