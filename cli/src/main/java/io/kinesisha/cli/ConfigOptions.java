package io.kinesisha.cli;

import io.kinesisha.common.config.ConfigLoader;
import io.kinesisha.common.config.ReplicationPairConfig;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * {@code --config FILE} and {@code --set key=value}: how every command that works on a replication pair gets
 * its configuration (file, then KINESIS_HA_* variables, then --set). Errors name the field (exit code 2).
 */
public final class ConfigOptions {
    @Option(
            names = {"-c", "--config"},
            paramLabel = "FILE",
            description = "Replication pair config (YAML or .properties); 'local up' writes one.")
    Path configFile;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override one config key (repeatable).")
    Map<String, String> overrides = new LinkedHashMap<>();

    /** The config file given, or null. */
    public Path configFile() {
        return configFile;
    }

    /** The {@code --set} overrides, in the order given. */
    public Map<String, String> overrides() {
        return java.util.Collections.unmodifiableMap(overrides);
    }

    public ReplicationPairConfig load() {
        try {
            return ConfigLoader.load(configFile, System.getenv(), overrides);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }
}
