package io.kinesisha.infra;

import io.kinesisha.common.config.ConfigError;
import io.kinesisha.common.config.ConfigException;
import io.kinesisha.common.config.ConfigKey;
import io.kinesisha.common.config.ConsumerLifecycle;
import io.kinesisha.common.config.ReplicationPairConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import software.amazon.awscdk.regioninfo.RegionInfo;

/**
 * Every deployment choice, read from CDK context and checked before a single construct exists, so a typo fails the
 * synth with a message naming the value instead of a half-built template or a failed deployment. The replication
 * pair's settings are validated by the same code the replicator and the controller run at startup
 * ({@link ReplicationPairConfig#fromMap}).
 */
public final class DeploymentSettings {
    /** Region sets of DynamoDB multi-region strong consistency: all three regions must come from one set. */
    static final List<Set<String>> MRSC_REGION_SETS = List.of(
            Set.of("us-east-1", "us-east-2", "us-west-2"),
            Set.of("eu-west-1", "eu-west-2", "eu-west-3", "eu-central-1"),
            Set.of("ap-northeast-1", "ap-northeast-2", "ap-northeast-3"));

    /** Pair keys the app sets itself (from the context keys above, or per region); refused as context. */
    static final Set<ConfigKey> OWNED_BY_APP = Collections.unmodifiableSet(EnumSet.of(
            ConfigKey.PAIR_NAME,
            ConfigKey.PRIMARY_REGION,
            ConfigKey.PRIMARY_ACCOUNT,
            ConfigKey.PRIMARY_STREAM_ARN,
            ConfigKey.PRIMARY_ENDPOINT,
            ConfigKey.SECONDARY_REGION,
            ConfigKey.SECONDARY_ACCOUNT,
            ConfigKey.SECONDARY_STREAM_ARN,
            ConfigKey.SECONDARY_ENDPOINT,
            ConfigKey.REPLICATION_CONSUMER_LIFECYCLE,
            ConfigKey.REPLICATION_CONSUMER_ARN,
            ConfigKey.CONTROL_REGION,
            ConfigKey.CONTROL_ENDPOINT,
            ConfigKey.AWS_CREDENTIALS,
            ConfigKey.AWS_ACCESS_KEY_ID,
            ConfigKey.AWS_SECRET_ACCESS_KEY));

    /** Lambda function names are at most 64 characters: "kinesis-ha-" + pair + "-controller" must fit. */
    static final int MAX_PAIR_LENGTH = 40;

    static final int MAX_SHARDS = 10_000;
    private static final Pattern ACCOUNT = Pattern.compile("\\d{12}");
    private static final Pattern FUNCTION_NAME = Pattern.compile("[a-zA-Z0-9_-]{1,64}");
    /** What SNS accepts as an e-mail endpoint, roughly: one @, no spaces. */
    private static final Pattern EMAIL = Pattern.compile("[^@\\s,]+@[^@\\s,]+\\.[^@\\s,]+");

    private final String account;
    private final String pairName;
    private final String primaryRegion;
    private final String secondaryRegion;
    private final String witnessRegion;
    private final String streamName;
    private final Integer shards;
    private final int retentionHours;
    private final Path replicatorJar;
    private final Path controllerJar;
    private final String controllerRuntime;
    private final double mbPerSecondPerCore;
    private final double expectedMbPerSecond;
    private final double catchUpFactor;
    private final boolean autoScaling;
    private final List<String> producerFunctions;
    private final List<String> consumerFunctions;
    private final List<String> notificationEmails;
    private final Map<String, String> pairOverrides;
    private final ReplicationPairConfig pairConfig;

