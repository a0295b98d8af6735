package io.kinesisha.common.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Reads configuration from files, environment variables, overrides and Flink runtime properties. Each source is only
 * turned into a flat map of dotted keys; {@link ReplicationPairConfig#fromMap} does all checking, so a value means
 * the same whichever source it came from.
 */
public final class ConfigLoader {
    /** The Managed Service for Apache Flink property group holding the dotted keys; other groups are Flink's own. */
    public static final String FLINK_PROPERTY_GROUP = "kinesis-ha";
    /**
     * Managed Flink passes no program arguments: the property group that carries the job's own switches
     * ({@link #JOB_REVERSE} = "true" for the reverse, failback, application).
     */
    public static final String FLINK_JOB_PROPERTY_GROUP = "kinesis-ha-job";

    public static final String JOB_REVERSE = "reverse";

    /**
     * {@code KINESIS_HA_*} variables that the launcher and tools read for themselves. They are not settings of a
     * pair, so loading ignores them instead of reporting them as unknown.
     */
    public static final Set<String> TOOL_VARIABLES = Set.of(
            "KINESIS_HA_HOME",
            "KINESIS_HA_DEBUG",
            "KINESIS_HA_JAVA_OPTS",
            "KINESIS_HA_CDS",
            "KINESIS_HA_CDS_DIR",
            "KINESIS_HA_SKIP_BUILD",
            "KINESIS_HA_EMULATOR_DIR",
            "KINESIS_HA_NODE");

    private ConfigLoader() {}

    /**
     * Loads with precedence file &lt; environment &lt; overrides, reporting problems of all three together.
     *
     * @param file a .yaml, .yml or .properties file, or null for none
     * @param environment the process environment (only {@code KINESIS_HA_*} variables are read)
     * @param overrides dotted keys, e.g. from the CLI's {@code --set key=value}
     * @throws ConfigException listing every problem
     */
    public static ReplicationPairConfig load(
            Path file, Map<String, String> environment, Map<String, String> overrides) {
        List<ConfigError> errors = new ArrayList<>();
        Map<String, String> merged = new LinkedHashMap<>();
        if (file != null) {
            merged.putAll(readFile(file, errors));
        }
        merged.putAll(fromEnvironment(environment));
        merged.putAll(overrides);
        return ConfigBinder.bind(merged, errors);
    }

    /** Loads from the runtime properties of a Managed Service for Apache Flink application. */
    public static ReplicationPairConfig fromFlinkPropertyGroups(Map<String, Properties> groups) {
        return ReplicationPairConfig.fromMap(flinkProperties(groups));
    }

    /**
     * The flat map in {@code file}, chosen by extension: .yaml/.yml (nested mappings flattened) or .properties.
     *
     * @throws ConfigException when the file cannot be read or parsed, or its structure is wrong
     */
    public static Map<String, String> readFile(Path file) {
        List<ConfigError> errors = new ArrayList<>();
        Map<String, String> flat = readFile(file, errors);
        if (!errors.isEmpty()) {
            throw new ConfigException(errors);
        }
        return flat;
    }

    /**
     * The dotted keys set by {@code KINESIS_HA_*} variables. A variable matching no key (and not one of the
     * {@link #TOOL_VARIABLES}) is kept under its own name, so binding reports it as unknown.
     */
    public static Map<String, String> fromEnvironment(Map<String, String> environment) {
        Map<String, String> flat = new LinkedHashMap<>();
        environment.forEach((name, value) -> {
            if (name.startsWith(ConfigKey.ENV_PREFIX) && !TOOL_VARIABLES.contains(name)) {
                flat.put(ConfigKey.fromEnvVar(name).map(ConfigKey::key).orElse(name), value);
            }
        });
        return flat;
    }

    /**
     * The dotted keys of the {@value #FLINK_PROPERTY_GROUP} property group.
     *
     * @throws ConfigException when the group is missing
     */
    public static Map<String, String> flinkProperties(Map<String, Properties> groups) {
        Properties group = groups.get(FLINK_PROPERTY_GROUP);
        if (group == null) {
            throw ConfigException.of(
                    FLINK_PROPERTY_GROUP,
                    "the runtime properties have no property group '" + FLINK_PROPERTY_GROUP + "' (found: "
                            + String.join(", ", groups.keySet()) + ")");
        }
        Map<String, String> flat = new LinkedHashMap<>();
        group.stringPropertyNames().forEach(name -> flat.put(name, group.getProperty(name)));
        return flat;
    }

    private static Map<String, String> readFile(Path file, List<ConfigError> errors) {
        String name =
                file.getFileName() == null ? "" : file.getFileName().toString().toLowerCase(Locale.ROOT);
        boolean yaml = name.endsWith(".yaml") || name.endsWith(".yml");
        if (!yaml && !name.endsWith(".properties")) {
            throw ConfigException.of(file.toString(), "unsupported file type; use .yaml, .yml or .properties");
        }
        String text = read(file);
        if (yaml) {
            try {
                return YamlFlattener.flatten(file.toString(), text, errors);
            } catch (JsonProcessingException e) {
                throw ConfigException.of(
                        file.toString(),
                        "is not valid YAML" + where(e.getLocation()) + ": " + problem(e.getOriginalMessage()));
            } catch (IOException e) {
                throw ConfigException.of(file.toString(), "cannot be parsed: " + e.getMessage());
            }
        }
        Properties properties = new Properties();
        try {
            properties.load(new StringReader(text));
        } catch (IOException | IllegalArgumentException e) {
            throw ConfigException.of(file.toString(), "is not a valid properties file: " + e.getMessage());
        }
        Map<String, String> flat = new LinkedHashMap<>();
        properties.stringPropertyNames().forEach(key -> flat.put(key, properties.getProperty(key)));
        return flat;
    }

    private static String read(Path file) {
        if (Files.isDirectory(file)) {
            throw ConfigException.of(file.toString(), "is a directory, not a configuration file");
        }
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw ConfigException.of(file.toString(), "file not found");
        } catch (AccessDeniedException e) {
            throw ConfigException.of(file.toString(), "cannot be read: permission denied");
        } catch (CharacterCodingException e) {
            throw ConfigException.of(file.toString(), "is not UTF-8 text");
        } catch (IOException e) {
            throw ConfigException.of(file.toString(), "cannot be read: " + e);
        }
    }

    private static String where(JsonLocation location) {
        if (location == null || location.getLineNr() < 1) {
            return "";
        }
        return " at line " + location.getLineNr() + ", column " + location.getColumnNr();
    }

    /**
     * The YAML parser's own words without its source excerpts: SnakeYAML puts context and problem on unindented
     * lines and the quoted input on indented ones.
     */
    private static String problem(String text) {
        if (text == null || text.isBlank()) {
            return "syntax error";
        }
        return text.lines()
                .filter(line -> !line.isBlank() && !Character.isWhitespace(line.charAt(0)))
                .map(String::strip)
                .collect(Collectors.joining("; "));
    }
}
