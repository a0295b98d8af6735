package io.kinesisha.common.config;

import static io.kinesisha.common.config.ConfigFixtures.PRIMARY_ARN;
import static io.kinesisha.common.config.ConfigFixtures.SECRET;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ConfigValidationTest {

    /** One broken variant of the minimal config and the error it must produce. */
    record Case(String name, Map<String, String> changes, String field, String fragment, int errorCount) {
        Case errors(int count) {
            return new Case(name, changes, field, fragment, count);
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /** {@code keyValues} are pairs; a null value removes the key. */
    static Case bad(String name, String field, String fragment, String... keyValues) {
        Map<String, String> changes = new HashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            changes.put(keyValues[i], keyValues[i + 1]);
        }
        return new Case(name, changes, field, fragment, 1);
    }

    static Stream<Case> badInputs() {
        String arn = "primary.stream-arn";
        return Stream.of(
                bad(
                        "ARN without arn: prefix",
                        arn,
                        "does not start with arn:",
                        arn,
                        "kinesis:us-east-1:123456789012:stream/orders"),
                bad(
                        "ARN with too few parts",
                        arn,
                        "has 5 colon-separated parts instead of 6",
                        arn,
                        "arn:aws:kinesis:us-east-1:stream/orders"),
                bad(
                        "ARN with unknown partition",
                        arn,
                        "partition 'aws-foo' is not one of aws, aws-cn, aws-us-gov",
                        arn,
                        "arn:aws-foo:kinesis:us-east-1:123456789012:stream/orders"),
                bad(
                        "ARN of another service",
                        arn,
                        "service 'sqs' is not kinesis",
                        arn,
                        "arn:aws:sqs:us-east-1:123456789012:stream/orders"),
                bad(
                        "ARN with short account",
                        arn,
                        "account '1234' is not a 12-digit account id",
                        arn,
                        "arn:aws:kinesis:us-east-1:1234:stream/orders"),
                bad(
                        "ARN of a table",
                        arn,
                        "resource 'table/orders' does not start with stream/",
                        arn,
                        "arn:aws:kinesis:us-east-1:123456789012:table/orders"),
                bad(
                        "ARN with bad stream name",
                        arn,
                        "stream name 'or ders' must be 1 to 128",
                        arn,
                        "arn:aws:kinesis:us-east-1:123456789012:stream/or ders"),
                bad(
                        "ARN with 129-char stream name",
                        arn,
                        "must be 1 to 128",
                        arn,
                        "arn:aws:kinesis:us-east-1:123456789012:stream/" + "s".repeat(129)),
                bad(
                        "ARN with bad region",
                        arn,
                        "region 'useast1' is not an AWS region",
                        arn,
                        "arn:aws:kinesis:useast1:123456789012:stream/orders"),
                bad(
                        "ARN region differs from region",
                        "primary.region",
                        "is eu-west-1 but primary.stream-arn is in region us-east-1",
                        "primary.region",
                        "eu-west-1"),
                bad(
                        "account differs from ARN",
                        "secondary.account",
                        "is 210987654321 but secondary.stream-arn belongs to account 123456789012",
                        "secondary.account",
                        "210987654321"),
                bad(
                        "account not 12 digits",
                        "primary.account",
                        "must be a 12-digit AWS account id, got '12345'",
                        "primary.account",
                        "12345"),
                bad(
                        "region not lower case",
                        "primary.region",
                        "must be an AWS region like us-east-1, got 'US-EAST-1'",
                        "primary.region",
                        "US-EAST-1"),
                bad("control region malformed", "control.region", "must be an AWS region", "control.region", "moon-1"),
                bad(
                        "same stream twice",
                        "secondary.stream-arn",
                        "is the same stream as primary.stream-arn",
                        "secondary.stream-arn",
                        PRIMARY_ARN),
                bad(
                        "same region twice",
                        "secondary.region",
                        "is us-east-1, the same as primary.region; a replication" + " pair must span two regions",
                        "secondary.stream-arn",
                        "arn:aws:kinesis:us-east-1:123456789012:stream/orders-copy"),
                bad(
                        "streams in two partitions",
                        "secondary.stream-arn",
                        "is in partition aws-cn",
                        "secondary.stream-arn",
                        "arn:aws-cn:kinesis:cn-north-1:123456789012:stream/orders"),
                bad(
                        "misspelt key",
                        "primary.stream-ar",
                        "unknown key; did you mean primary.stream-arn?",
                        "primary.stream-ar",
                        "x"),
                bad(
                        "misspelt nested key",
                        "health.probe-intervall-ms",
                        "did you mean health.probe-interval-ms?",
                        "health.probe-intervall-ms",
                        "5000"),
                bad("unknown key far from any", "colour", "unknown key", "colour", "blue"),
                bad(
                        "checkpoint interval below min",
                        "replication.checkpoint-interval-ms",
                        "must be between 1000 and 3600000, got '999'",
                        "replication.checkpoint-interval-ms",
                        "999"),
                bad(
                        "checkpoint interval above max",
                        "replication.checkpoint-interval-ms",
                        "must be between 1000 and 3600000, got '3600001'",
                        "replication.checkpoint-interval-ms",
                        "3600001"),
                bad(
                        "batch records zero",
                        "replication.max-batch-records",
                        "must be between 1 and 500, got '0'",
                        "replication.max-batch-records",
                        "0"),
                bad(
                        "batch records above API limit",
                        "replication.max-batch-records",
                        "must be between 1 and 500",
                        "replication.max-batch-records",
                        "501"),
                bad(
                        "in-flight batches above max",
                        "replication.max-in-flight-batches",
                        "must be between 1 and 100",
                        "replication.max-in-flight-batches",
                        "101"),
                bad(
                        "error rate zero",
                        "health.error-rate-threshold-percent",
                        "must be greater than 0 and at most 100, got '0'",
                        "health.error-rate-threshold-percent",
                        "0"),
                bad(
                        "error rate above 100",
                        "health.error-rate-threshold-percent",
                        "must be greater than 0 and at most 100",
                        "health.error-rate-threshold-percent",
                        "100.01"),
                bad(
                        "negative dwell",
                        "health.min-dwell-minutes",
                        "must be between 0 and 1440, got '-1'",
                        "health.min-dwell-minutes",
                        "-1"),
                bad(
                        "window hours above max",
                        "health.automatic-failover-window-hours",
                        "must be between 1 and 720",
                        "health.automatic-failover-window-hours",
                        "721"),
                bad(
                        "probe timeout below min",
                        "health.probe-timeout-ms",
                        "must be between 50 and 60000, got '49'",
                        "health.probe-timeout-ms",
                        "49"),
                bad(
                        "max attempts above max",
                        "aws.max-attempts",
                        "must be between 1 and 20, got '21'",
                        "aws.max-attempts",
                        "21"),
                bad(
                        "non-numeric interval",
                        "replication.checkpoint-interval-ms",
                        "must be a whole number, got 'ten'",
                        "replication.checkpoint-interval-ms",
                        "ten"),
                bad(
                        "number with unit",
                        "health.probe-interval-ms",
                        "must be a whole number, got '5s'",
                        "health.probe-interval-ms",
                        "5s"),
                bad(
                        "fractional integer",
                        "replication.max-batch-records",
                        "must be a whole number, not a fraction, got '2.5'",
                        "replication.max-batch-records",
                        "2.5"),
                bad(
                        "integer in exponent form",
                        "replication.max-batch-records",
                        "written as plain digits",
                        "replication.max-batch-records",
                        "1e2"),
                bad(
                        "64-bit overflow",
                        "replication.checkpoint-interval-ms",
                        "overflows a 64-bit integer",
                        "replication.checkpoint-interval-ms",
                        "99999999999999999999"),
                bad(
                        "32-bit overflow",
                        "replication.max-batch-records",
                        "overflows a 32-bit integer",
                        "replication.max-batch-records",
                        "3000000000"),
                bad(
                        "non-numeric decimal",
                        "health.error-rate-threshold-percent",
                        "must be a number, got 'high'",
                        "health.error-rate-threshold-percent",
                        "high"),
                bad(
                        "NaN decimal",
                        "health.error-rate-threshold-percent",
                        "must be a number",
                        "health.error-rate-threshold-percent",
                        "NaN"),
                bad(
                        "bad reader",
                        "replication.reader",
                        "must be one of EFO, POLLING, got 'KAFKA'",
                        "replication.reader",
                        "KAFKA"),
                bad(
                        "bad orphan policy",
                        "failback.orphan-policy",
                        "must be one of republish, report-only, got 'drop'",
                        "failback.orphan-policy",
                        "drop"),
                bad(
                        "bad starting position",
                        "replication.starting-position",
                        "must be one of TRIM_HORIZON, LATEST",
                        "replication.starting-position",
                        "EARLIEST"),
                bad(
                        "URI with a space",
                        "primary.endpoint",
                        "is not a valid URI",
                        "primary.endpoint",
                        "http://local host:4567"),
                bad(
                        "non-http endpoint",
                        "secondary.endpoint",
                        "must be an absolute http:// or https:// URI with a host, " + "got 'ftp://localhost:21'",
                        "secondary.endpoint",
                        "ftp://localhost:21"),
                bad(
                        "endpoint without scheme",
                        "control.endpoint",
                        "must be an absolute http:// or https:// URI",
                        "control.endpoint",
                        "localhost:8000"),
                bad("missing pair name", "pair.name", "is required", "pair.name", null),
                bad("missing secondary ARN", "secondary.stream-arn", "is required", "secondary.stream-arn", null),
                bad("empty pair name", "pair.name", "is required but empty", "pair.name", "  "),
                bad(
                        "pair name starting with dash",
                        "pair.name",
                        "must match [A-Za-z0-9][A-Za-z0-9_-]{0,63}, got '-orders'",
                        "pair.name",
                        "-orders"),
                bad("pair name too long", "pair.name", "must match", "pair.name", "p".repeat(65)),
                bad(
                        "consumer name with slash",
                        "replication.consumer-name",
                        "must match [a-zA-Z0-9_.-]{1,128}",
                        "replication.consumer-name",
                        "ha/replicator"),
                bad(
                        "table name too short",
                        "control.table-name",
                        "must match [a-zA-Z0-9_.-]{3,255}, got 'ab'",
                        "control.table-name",
                        "ab"),
                bad(
                        "SELF_MANAGED without consumer ARN",
                        "replication.consumer-arn",
                        "is required when replication.consumer-lifecycle is SELF_MANAGED",
                        "replication.consumer-lifecycle",
                        "self_managed"),
                bad(
                        "consumer of another stream",
                        "replication.consumer-arn",
                        "belongs to stream arn:aws:kinesis:us-east-1:123456789012:stream/other, not to primary.stream-arn "
                                + PRIMARY_ARN,
                        "replication.consumer-lifecycle",
                        "SELF_MANAGED",
                        "replication.consumer-arn",
                        "arn:aws:kinesis:us-east-1:123456789012:stream/other/consumer/c:1"),
                bad(
                        "consumer ARN without timestamp",
                        "replication.consumer-arn",
                        "must be a consumer ARN like",
                        "replication.consumer-lifecycle",
                        "SELF_MANAGED",
                        "replication.consumer-arn",
                        PRIMARY_ARN + "/consumer/c"),
                bad(
                        "consumer ARN with JOB_MANAGED",
                        "replication.consumer-arn",
                        "must not be set when replication.consumer-lifecycle is JOB_MANAGED",
                        "replication.consumer-arn",
                        PRIMARY_ARN + "/consumer/c:1"),
                bad(
                                "static credentials without keys",
                                "aws.access-key-id",
                                "is required when aws.credentials is static",
                                "aws.credentials",
                                "STATIC")
                        .errors(2),
                bad(
                        "static credentials without secret",
                        "aws.secret-access-key",
                        "is required when aws.credentials is static",
                        "aws.credentials",
                        "static",
                        "aws.access-key-id",
                        "AKIAEXAMPLE"),
                bad(
                        "keys with default credentials",
                        "aws.access-key-id",
                        "must not be set when aws.credentials is default",
                        "aws.access-key-id",
                        "AKIAEXAMPLE"),
                bad(
                        "bad credentials mode",
                        "aws.credentials",
                        "must be one of default, static, got 'env'",
                        "aws.credentials",
                        "env"),
                bad(
                        "probe timeout equal to interval",
                        "health.probe-timeout-ms",
                        "must be less than health.probe-interval-ms (5000)",
                        "health.probe-timeout-ms",
                        "5000"),
                bad(
                        "probe timeout above lowered interval",
                        "health.probe-timeout-ms",
                        "must be less than health.probe-interval-ms (1000)",
                        "health.probe-interval-ms",
                        "1000",
                        "health.probe-timeout-ms",
                        "1500"),
                bad(
                        "attempt timeout above call timeout",
                        "aws.api-call-attempt-timeout-ms",
                        "must be at most aws.api-call-timeout-ms (10000)",
                        "aws.api-call-timeout-ms",
                        "10000",
                        "aws.api-call-attempt-timeout-ms",
                        "10001"),
                bad(
                        "settle shorter than fence lease plus sink request",
                        "failover.fence-settle-ms",
                        "must be at least 4000: the replicator's fence lease (3000 ms) plus "
                                + "replication.sink-request-timeout-ms (1000 ms)",
                        "failover.fence-settle-ms",
                        "3999"),
                bad(
                        "sink request timeout raised past the default settle",
                        "failover.fence-settle-ms",
                        "must be at least 5000",
                        "replication.sink-request-timeout-ms",
                        "2000"));
    }

    @Test
    void settleZeroSkipsTheWaitAndAnExactSumIsEnough() {
        Map<String, String> input = ConfigFixtures.minimal();
        input.put("failover.fence-settle-ms", "0");
        input.put("replication.sink-request-timeout-ms", "5000");
        assertThat(ReplicationPairConfig.fromMap(input).failback().fenceSettle())
                .isZero();

        input.put("failover.fence-settle-ms", "8000");
        ReplicationPairConfig config = ReplicationPairConfig.fromMap(input);
        assertThat(config.replication().longestWriteAfterFence())
                .isEqualTo(config.failback().fenceSettle());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badInputs")
    void rejectsWithTheFieldAndReason(Case bad) {
        Map<String, String> input = ConfigFixtures.minimal();
        bad.changes().forEach((key, value) -> {
            if (value == null) {
                input.remove(key);
            } else {
                input.put(key, value);
            }
        });

        List<ConfigError> errors = errorsOf(input);

        assertThat(errors).hasSize(bad.errorCount());
        assertThat(errors)
                .filteredOn(e -> e.field().equals(bad.field()))
                .singleElement()
                .satisfies(e -> assertThat(e.message()).contains(bad.fragment()));
    }

    @Test
    void reportsEveryProblemAtOnceOnePerLine() {
        Map<String, String> input = ConfigFixtures.minimal();
        input.remove("pair.name");
        input.put("replication.reader", "fast");
        input.put("health.min-dwell-minutes", "1441");
        input.put("primary.stream-ar", PRIMARY_ARN);

        ConfigException e = catchThrowableOfType(ConfigException.class, () -> ReplicationPairConfig.fromMap(input));

        assertThat(e.errors())
                .extracting(ConfigError::field)
                .containsExactlyInAnyOrder(
                        "pair.name", "replication.reader", "health.min-dwell-minutes", "primary.stream-ar");
        assertThat(e.getMessage().split("\n"))
                .hasSize(4)
                .contains("replication.reader: must be one of EFO, POLLING, got 'fast'");
    }

    @Test
    void cascadingErrorsAreNotReported() {
        Map<String, String> input = ConfigFixtures.minimal();
        input.put("primary.stream-arn", "not-an-arn");
        input.put("primary.region", "us-east-1");

        // only the ARN is wrong: no region mismatch, same-region or consumer error follows from it
        assertThat(errorsOf(input)).extracting(ConfigError::field).containsExactly("primary.stream-arn");
    }

    @Test
    void secretNeverAppearsInMessages() {
        Map<String, String> withDefaultCredentials = ConfigFixtures.minimal();
        withDefaultCredentials.put("aws.secret-access-key", SECRET);
        Map<String, String> misspelt = ConfigFixtures.minimal();
        misspelt.put("aws.secret-acess-key", SECRET);
        Map<String, String> staticWithoutId = ConfigFixtures.minimal();
        staticWithoutId.put("aws.credentials", "static");
        staticWithoutId.put("aws.secret-access-key", SECRET);

        for (Map<String, String> input : List.of(withDefaultCredentials, misspelt, staticWithoutId)) {
            assertThatThrownBy(() -> ReplicationPairConfig.fromMap(input))
                    .isInstanceOf(ConfigException.class)
                    .satisfies(e ->
                            assertThat(e.getMessage()).doesNotContain(SECRET).isNotBlank());
        }
        assertThat(errorsOf(misspelt))
                .singleElement()
                .isEqualTo(new ConfigError("aws.secret-acess-key", "unknown key; did you mean aws.secret-access-key?"));
    }

    @Test
    void valueIsCheckedAfterTrimming() {
        Map<String, String> input = ConfigFixtures.minimal();
        input.put("replication.max-batch-records", " 100 ");
        input.put("replication.reader", " polling");

        ReplicationPairConfig config = ReplicationPairConfig.fromMap(input);

        assertThat(config.replication().maxBatchRecords()).isEqualTo(100);
        assertThat(config.replication().reader()).isEqualTo(ReaderType.POLLING);
    }

    @Test
    void emptyOptionalValueMeansUnset() {
        Map<String, String> input = ConfigFixtures.minimal();
        input.put("primary.endpoint", "");
        input.put("replication.checkpoint-interval-ms", "");

        ReplicationPairConfig config = ReplicationPairConfig.fromMap(input);

        assertThat(config.primary().endpoint()).isEmpty();
        assertThat(config.replication().checkpointInterval()).hasMillis(10000);
    }

    @Test
    void acceptsTheBoundariesOfEveryRange() {
        Map<String, String> low = ConfigFixtures.minimal();
        Map<String, String> high = ConfigFixtures.minimal();
        for (ConfigKey key : ConfigKey.values()) {
            if (key.type() == ConfigKey.Type.INT || key.type() == ConfigKey.Type.LONG) {
                low.put(key.key(), key.min().toPlainString());
                high.put(key.key(), key.max().toPlainString());
            }
        }
        // the cross-field rules still have to hold at the extremes
        low.put("health.probe-interval-ms", "100");
        low.put("health.probe-timeout-ms", "50");
        high.put("health.probe-timeout-ms", "60000");
        low.put("health.error-rate-threshold-percent", "0.001");
        high.put("health.error-rate-threshold-percent", "100");

        assertThat(ReplicationPairConfig.fromMap(low).health().probeTimeout()).hasMillis(50);
        assertThat(ReplicationPairConfig.fromMap(high).replication().maxBatchRecords())
                .isEqualTo(500);
        assertThat(ReplicationPairConfig.fromMap(high).health().errorRateThresholdPercent())
                .isEqualTo(100.0);
    }

    @Test
    void suggestionUsesEditDistance() {
        assertThat(ConfigBinder.distance("kitten", "sitting")).isEqualTo(3);
        assertThat(ConfigBinder.distance("", "abc")).isEqualTo(3);
        assertThat(ConfigBinder.distance("same", "same")).isZero();
    }

    private static List<ConfigError> errorsOf(Map<String, String> input) {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> ReplicationPairConfig.fromMap(input));
        assertThat(e).as("expected %s to be rejected", input).isNotNull();
        return e.errors();
    }
}