    private DeploymentSettings(Reader r) {
        this.account = r.account;
        this.pairName = r.pairName;
        this.primaryRegion = r.primaryRegion;
        this.secondaryRegion = r.secondaryRegion;
        this.witnessRegion = r.witnessRegion;
        this.streamName = r.streamName;
        this.shards = r.shards;
        this.retentionHours = r.retentionHours;
        this.replicatorJar = r.replicatorJar;
        this.controllerJar = r.controllerJar;
        this.controllerRuntime = r.controllerRuntime;
        this.mbPerSecondPerCore = r.mbPerSecondPerCore;
        this.expectedMbPerSecond = r.expectedMbPerSecond;
        this.catchUpFactor = r.catchUpFactor;
        this.autoScaling = r.autoScaling;
        this.producerFunctions = r.producerFunctions;
        this.consumerFunctions = r.consumerFunctions;
        this.notificationEmails = r.notificationEmails;
        this.pairOverrides = r.pairOverrides;
        this.pairConfig = r.pairConfig;
    }

    /**
     * Reads and checks the context.
     *
     * @param context the app's context lookup ({@code key -> app.getNode().tryGetContext(key)})
     * @param defaultAccount the CLI's account ({@code CDK_DEFAULT_ACCOUNT}), or null
     * @param baseDir directory relative jar paths are resolved against (the CDK app's working directory)
     * @throws InvalidDeploymentException listing every bad value
     */
    public static DeploymentSettings fromContext(
            Function<String, Object> context, String defaultAccount, Path baseDir) {
        Reader reader = new Reader(context, defaultAccount, baseDir);
        reader.read();
        if (!reader.errors.isEmpty()) {
            throw new InvalidDeploymentException(reader.errors);
        }
        return new DeploymentSettings(reader);
    }

    public String account() {
        return account;
    }

    public String pairName() {
        return pairName;
    }

    public String primaryRegion() {
        return primaryRegion;
    }

    public String secondaryRegion() {
        return secondaryRegion;
    }

    public String witnessRegion() {
        return witnessRegion;
    }

    /** The other of the two stream regions. */
    public String peerOf(String region) {
        return region.equals(primaryRegion) ? secondaryRegion : primaryRegion;
    }

    public String streamName() {
        return streamName;
    }

    /** True for on-demand streams (no shard count). */
    public boolean onDemand() {
        return shards == null;
    }

    /** Shard count of a provisioned stream; only when {@link #onDemand()} is false. */
    public int shards() {
        if (shards == null) {
            throw new IllegalStateException("on-demand streams have no shard count");
        }
        return shards;
    }

    public int retentionHours() {
        return retentionHours;
    }

    public Path replicatorJar() {
        return replicatorJar;
    }

    public Path controllerJar() {
        return controllerJar;
    }

    /** "java17" or "java21". */
    public String controllerRuntime() {
        return controllerRuntime;
    }

    public double mbPerSecondPerCore() {
        return mbPerSecondPerCore;
    }

    public double expectedMbPerSecond() {
        return expectedMbPerSecond;
    }

    public double catchUpFactor() {
        return catchUpFactor;
    }

    public boolean autoScaling() {
        return autoScaling;
    }

    public List<String> producerFunctions() {
        return producerFunctions;
    }

    public List<String> consumerFunctions() {
        return consumerFunctions;
    }

    /** Addresses subscribed to each region's operator topic; may be empty (subscribe later, e.g. a pager). */
    public List<String> notificationEmails() {
        return notificationEmails;
    }

    /** The validated pair configuration (control region = primary, consumer ARN a placeholder): thresholds, names. */
    public ReplicationPairConfig pairConfig() {
        return pairConfig;
    }

    public String consumerName() {
        return pairConfig.replication().consumerName();
    }

    public String controlTableName() {
        return pairConfig.control().tableName();
    }

    /**
     * The pair's configuration for a component running in {@code region}: every effective key (defaults filled in),
     * the control table read in that region (its local replica) and the given consumer ARN (a token at synth time).
     */
    public Map<String, String> pairProperties(String region, String consumerArn) {
        Map<String, String> flat = baseMap(region, Names.placeholderConsumerArn(this));
        Map<String, String> effective =
                new LinkedHashMap<>(ReplicationPairConfig.fromMap(flat).toProperties());
        effective.put(ConfigKey.REPLICATION_CONSUMER_ARN.key(), consumerArn);
        effective.put(ConfigKey.REPLICATION_FORWARD_APPLICATION.key(), Names.forwardApplication(this));
        effective.put(ConfigKey.REPLICATION_REVERSE_APPLICATION.key(), Names.reverseApplication(this));
        return effective;
    }

