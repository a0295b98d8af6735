package io.kinesisha.common.config;

import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The validated configuration of one replication pair. It can only be obtained through validation
 * ({@link #fromMap} or {@link ConfigLoader}), so code holding one never re-checks a value.
 */
public final class ReplicationPairConfig {
    private static final String MASK = "****";

    private final Map<ConfigKey, String> values;
    private final String pairName;
    private final RegionConfig primary;
    private final RegionConfig secondary;
    private final ReplicationSettings replication;
    private final ControlSettings control;
    private final HealthThresholds health;
    private final AwsSettings aws;
    private final FailbackSettings failback;

    ReplicationPairConfig(Map<ConfigKey, String> validated) {
        this.values = Collections.unmodifiableMap(new EnumMap<>(validated));
        Values typed = new Values(values);
        this.pairName = typed.string(ConfigKey.PAIR_NAME);
        this.primary = new RegionConfig(
                typed,
                ConfigKey.PRIMARY_REGION,
                ConfigKey.PRIMARY_ACCOUNT,
                ConfigKey.PRIMARY_STREAM_ARN,
                ConfigKey.PRIMARY_ENDPOINT);
        this.secondary = new RegionConfig(
                typed,
                ConfigKey.SECONDARY_REGION,
                ConfigKey.SECONDARY_ACCOUNT,
                ConfigKey.SECONDARY_STREAM_ARN,
                ConfigKey.SECONDARY_ENDPOINT);
        this.replication = new ReplicationSettings(typed);
        this.control = new ControlSettings(typed);
        this.health = new HealthThresholds(typed);
        this.aws = new AwsSettings(typed);
        this.failback = new FailbackSettings(typed);
    }

    /**
     * Validates a flat map of dotted keys (see {@link ConfigKey}) and builds the config.
     *
     * @throws ConfigException listing every problem
     */
    public static ReplicationPairConfig fromMap(Map<String, String> flat) {
        return ConfigBinder.bind(flat, List.of());
    }

    public String pairName() {
        return pairName;
    }

    public RegionConfig primary() {
        return primary;
    }

    public RegionConfig secondary() {
        return secondary;
    }

    public ReplicationSettings replication() {
        return replication;
    }

    public ControlSettings control() {
        return control;
    }

    public HealthThresholds health() {
        return health;
    }

    public AwsSettings aws() {
        return aws;
    }

    public FailbackSettings failback() {
        return failback;
    }

    /** The KCL applications whose lease tables a failover translates ({@code consumers.kcl-applications}). */
    public List<KclApplication> kclApplications() {
        return value(ConfigKey.CONSUMERS_KCL_APPLICATIONS)
                .map(KclApplication::parseAll)
                .orElse(List.of());
    }

    /** The effective value of {@code key}: given, defaulted or derived; empty for an unset optional key. */
    public Optional<String> value(ConfigKey key) {
        return Optional.ofNullable(values.get(key));
    }

    /**
     * Every key with its effective value (defaults and derived values filled in, unset optional keys left out), in
     * {@link ConfigKey} order: a ready-to-use config file or Flink property group that loads back to an equal
     * config. Contains the secret access key when static credentials are configured.
     */
    public Map<String, String> toProperties() {
        Map<String, String> properties = new LinkedHashMap<>();
        values.forEach((key, value) -> properties.put(key.key(), value));
        return Collections.unmodifiableMap(properties);
    }

    @Override
    public boolean equals(Object other) {
        return this == other
                || other instanceof ReplicationPairConfig && values.equals(((ReplicationPairConfig) other).values);
    }

    @Override
    public int hashCode() {
        return values.hashCode();
    }

    /** All effective values, the secret masked. */
    @Override
    public String toString() {
        return values.entrySet().stream()
                .map(e -> e.getKey().key() + "=" + (e.getKey().isSecret() ? MASK : e.getValue()))
                .collect(Collectors.joining(", ", "ReplicationPairConfig{", "}"));
    }
}
