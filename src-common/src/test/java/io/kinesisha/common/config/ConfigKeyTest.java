package io.kinesisha.common.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ConfigKeyTest {

    @Test
    void environmentVariableFollowsTheKey() {
        assertThat(ConfigKey.PRIMARY_STREAM_ARN.envVar()).isEqualTo("KINESIS_HA_PRIMARY_STREAM_ARN");
        assertThat(ConfigKey.fromEnvVar("KINESIS_HA_HEALTH_PROBE_TIMEOUT_MS"))
                .contains(ConfigKey.HEALTH_PROBE_TIMEOUT_MS);
        assertThat(ConfigKey.fromEnvVar("KINESIS_HA_NOPE")).isEmpty();
    }

    @Test
    void constantNameKeyAndVariableAgree() {
        for (ConfigKey key : ConfigKey.values()) {
            assertThat(key.key()).as(key.name()).matches("[a-z]+(-[a-z]+)*(\\.[a-z]+(-[a-z]+)*)+");
            assertThat(key.envVar()).isEqualTo("KINESIS_HA_" + key.name());
            assertThat(ConfigKey.fromKey(key.key())).contains(key);
            assertThat(key.description()).as(key.key()).isNotBlank().doesNotContain("\n");
        }
    }

    @Test
    void toolVariablesAreNotSettings() {
        for (String variable : ConfigLoader.TOOL_VARIABLES) {
            assertThat(variable).startsWith(ConfigKey.ENV_PREFIX);
            assertThat(ConfigKey.fromEnvVar(variable)).as(variable).isEmpty();
        }
    }

    @Test
    void everyKeyIsRequiredOrHasADefaultOrIsOptional() {
        assertThat(Arrays.stream(ConfigKey.values()).filter(ConfigKey::isRequired))
                .containsExactly(ConfigKey.PAIR_NAME, ConfigKey.PRIMARY_STREAM_ARN, ConfigKey.SECONDARY_STREAM_ARN);
        assertThat(ConfigKey.values())
                .filteredOn(k -> k.isRequired())
                .allSatisfy(k -> assertThat(k.defaultValue()).isEmpty());
        assertThat(ConfigKey.values()).hasSize(52);
    }

    @Test
    void enumKeysListTheirCanonicalValues() {
        assertThat(ConfigKey.REPLICATION_CONSUMER_LIFECYCLE.allowedValues())
                .containsExactly("JOB_MANAGED", "SELF_MANAGED");
        assertThat(ConfigKey.FAILBACK_ORPHAN_POLICY.allowedValues()).containsExactly("republish", "report-only");
        assertThat(ConfigKey.AWS_CREDENTIALS.allowedValues()).containsExactly("default", "static");
        assertThat(ConfigKey.PAIR_NAME.allowedValues()).isEmpty();
        assertThat(ConfigKey.AWS_SECRET_ACCESS_KEY.isSecret()).isTrue();
        assertThat(ConfigKey.AWS_ACCESS_KEY_ID.isSecret()).isFalse();
    }

    @Test
    void enumLookupIgnoresCase() {
        assertThat(ConfigEnum.lookup(OrphanPolicy.class, "REPORT-only")).isEqualTo(OrphanPolicy.REPORT_ONLY);
        assertThat(ConfigEnum.lookup(OrphanPolicy.class, "report_only")).isNull();
    }
}