    private Map<String, String> baseMap(String controlRegion, String consumerArn) {
        return baseMap(
                pairName,
                streamArn(primaryRegion),
                streamArn(secondaryRegion),
                controlRegion,
                consumerArn,
                pairOverrides);
    }

    private String streamArn(String region) {
        return Names.streamArn(this, region);
    }

    private static Map<String, String> baseMap(
            String pair,
            String primaryArn,
            String secondaryArn,
            String controlRegion,
            String consumerArn,
            Map<String, String> overrides) {
        Map<String, String> flat = new LinkedHashMap<>(overrides);
        flat.put(ConfigKey.PAIR_NAME.key(), pair);
        flat.put(ConfigKey.PRIMARY_STREAM_ARN.key(), primaryArn);
        flat.put(ConfigKey.SECONDARY_STREAM_ARN.key(), secondaryArn);
        flat.put(ConfigKey.REPLICATION_CONSUMER_LIFECYCLE.key(), ConsumerLifecycle.SELF_MANAGED.configValue());
        flat.put(ConfigKey.REPLICATION_CONSUMER_ARN.key(), consumerArn);
        flat.put(ConfigKey.CONTROL_REGION.key(), controlRegion);
        return flat;
    }

    /** Known AWS regions (from the CDK's region table). */
    static Set<String> knownRegions() {
        return RegionInfo.getRegions().stream().map(RegionInfo::getName).collect(Collectors.toCollection(TreeSet::new));
    }

    /** A bad context value: the message names every one of them. */
    public static final class InvalidDeploymentException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;
        private final List<String> errors;

        InvalidDeploymentException(List<String> errors) {
            super("invalid CDK context (fix and synth again):\n  - " + String.join("\n  - ", errors));
            this.errors = List.copyOf(errors);
        }

