package io.kinesisha.common.config;

import static io.kinesisha.common.config.ConfigFixtures.resource;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
    private static final Map<String, String> NO_ENV = Map.of();
    private static final Map<String, String> NO_OVERRIDES = Map.of();

    @TempDir
    Path dir;

    @Test
    void minimalYamlGetsEveryDefault() {
        ReplicationPairConfig config = ConfigLoader.load(resource("minimal.yaml"), NO_ENV, NO_OVERRIDES);

        for (ConfigKey key : ConfigKey.values()) {
            key.defaultValue()
                    .ifPresent(d -> assertThat(config.value(key)).as(key.key()).contains(d));
        }
        assertThat(config.pairName()).isEqualTo("orders");
        assertThat(config.primary().region()).isEqualTo("us-east-1");
        assertThat(config.primary().account()).isEqualTo("123456789012");
        assertThat(config.primary().endpoint()).isEmpty();
        assertThat(config.secondary().region()).isEqualTo("us-west-2");
        assertThat(config.secondary().streamArn().streamName()).isEqualTo("orders-replica");
        assertThat(config.control().region()).isEqualTo("us-east-1");
        assertThat(config.control().tableName()).isEqualTo("kinesis-ha-control");
        assertThat(config.replication().consumerLifecycle()).isEqualTo(ConsumerLifecycle.JOB_MANAGED);
        assertThat(config.replication().consumerArn()).isEmpty();
        assertThat(config.replication().reader()).isEqualTo(ReaderType.EFO);
        assertThat(config.replication().startingPosition()).isEqualTo(StartingPosition.TRIM_HORIZON);
        assertThat(config.replication().checkpointInterval()).hasSeconds(10);
        assertThat(config.replication().maxBatchRecords()).isEqualTo(500);
        assertThat(config.health().errorRateThresholdPercent()).isEqualTo(1.0);
        assertThat(config.health().errorRateWindow()).hasMinutes(5);
        assertThat(config.health().probeTimeout()).hasMillis(2000);
        assertThat(config.health().minDwell()).hasMinutes(30);
        assertThat(config.health().automaticFailoverWindow()).hasHours(24);
        assertThat(config.failback().orphanPolicy()).isEqualTo(OrphanPolicy.REPUBLISH);
        assertThat(config.aws().credentials()).isEqualTo(CredentialsMode.DEFAULT);
        assertThat(config.aws().accessKeyId()).isEmpty();
        assertThat(config.aws().apiCallTimeout()).hasSeconds(30);
        assertThat(config.aws().maxAttempts()).isEqualTo(5);
    }

    @Test
    void ymlMixesNestedAndDottedKeysAndKeepsNumbersAsWritten() {
        ReplicationPairConfig config = ConfigLoader.load(resource("local.yml"), NO_ENV, NO_OVERRIDES);

        assertThat(config.pairName()).isEqualTo("local-pair");
        assertThat(config.primary().endpoint()).contains(URI.create("http://localhost:4567"));
        assertThat(config.control().endpoint()).contains(URI.create("http://localhost:8000"));
        assertThat(config.replication().reader()).isEqualTo(ReaderType.POLLING);
        assertThat(config.replication().maxBatchRecords()).isEqualTo(100);
        assertThat(config.health().errorRateThresholdPercent()).isEqualTo(2.5);
        assertThat(config.aws().credentials()).isEqualTo(CredentialsMode.STATIC);
        assertThat(config.aws().secretAccessKey()).contains("local-secret");
        assertThat(config.toProperties())
                .containsEntry("replication.reader", "POLLING")
                .containsEntry("replication.max-batch-records", "100")
                .containsEntry("aws.credentials", "static");
    }

    @Test
    void readsPropertiesFiles() {
        ReplicationPairConfig config = ConfigLoader.load(resource("pair.properties"), NO_ENV, NO_OVERRIDES);

        assertThat(config.pairName()).isEqualTo("orders-props");
        assertThat(config.primary().region()).isEqualTo("eu-west-1");
        assertThat(config.replication().startingPosition()).isEqualTo(StartingPosition.LATEST);
        assertThat(config.failback().orphanPolicy()).isEqualTo(OrphanPolicy.REPORT_ONLY);
        assertThat(config.health().maxAutomaticFailovers()).isZero();
    }

    @Test
    void environmentOverridesFile() {
        Map<String, String> env = Map.of(
                "KINESIS_HA_REPLICATION_READER", "polling",
                "KINESIS_HA_PAIR_NAME", "from-env",
                "PATH", "/usr/bin",
                "KINESIS_HA_HOME", "/opt/kinesis-ha/.kinesis-ha",
                "KINESIS_HA_DEBUG", "1");

        ReplicationPairConfig config = ConfigLoader.load(resource("minimal.yaml"), env, NO_OVERRIDES);

        assertThat(config.replication().reader()).isEqualTo(ReaderType.POLLING);
        assertThat(config.pairName()).isEqualTo("from-env");
        assertThat(config.primary().region()).isEqualTo("us-east-1");
    }

    @Test
    void overridesBeatEnvironment() {
        Map<String, String> env =
                Map.of("KINESIS_HA_REPLICATION_READER", "POLLING", "KINESIS_HA_HEALTH_MIN_DWELL_MINUTES", "10");
        Map<String, String> overrides = Map.of("replication.reader", "EFO");

        ReplicationPairConfig config = ConfigLoader.load(resource("minimal.yaml"), env, overrides);

        assertThat(config.replication().reader()).isEqualTo(ReaderType.EFO);
        assertThat(config.health().minDwell()).hasMinutes(10);
    }

    @Test
    void environmentAndOverridesAloneNeedNoFile() {
        Map<String, String> env = Map.of(
                "KINESIS_HA_PRIMARY_STREAM_ARN",
                ConfigFixtures.PRIMARY_ARN,
                "KINESIS_HA_SECONDARY_STREAM_ARN",
                ConfigFixtures.SECONDARY_ARN);

        ReplicationPairConfig config = ConfigLoader.load(null, env, Map.of("pair.name", "cli"));

        assertThat(config.pairName()).isEqualTo("cli");
    }

    @Test
    void unknownEnvironmentVariableIsAnUnknownKey() {
        Map<String, String> env = Map.of("KINESIS_HA_PRIMARY_STREAM_AR", "x");

        ConfigException e = catchThrowableOfType(
                ConfigException.class, () -> ConfigLoader.load(resource("minimal.yaml"), env, NO_OVERRIDES));

        assertThat(e.errors()).singleElement().satisfies(error -> {
            assertThat(error.field()).isEqualTo("KINESIS_HA_PRIMARY_STREAM_AR");
            assertThat(error.message())
                    .isEqualTo("unknown environment variable; did you mean KINESIS_HA_PRIMARY_STREAM_ARN?");
        });
    }

    /** A variable the launcher documents (KINESIS_HA_CDS=0, ...) must not make every command refuse its config. */
    @Test
    void everyVariableTheLauncherReadsIsIgnoredByLoading() throws IOException {
        Path launcher = Path.of(System.getProperty("kinesisha.root", "..")).resolve("kinesis-ha");
        String script = Files.readString(launcher);
        Map<String, String> env = java.util.regex.Pattern.compile("KINESIS_HA_[A-Z_]+")
                .matcher(script)
                .results()
                .map(java.util.regex.MatchResult::group)
                .distinct()
                .collect(Collectors.toMap(name -> name, name -> "0"));
        assertThat(env).as("variables the launcher reads").containsKeys("KINESIS_HA_HOME", "KINESIS_HA_CDS");

        ReplicationPairConfig config = ConfigLoader.load(resource("minimal.yaml"), env, NO_OVERRIDES);

        assertThat(config.pairName()).isNotBlank();
    }

    @Test
    void unknownOverrideIsAnUnknownKey() {
        ConfigException e = catchThrowableOfType(
                ConfigException.class,
                () -> ConfigLoader.load(resource("minimal.yaml"), NO_ENV, Map.of("replication.readr", "EFO")));

        assertThat(e.errors())
                .singleElement()
                .extracting(ConfigError::field, ConfigError::message)
                .containsExactly("replication.readr", "unknown key; did you mean replication.reader?");
    }

    @Test
    void readsFlinkPropertyGroupAndIgnoresOthers() {
        Properties ours = new Properties();
        ConfigFixtures.minimal().forEach(ours::setProperty);
        ours.setProperty("replication.reader", "polling");
        Properties flinks = new Properties();
        flinks.setProperty("parallelism", "4");

        ReplicationPairConfig config =
                ConfigLoader.fromFlinkPropertyGroups(Map.of("kinesis-ha", ours, "FlinkApplicationProperties", flinks));

        assertThat(config.pairName()).isEqualTo("orders");
        assertThat(config.replication().reader()).isEqualTo(ReaderType.POLLING);
    }

    @Test
    void missingFlinkPropertyGroupIsNamed() {
        ConfigException e = catchThrowableOfType(
                ConfigException.class,
                () -> ConfigLoader.fromFlinkPropertyGroups(Map.of("FlinkApplicationProperties", new Properties())));

        assertThat(e.errors()).singleElement().satisfies(error -> {
            assertThat(error.field()).isEqualTo("kinesis-ha");
            assertThat(error.message()).contains("no property group 'kinesis-ha'", "FlinkApplicationProperties");
        });
    }

    @Test
    void reportsAllProblemsOfAFileTogether() {
        ConfigException e = catchThrowableOfType(
                ConfigException.class, () -> ConfigLoader.load(resource("three-problems.yaml"), NO_ENV, NO_OVERRIDES));

        assertThat(e.errors()).hasSizeGreaterThanOrEqualTo(3);
        assertThat(e.errors())
                .extracting(ConfigError::field)
                .contains("primary.regoin", "replication.reader", "health.probe-timeout-ms");
        assertThat(e.getMessage())
                .contains(
                        "primary.regoin: unknown key; did you mean primary.region?",
                        "replication.reader: must be one of EFO, POLLING, got 'firehose'",
                        "health.probe-timeout-ms: must be less than health.probe-interval-ms (5000)");
    }

    @Test
    void listOrNullWhereAValueBelongsNamesTheKey() {
        ConfigException e = catchThrowableOfType(
                ConfigException.class, () -> ConfigLoader.load(resource("list-value.yaml"), NO_ENV, NO_OVERRIDES));

        assertThat(e.errors())
                .containsExactly(
                        new ConfigError("primary.stream-arn", "must be a single value, not a list"),
                        new ConfigError("secondary.endpoint", "has no value (give one or remove the key)"));
    }

    @Test
    void yamlSyntaxErrorNamesFileAndLine() {
        Path file = resource("syntax-error.yaml");

        ConfigException e =
                catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(file, NO_ENV, NO_OVERRIDES));

        assertThat(e.errors()).singleElement().satisfies(error -> {
            assertThat(error.field()).isEqualTo(file.toString());
            assertThat(error.message()).startsWith("is not valid YAML at line 3");
        });
    }

    @Test
    void duplicateYamlKeyIsRejectedWithItsLine() {
        ConfigException e = catchThrowableOfType(
                ConfigException.class, () -> ConfigLoader.readFile(resource("duplicate-key.yaml")));

        assertThat(e.errors())
                .singleElement()
                .satisfies(error -> assertThat(error.message()).contains("line 3", "Duplicate field 'pair'"));
    }

    @Test
    void yamlMustBeAMapping() {
        Path file = resource("top-level-list.yaml");

        ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.readFile(file));

        assertThat(e.errors())
                .singleElement()
                .extracting(ConfigError::field, ConfigError::message)
                .containsExactly(
                        file.toString(),
                        "must be a mapping of configuration keys (like pair.name: orders), not a list");
    }

    @Test
    void emptyFileLacksOnlyTheRequiredKeys() {
        ConfigException e = catchThrowableOfType(
                ConfigException.class, () -> ConfigLoader.load(resource("empty.yaml"), NO_ENV, NO_OVERRIDES));

        assertThat(e.errors())
                .extracting(ConfigError::field)
                .containsExactly("pair.name", "primary.stream-arn", "secondary.stream-arn");
        assertThat(e.errors()).allSatisfy(error -> assertThat(error.message()).isEqualTo("is required"));
    }

    @Test
    void missingFileIsNamed() {
        Path file = dir.resolve("absent.yaml");

        ConfigException e =
                catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(file, NO_ENV, NO_OVERRIDES));

        assertThat(e.errors())
                .singleElement()
                .extracting(ConfigError::field, ConfigError::message)
                .containsExactly(file.toString(), "file not found");
        assertThat(e.getMessage()).isEqualTo(file + ": file not found");
    }

    @Test
    void directoryIsNotAFile() throws IOException {
        Path folder = Files.createDirectory(dir.resolve("conf.yaml"));

        ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.readFile(folder));

        assertThat(e.errors())
                .singleElement()
                .extracting(ConfigError::message)
                .isEqualTo("is a directory, not a configuration file");
    }

    @Test
    void unsupportedExtensionIsNamed() {
        Path file = resource("pair.json");

        ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.readFile(file));

        assertThat(e.errors())
                .singleElement()
                .extracting(ConfigError::field, ConfigError::message)
                .containsExactly(file.toString(), "unsupported file type; use .yaml, .yml or .properties");
    }

    @Test
    void toPropertiesRoundTripsThroughAPropertiesFile() throws IOException {
        ReplicationPairConfig original = ReplicationPairConfig.fromMap(ConfigFixtures.full());
        Properties properties = new Properties();
        properties.putAll(original.toProperties());
        StringWriter text = new StringWriter();
        properties.store(text, "written by the test");
        Path file = Files.writeString(dir.resolve("written.properties"), text.toString());

        ReplicationPairConfig loaded = ConfigLoader.load(file, NO_ENV, NO_OVERRIDES);

        assertThat(loaded).isEqualTo(original);
        assertThat(loaded.toProperties()).isEqualTo(original.toProperties());
    }

    @Test
    void toPropertiesRoundTripsThroughAYamlFileWithDefaults() throws IOException {
        ReplicationPairConfig original = ConfigLoader.load(resource("minimal.yaml"), NO_ENV, NO_OVERRIDES);
        String yaml = original.toProperties().entrySet().stream()
                .map(e -> e.getKey() + ": \"" + e.getValue() + "\"")
                .collect(Collectors.joining("\n"));
        Path file = Files.writeString(dir.resolve("written.yaml"), yaml);

        ReplicationPairConfig loaded = ConfigLoader.load(file, NO_ENV, NO_OVERRIDES);

        assertThat(loaded).isEqualTo(original);
        assertThat(original.toProperties())
                .hasSize(ConfigKey.values().length - optionalKeys().size());
    }

    private static List<ConfigKey> optionalKeys() {
        return List.of(
                ConfigKey.PRIMARY_ENDPOINT,
                ConfigKey.SECONDARY_ENDPOINT,
                ConfigKey.REPLICATION_CONSUMER_ARN,
                ConfigKey.CONTROL_ENDPOINT,
                ConfigKey.AWS_ACCESS_KEY_ID,
                ConfigKey.AWS_SECRET_ACCESS_KEY,
                ConfigKey.PRODUCERS_LAMBDA_FUNCTIONS,
                ConfigKey.CONSUMERS_LAMBDA_FUNCTIONS,
                ConfigKey.CONSUMERS_KCL_APPLICATIONS,
                ConfigKey.REPLICATION_FORWARD_APPLICATION,
                ConfigKey.REPLICATION_REVERSE_APPLICATION);
    }
}
