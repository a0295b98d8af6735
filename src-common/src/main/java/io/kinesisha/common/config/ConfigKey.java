package io.kinesisha.common.config;

import java.math.BigDecimal;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Every setting of a replication pair, defined once: the CLI, the Flink runtime properties written by the CDK app,
 * the environment variables and the reference docs all derive names, defaults and limits from here, so they can
 * never disagree.
 */
public enum ConfigKey {
    PAIR_NAME(Def.required("pair.name", Type.STRING)
            .pattern("[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
            .describe("Identifies the pair in resource names, metrics and its control-table record.")),

    PRIMARY_REGION(Def.derived("primary.region", Type.REGION, "region of `primary.stream-arn`")
            .describe("Region of the primary stream; when given it must match `primary.stream-arn`.")),
    PRIMARY_ACCOUNT(Def.derived("primary.account", Type.ACCOUNT, "account of `primary.stream-arn`")
            .describe("Account owning the primary stream; when given it must match `primary.stream-arn`.")),
    PRIMARY_STREAM_ARN(Def.required("primary.stream-arn", Type.STREAM_ARN)
            .describe("Stream producers write to in normal operation; the replicator reads it.")),
    PRIMARY_ENDPOINT(Def.optional("primary.endpoint", Type.URI)
            .describe("Kinesis endpoint override for the primary region (local emulator, VPC endpoint).")),

    SECONDARY_REGION(Def.derived("secondary.region", Type.REGION, "region of `secondary.stream-arn`")
            .describe("Region of the secondary stream; must differ from the primary region.")),
    SECONDARY_ACCOUNT(Def.derived("secondary.account", Type.ACCOUNT, "account of `secondary.stream-arn`")
            .describe("Account owning the secondary stream; when given it must match `secondary.stream-arn`.")),
    SECONDARY_STREAM_ARN(Def.required("secondary.stream-arn", Type.STREAM_ARN)
            .describe("Stream that receives the replicated records and takes the traffic on failover.")),
    SECONDARY_ENDPOINT(Def.optional("secondary.endpoint", Type.URI)
            .describe("Kinesis endpoint override for the secondary region (local emulator, VPC endpoint).")),

    REPLICATION_CONSUMER_NAME(Def.defaulted("replication.consumer-name", Type.STRING, "kinesis-ha-replicator")
            .pattern("[a-zA-Z0-9_.-]{1,128}")
            .describe("Name of the enhanced fan-out consumer the job registers on the primary stream.")),
    REPLICATION_FORWARD_APPLICATION(Def.optional("replication.forward-application", Type.STRING)
            .pattern("[a-zA-Z0-9_.-]{1,128}")
            .describe("Managed Flink application replicating primary -> secondary (in the secondary region); when set "
                    + "with `replication.reverse-application`, the controller starts and stops the applications as the "
                    + "replication direction changes (failback, switchover). Unset: replication jobs are run by you "
                    + "(e.g. `replicate --follow`).")),
    REPLICATION_REVERSE_APPLICATION(
            Def.optional("replication.reverse-application", Type.STRING)
                    .pattern("[a-zA-Z0-9_.-]{1,128}")
                    .describe(
                            "Managed Flink application replicating secondary -> primary (in the primary region), for failback.")),
    REPLICATION_CONSUMER_LIFECYCLE(Def.enumerated("replication.consumer-lifecycle", ConsumerLifecycle.JOB_MANAGED)
            .describe(
                    "JOB_MANAGED: the job registers its consumer; SELF_MANAGED: it uses `replication.consumer-arn`.")),
    REPLICATION_CONSUMER_ARN(Def.optional("replication.consumer-arn", Type.CONSUMER_ARN)
            .describe("Pre-registered consumer on the primary stream; required with SELF_MANAGED, refused otherwise.")),
    REPLICATION_READER(Def.enumerated("replication.reader", ReaderType.EFO)
            .describe("EFO gives the replicator its own read throughput; POLLING shares the stream's read limits.")),
    REPLICATION_STARTING_POSITION(Def.enumerated("replication.starting-position", StartingPosition.TRIM_HORIZON)
            .describe("Where a job without a checkpoint starts reading the primary stream.")),
    REPLICATION_CHECKPOINT_INTERVAL_MS(Def.defaulted("replication.checkpoint-interval-ms", Type.LONG, "10000")
            .range(1000, 3600000)
            .describe("How often the job checkpoints; bounds how many records are sent again after a restart.")),
    REPLICATION_CHECKPOINT_TIMEOUT_MS(Def.defaulted("replication.checkpoint-timeout-ms", Type.LONG, "120000")
            .range(10000, 3600000)
            .describe(
                    "A checkpoint not complete after this long is abandoned (it waits for every buffered record to be "
                            + "acknowledged; see `replication.max-buffered-per-key`).")),
    REPLICATION_TOLERABLE_CHECKPOINT_FAILURES(Def.defaulted("replication.tolerable-checkpoint-failures", Type.INT, "3")
            .range(0, 1000)
            .describe(
                    "Checkpoints in a row that may fail or time out before the job restarts from the last good one.")),
    REPLICATION_SHARD_DISCOVERY_INTERVAL_MS(Def.defaulted("replication.shard-discovery-interval-ms", Type.LONG, "10000")
            .range(1000, 3600000)
            .describe("How soon the job notices shards created by a reshard of the primary stream.")),
    REPLICATION_EFO_SILENCE_TIMEOUT_MS(Def.defaulted("replication.efo-silence-timeout-ms", Type.LONG, "15000")
            .range(6000, 300000)
            .describe("An EFO subscription that delivers no event for this long is renewed from its last position (a"
                    + " live one delivers an event at least every 5 s; a dead connection may never be reported). Each"
                    + " renewal that brings no event doubles the allowance, up to 16 times this, so a service that is"
                    + " only slow is waited for; any event resets it.")),
    REPLICATION_MAX_BATCH_RECORDS(Def.defaulted("replication.max-batch-records", Type.INT, "500")
            .range(1, 500)
            .describe("Records per PutRecords call to the secondary stream (500 is the API limit).")),
    REPLICATION_MAX_IN_FLIGHT_BATCHES(Def.defaulted("replication.max-in-flight-batches", Type.INT, "4")
            .range(1, 100)
            .describe("PutRecords calls outstanding at once; more raises throughput and memory use.")),
    REPLICATION_MAX_BUFFERED_PER_KEY(Def.defaulted("replication.max-buffered-per-key", Type.INT, "200")
            .range(1, 10000)
            .describe(
                    "Records of one partition key the sink holds unacknowledged before the next one waits (back-pressure "
                            + "on the reader). A key's records are written one round trip each to keep their order, so a hot key "
                            + "needs about this many PutRecords round trips to flush at a checkpoint.")),
    REPLICATION_SINK_REQUEST_TIMEOUT_MS(Def.defaulted("replication.sink-request-timeout-ms", Type.LONG, "1000")
            .range(100, 60000)
            .describe("The longest one PutRecords call to the secondary stream may take: one attempt, no SDK retries; "
                    + "the job retries it in order after asking the epoch fence again. The fence lease (3000 ms) plus "
                    + "this is the longest a replicated record can land after the fence closes, so "
                    + "`failover.fence-settle-ms` must be at least their sum.")),

    CONTROL_TABLE_NAME(Def.defaulted("control.table-name", Type.STRING, "kinesis-ha-control")
            .pattern("[a-zA-Z0-9_.-]{3,255}")
            .describe("DynamoDB table that records the active region and the failover history.")),
    CONTROL_REGION(
            Def.derived("control.region", Type.REGION, "`primary.region`").describe("Region of the control table.")),
    CONTROL_ENDPOINT(Def.optional("control.endpoint", Type.URI)
            .describe("DynamoDB endpoint override for the control table (local store, VPC endpoint).")),

    HEALTH_ERROR_RATE_THRESHOLD_PERCENT(Def.defaulted("health.error-rate-threshold-percent", Type.DOUBLE, "1.0")
            .rangeAboveMin(0, 100)
            .describe("Percentage of failed calls and records (PutRecords per record; throttling excluded) over all"
                    + " calls and records in the window above which a region counts as unhealthy.")),
    HEALTH_ERROR_RATE_WINDOW_MINUTES(Def.defaulted("health.error-rate-window-minutes", Type.INT, "5")
            .range(1, 60)
            .describe("Window the error rate is computed over.")),
    HEALTH_ITERATOR_AGE_THRESHOLD_MS(Def.defaulted("health.iterator-age-threshold-ms", Type.LONG, "60000")
            .range(1000, 86400000)
            .describe("Readers' iterator age above which they count as falling behind (a warning; never a reason to"
                    + " fail over).")),
    HEALTH_REPLICATION_LAG_THRESHOLD_MS(
            Def.defaulted("health.replication-lag-threshold-ms", Type.LONG, "30000")
                    .range(100, 86400000)
                    .describe(
                            "Delay between a write to the primary and its copy in the secondary above which replication counts as unhealthy.")),
    HEALTH_PROBE_INTERVAL_MS(Def.defaulted("health.probe-interval-ms", Type.LONG, "5000")
            .range(100, 600000)
            .describe("How often the controller probes each region.")),
    HEALTH_PROBE_TIMEOUT_MS(Def.defaulted("health.probe-timeout-ms", Type.LONG, "2000")
            .range(50, 60000)
            .describe("A probe slower than this fails; must be less than `health.probe-interval-ms`.")),
    HEALTH_CONSECUTIVE_BAD_EVALUATIONS(Def.defaulted("health.consecutive-bad-evaluations", Type.INT, "3")
            .range(1, 100)
            .describe("Bad evaluations in a row before failing over, so a single blip does not.")),
    HEALTH_MIN_DWELL_MINUTES(Def.defaulted("health.min-dwell-minutes", Type.INT, "30")
            .range(0, 1440)
            .describe("Minimum time in a region after a switch before switching again, against flapping.")),
    HEALTH_MAX_AUTOMATIC_FAILOVERS(Def.defaulted("health.max-automatic-failovers", Type.INT, "1")
            .range(0, 100)
            .describe("Automatic failovers allowed per window before a human must act; 0 disables them.")),
    HEALTH_AUTOMATIC_FAILOVER_WINDOW_HOURS(Def.defaulted("health.automatic-failover-window-hours", Type.INT, "24")
            .range(1, 720)
            .describe("Window over which `health.max-automatic-failovers` is counted.")),

    FAILOVER_FENCE_SETTLE_MS(Def.defaulted("failover.fence-settle-ms", Type.LONG, "4000")
            .range(0, 600000)
            .describe("After fencing replication in an unplanned failover, wait this long before producers move: the "
                    + "replicator's fence lease (3000 ms) plus `replication.sink-request-timeout-ms` (checked), so no late "
                    + "replicated record lands among producers' writes in the secondary (order) or after the failover "
                    + "cut (duplicates on failback). 0 skips the wait and trades that for a lower RTO.")),
    FAILOVER_RUNNER_LEASE_MS(Def.defaulted("failover.runner-lease-ms", Type.LONG, "60000")
            .range(1000, 600000)
            .describe("How long a controller running an operation (failover, switchover, failback, or an abort) holds "
                    + "it without renewing: it renews before every side effect and while a step waits, another "
                    + "controller (an overlapping Lambda invocation, the CLI) takes over only after this expired, so a "
                    + "crashed runner's operation resumes this much later. Keep it above `aws.api-call-timeout-ms`, "
                    + "the longest one call can take.")),
    FAILBACK_ORPHAN_POLICY(Def.enumerated("failback.orphan-policy", OrphanPolicy.REPUBLISH)
            .describe("Orphans (records the old primary acknowledged that never reached the secondary): `republish` "
                    + "copies them into the active stream once on failback (default: nothing acknowledged is lost; "
                    + "they arrive after newer records of their keys, which the report counts); `report-only` leaves "
                    + "them in the old primary and reports them (for consumers that cannot take a late record).")),
    FAILBACK_HEALTH_DWELL_MS(Def.defaulted("failback.health-dwell-ms", Type.LONG, "30000")
            .range(0, 3600000)
            .describe("Failback starts only after the old primary has answered every probe for this long.")),
    FAILBACK_CATCH_UP_TIMEOUT_MS(Def.defaulted("failback.catch-up-timeout-ms", Type.LONG, "600000")
            .range(1000, 86400000)
            .describe("How long failback waits for reverse replication to catch up before it stops (resumable).")),

    PRODUCERS_LAMBDA_FUNCTIONS(Def.optional("producers.lambda-functions", Type.STRING)
            .pattern(Patterns.LAMBDA_ARN + "(," + Patterns.LAMBDA_ARN + ")*")
            .describe("Producer Lambda functions (comma-separated ARNs) the controller pauses (reserved concurrency 0) "
                    + "and points at the active stream (KINESIS_HA_ACTIVE_REGION, KINESIS_HA_STREAM_ARN); SDK "
                    + "producers need nothing here, they follow the control record.")),
    CONSUMERS_LAMBDA_FUNCTIONS(Def.optional("consumers.lambda-functions", Type.STRING)
            .pattern(Patterns.LAMBDA_NAME + "(," + Patterns.LAMBDA_NAME + ")*")
            .describe("Consumer Lambda function names (comma-separated), deployed in both regions; the controller "
                    + "enables their event source mapping on the active stream at the translated position and "
                    + "disables it on the other.")),
    CONSUMERS_KCL_APPLICATIONS(Def.optional("consumers.kcl-applications", Type.STRING)
            .pattern(KclApplication.LIST)
            .describe("Kinesis Client Library applications, as `name:region=lease-table,region=lease-table` "
                    + "(several separated by `;`), each naming its lease table in both regions of the pair. On "
                    + "failover and failback the controller translates each lease's checkpoint through the "
                    + "replicator's progress and writes the other region's lease table before the application is "
                    + "restarted there (see runbooks).")),

    AWS_CREDENTIALS(Def.enumerated("aws.credentials", CredentialsMode.DEFAULT)
            .describe("default: the SDK default chain (roles, profiles); static: the keys below, for local use.")),
    AWS_ACCESS_KEY_ID(Def.optional("aws.access-key-id", Type.STRING)
            .describe("Access key id; required with static credentials, refused with default.")),
    AWS_SECRET_ACCESS_KEY(Def.optional("aws.secret-access-key", Type.STRING)
            .secret()
            .describe("Secret access key; required with static credentials, refused with default; never printed.")),
    AWS_API_CALL_TIMEOUT_MS(Def.defaulted("aws.api-call-timeout-ms", Type.LONG, "30000")
            .range(100, 600000)
            .describe("Time budget for one AWS API call including its retries.")),
    AWS_API_CALL_ATTEMPT_TIMEOUT_MS(Def.defaulted("aws.api-call-attempt-timeout-ms", Type.LONG, "10000")
            .range(100, 600000)
            .describe("Time budget for one attempt; at most `aws.api-call-timeout-ms`.")),
    AWS_MAX_ATTEMPTS(Def.defaulted("aws.max-attempts", Type.INT, "5")
            .range(1, 20)
            .describe("Attempts per AWS API call, the first one included."));

    /** Prefix of the environment variable of every key. */
    public static final String ENV_PREFIX = "KINESIS_HA_";

    /** What a value must look like; decides how it is parsed and how it is documented. */
    public enum Type {
        STRING("string"),
        INT("integer"),
        LONG("integer"),
        DOUBLE("decimal"),
        ENUM("enum"),
        URI("URI"),
        REGION("region"),
        ACCOUNT("account id"),
        STREAM_ARN("stream ARN"),
        CONSUMER_ARN("consumer ARN");

        private final String label;

        Type(String label) {
            this.label = label;
        }

        /** The name shown in the docs. */
        public String label() {
            return label;
        }
    }

    enum Presence {
        REQUIRED,
        DEFAULTED,
        DERIVED,
        OPTIONAL
    }

    private static final Map<String, ConfigKey> BY_KEY = index(ConfigKey::key);
    private static final Map<String, ConfigKey> BY_ENV_VAR = index(ConfigKey::envVar);

    private final String key;
    private final String envVar;
    private final Type type;
    private final Presence presence;
    private final String defaultValue;
    private final String derivedFrom;
    private final BigDecimal min;
    private final BigDecimal max;
    private final boolean minExclusive;
    private final Pattern pattern;
    private final List<String> allowedValues;
    private final boolean secret;
    private final String description;

    ConfigKey(Def def) {
        this.key = def.key;
        this.envVar =
                ENV_PREFIX + def.key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
        this.type = def.type;
        this.presence = def.presence;
        this.defaultValue = def.defaultValue;
        this.derivedFrom = def.derivedFrom;
        this.min = def.min;
        this.max = def.max;
        this.minExclusive = def.minExclusive;
        this.pattern = def.pattern;
        this.allowedValues = def.allowedValues;
        this.secret = def.secret;
        this.description = def.description;
    }

    /** The dotted kebab-case name, as in files, {@code --set} and Flink runtime properties. */
    public String key() {
        return key;
    }

    /** {@code KINESIS_HA_} plus the key upper-cased with {@code .} and {@code -} turned into {@code _}. */
    public String envVar() {
        return envVar;
    }

    public Type type() {
        return type;
    }

    public boolean isRequired() {
        return presence == Presence.REQUIRED;
    }

    /** The value used when the key is absent; empty for required, optional and derived keys. */
    public Optional<String> defaultValue() {
        return Optional.ofNullable(defaultValue);
    }

    /** The canonical values of an {@link Type#ENUM} key, empty for other types. */
    public List<String> allowedValues() {
        return allowedValues;
    }

    /** True for values that must never appear in messages or logs. */
    public boolean isSecret() {
        return secret;
    }

    public String description() {
        return description;
    }

    /** The key with this dotted name (exact spelling). */
    public static Optional<ConfigKey> fromKey(String key) {
        return Optional.ofNullable(BY_KEY.get(key));
    }

    /** The key whose environment variable is {@code name}. */
    public static Optional<ConfigKey> fromEnvVar(String name) {
        return Optional.ofNullable(BY_ENV_VAR.get(name));
    }

    Presence presence() {
        return presence;
    }

    /** For derived keys, where the value comes from when absent (markdown). */
    String derivedFrom() {
        return derivedFrom;
    }

    BigDecimal min() {
        return min;
    }

    BigDecimal max() {
        return max;
    }

    boolean minExclusive() {
        return minExclusive;
    }

    Pattern pattern() {
        return pattern;
    }

    private static Map<String, ConfigKey> index(java.util.function.Function<ConfigKey, String> name) {
        Map<String, ConfigKey> index = new HashMap<>();
        for (ConfigKey k : values()) {
            if (index.put(name.apply(k), k) != null) {
                throw new IllegalStateException("two keys share the name " + name.apply(k));
            }
        }
        return Collections.unmodifiableMap(index);
    }

    /** Value patterns shared by several keys (a holder, so enum constants can use them). */
    private static final class Patterns {
        static final String LAMBDA_NAME = "[A-Za-z0-9_-]{1,64}";
        static final String LAMBDA_ARN = "arn:aws[a-z-]*:lambda:[a-z]{2}(-[a-z]+)+-\\d:\\d{12}:function:" + LAMBDA_NAME;
    }

    /** Builder for the enum constants, so each definition reads as a sentence. */
    private static final class Def {
        private final String key;
        private final Type type;
        private final Presence presence;
        private String defaultValue;
        private String derivedFrom;
        private BigDecimal min;
        private BigDecimal max;
        private boolean minExclusive;
        private Pattern pattern;
        private List<String> allowedValues = List.of();
        private boolean secret;
        private String description;

        private Def(String key, Type type, Presence presence) {
            this.key = key;
            this.type = type;
            this.presence = presence;
        }

        static Def required(String key, Type type) {
            return new Def(key, type, Presence.REQUIRED);
        }

        static Def optional(String key, Type type) {
            return new Def(key, type, Presence.OPTIONAL);
        }

        static Def derived(String key, Type type, String derivedFrom) {
            Def def = new Def(key, type, Presence.DERIVED);
            def.derivedFrom = derivedFrom;
            return def;
        }

        static Def defaulted(String key, Type type, String defaultValue) {
            Def def = new Def(key, type, Presence.DEFAULTED);
            def.defaultValue = defaultValue;
            return def;
        }

        static <E extends Enum<E> & ConfigEnum> Def enumerated(String key, E defaultValue) {
            Def def = defaulted(key, Type.ENUM, defaultValue.configValue());
            def.allowedValues = Arrays.stream(defaultValue.getDeclaringClass().getEnumConstants())
                    .map(ConfigEnum::configValue)
                    .collect(Collectors.toUnmodifiableList());
            return def;
        }

        Def range(long minimum, long maximum) {
            this.min = BigDecimal.valueOf(minimum);
            this.max = BigDecimal.valueOf(maximum);
            return this;
        }

        /** A range that excludes its minimum, for thresholds where zero would mean "always unhealthy". */
        Def rangeAboveMin(long minimum, long maximum) {
            range(minimum, maximum);
            this.minExclusive = true;
            return this;
        }

        Def pattern(String regex) {
            this.pattern = Pattern.compile(regex);
            return this;
        }

        Def secret() {
            this.secret = true;
            return this;
        }

        Def describe(String text) {
            this.description = text;
            return this;
        }
    }
}