        public List<String> errors() {
            return errors;
        }
    }

    /** Collects every problem instead of stopping at the first. */
    private static final class Reader {
        private final Function<String, Object> context;
        private final String defaultAccount;
        private final Path baseDir;
        private final List<String> errors = new ArrayList<>();
        private final Set<String> regions = knownRegions();

        String account;
        String pairName;
        String primaryRegion;
        String secondaryRegion;
        String witnessRegion;
        String streamName;
        Integer shards;
        int retentionHours;
        Path replicatorJar;
        Path controllerJar;
        String controllerRuntime;
        double mbPerSecondPerCore;
        double expectedMbPerSecond;
        double catchUpFactor;
        boolean autoScaling;
        List<String> producerFunctions;
        List<String> consumerFunctions;
        List<String> notificationEmails;
        Map<String, String> pairOverrides = new LinkedHashMap<>();
        ReplicationPairConfig pairConfig;

        Reader(Function<String, Object> context, String defaultAccount, Path baseDir) {
            this.context = context;
            this.defaultAccount = defaultAccount;
            this.baseDir = baseDir;
        }

        void read() {
            account = string(ContextKey.ACCOUNT);
            if (account == null || account.isBlank()) {
                account = defaultAccount;
            }
            if (account == null || account.isBlank()) {
                errors.add(
                        "account: missing; pass -c account=<12-digit account id> (or run with credentials so the CLI sets CDK_DEFAULT_ACCOUNT)");
            } else if (!ACCOUNT.matcher(account).matches()) {
                errors.add("account: '" + account + "' is not a 12-digit AWS account id");
            }
            pairName = string(ContextKey.PAIR);
            if (pairName.length() > MAX_PAIR_LENGTH) {
                errors.add("pair: '" + pairName + "' is longer than " + MAX_PAIR_LENGTH
                        + " characters (resource names such as kinesis-ha-<pair>-controller must fit 64)");
            }
            primaryRegion = region(ContextKey.PRIMARY_REGION);
            secondaryRegion = region(ContextKey.SECONDARY_REGION);
            witnessRegion = region(ContextKey.WITNESS_REGION);
            regionCombination();
            streamName = string(ContextKey.STREAM_NAME);
            if (streamName == null || streamName.isBlank()) {
                streamName = pairName;
            }
            shards();
            retentionHours = (int) number(ContextKey.RETENTION_HOURS, 24, 8760, true);
            replicatorJar =
                    jar(ContextKey.REPLICATOR_JAR, "build it with: mvn -B -DskipTests -pl replicator -am package");
            controllerJar = jar(
                    ContextKey.CONTROLLER_JAR, "build it with: mvn -B -DskipTests -pl failover-controller -am package");
            controllerRuntime = string(ContextKey.CONTROLLER_RUNTIME).toLowerCase(Locale.ROOT);
            if (!List.of("java17", "java21").contains(controllerRuntime)) {
                errors.add(
                        ContextKey.CONTROLLER_RUNTIME.key() + ": '" + controllerRuntime + "' is not java17 or java21");
            }
            mbPerSecondPerCore = number(ContextKey.MB_PER_SECOND_PER_CORE, 0.01, 1000, false);
            String expected = string(ContextKey.EXPECTED_MB_PER_SECOND);
            expectedMbPerSecond = expected == null || expected.isBlank()
                    ? (shards == null ? 4.0 : shards)
                    : number(ContextKey.EXPECTED_MB_PER_SECOND, 0.01, 100_000, false);
            catchUpFactor = number(ContextKey.CATCH_UP_FACTOR, 1, 10, false);
            String scaling = string(ContextKey.AUTO_SCALING).toLowerCase(Locale.ROOT);
            if (!scaling.equals("true") && !scaling.equals("false")) {
                errors.add(ContextKey.AUTO_SCALING.key() + ": '" + scaling + "' is not true or false");
            }
            autoScaling = scaling.equals("true");
            producerFunctions = functions(ContextKey.PRODUCER_FUNCTIONS);
            consumerFunctions = functions(ContextKey.CONSUMER_FUNCTIONS);
            notificationEmails = emails();
            pairConfig();
        }

        private void regionCombination() {
            if (primaryRegion == null || secondaryRegion == null || witnessRegion == null) {
                return;
            }
            if (primaryRegion.equals(secondaryRegion)) {
                errors.add("secondaryRegion: '" + secondaryRegion + "' is the same region as primaryRegion; a regional"
                        + " outage would take both streams down");
            }
            if (witnessRegion.equals(primaryRegion) || witnessRegion.equals(secondaryRegion)) {
                errors.add("witnessRegion: '" + witnessRegion + "' must differ from primaryRegion and secondaryRegion");
            }
            boolean oneSet = MRSC_REGION_SETS.stream()
                    .anyMatch(set -> set.contains(primaryRegion)
                            && set.contains(secondaryRegion)
                            && set.contains(witnessRegion));
            if (!oneSet) {
                errors.add("primaryRegion/secondaryRegion/witnessRegion: " + primaryRegion + ", " + secondaryRegion
                        + ", " + witnessRegion + " are not in one DynamoDB multi-region strong consistency region set "
                        + MRSC_REGION_SETS.stream()
                                .map(s -> new TreeSet<>(s).toString())
                                .collect(Collectors.joining(" or ")));
            }
        }

        private void shards() {
            String value = string(ContextKey.SHARDS).trim();
            if (value.equalsIgnoreCase("on-demand")) {
                shards = null;
                return;
            }
            try {
                int n = Integer.parseInt(value);
                if (n < 1 || n > MAX_SHARDS) {
                    errors.add("shards: " + n + " is outside 1-" + MAX_SHARDS + " (or use on-demand)");
                }
                shards = Math.max(1, n);
            } catch (NumberFormatException e) {
                errors.add("shards: '" + value + "' is neither a whole number of shards nor on-demand");
                shards = 1;
            }
        }

        private void pairConfig() {
            for (ConfigKey key : ConfigKey.values()) {
                Object value = context.apply(key.key());
                if (value == null) {
                    continue;
                }
                if (OWNED_BY_APP.contains(key)) {
                    errors.add(key.key() + ": set by the app (from the context keys "
                            + Arrays.stream(ContextKey.values())
                                    .map(ContextKey::key)
                                    .collect(Collectors.joining(", ")) + "), not as context");
                } else {
                    pairOverrides.put(key.key(), String.valueOf(value));
                }
            }
            // One control table per pair unless chosen: pairs deployed side by side never share (or retain) one table.
            pairOverrides.putIfAbsent(ConfigKey.CONTROL_TABLE_NAME.key(), Names.defaultControlTable(pairName));
            // Bad regions or account are already reported: stand-ins keep the pair's own errors visible in this round.
            String a = account != null && ACCOUNT.matcher(account).matches() ? account : "000000000000";
            String p = primaryRegion != null
                    ? primaryRegion
                    : ContextKey.PRIMARY_REGION.defaultValue().orElseThrow();
            String s = secondaryRegion != null && !secondaryRegion.equals(p)
                    ? secondaryRegion
                    : p.equals("us-east-2") ? "us-west-2" : "us-east-2";
            Reader r = this;
            String partition = RegionInfo.get(p).getPartition();
            String primaryArn = Names.streamArn(partition, p, a, streamName);
            String secondaryArn = Names.streamArn(partition, s, a, streamName);
            String consumerName = pairOverrides.getOrDefault(
                    ConfigKey.REPLICATION_CONSUMER_NAME.key(),
                    ConfigKey.REPLICATION_CONSUMER_NAME.defaultValue().orElseThrow());
            try {
                r.pairConfig = ReplicationPairConfig.fromMap(baseMap(
                        pairName,
                        primaryArn,
                        secondaryArn,
                        p,
                        primaryArn + "/consumer/" + consumerName + ":0",
                        pairOverrides));
            } catch (ConfigException e) {
                for (ConfigError error : e.errors()) {
                    errors.add(error.field() + ": " + error.message());
                }
            }
        }

        private List<String> emails() {
            List<String> emails = new ArrayList<>();
            for (String address : string(ContextKey.NOTIFICATION_EMAILS).split(",")) {
                String trimmed = address.trim();
                if (trimmed.isEmpty()) {
                    continue;
                }
                if (!EMAIL.matcher(trimmed).matches()) {
                    errors.add(ContextKey.NOTIFICATION_EMAILS.key() + ": '" + trimmed + "' is not an e-mail address");
                }
                emails.add(trimmed);
            }
            return List.copyOf(emails);
        }

        private List<String> functions(ContextKey key) {
            String value = string(key);
            List<String> names = new ArrayList<>();
            for (String name : value.split(",")) {
                String trimmed = name.trim();
                if (trimmed.isEmpty()) {
                    continue;
                }
                if (!FUNCTION_NAME.matcher(trimmed).matches()) {
                    errors.add(key.key() + ": '" + trimmed
                            + "' is not a Lambda function name (letters, digits, - and _, at most 64)");
                }
                names.add(trimmed);
            }
            return List.copyOf(names);
        }

        private Path jar(ContextKey key, String hint) {
            Path path = baseDir.resolve(string(key)).normalize();
            if (!Files.isRegularFile(path)) {
                errors.add(
                        key.key() + ": " + path + " does not exist; " + hint + ", or pass -c " + key.key() + "=<path>");
            }
            return path;
        }

        private String region(ContextKey key) {
            String value = string(key);
            if (!regions.contains(value)) {
                errors.add(key.key() + ": '" + value + "' is not a known AWS region");
                return null;
            }
            return value;
        }

        private double number(ContextKey key, double min, double max, boolean whole) {
            String value = string(key).trim();
            try {
                double n = whole ? Integer.parseInt(value) : Double.parseDouble(value);
                if (!(n >= min && n <= max)) {
                    errors.add(key.key() + ": " + value + " is outside " + format(min) + "-" + format(max));
                    return min;
                }
                return n;
            } catch (NumberFormatException e) {
                errors.add(key.key() + ": '" + value + "' is not a " + (whole ? "whole number" : "number"));
                return min;
            }
        }

        private static String format(double d) {
            return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
        }

        private String string(ContextKey key) {
            Object value = context.apply(key.key());
            if (value == null) {
                return key.defaultValue().orElse(null);
            }
            return String.valueOf(value);
        }
    }
}
