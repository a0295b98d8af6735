package io.kinesisha.common.config;

import static io.kinesisha.common.config.ConfigKey.AWS_ACCESS_KEY_ID;
import static io.kinesisha.common.config.ConfigKey.AWS_API_CALL_ATTEMPT_TIMEOUT_MS;
import static io.kinesisha.common.config.ConfigKey.AWS_API_CALL_TIMEOUT_MS;
import static io.kinesisha.common.config.ConfigKey.AWS_CREDENTIALS;
import static io.kinesisha.common.config.ConfigKey.AWS_SECRET_ACCESS_KEY;
import static io.kinesisha.common.config.ConfigKey.CONTROL_REGION;
import static io.kinesisha.common.config.ConfigKey.FAILOVER_FENCE_SETTLE_MS;
import static io.kinesisha.common.config.ConfigKey.HEALTH_PROBE_INTERVAL_MS;
import static io.kinesisha.common.config.ConfigKey.HEALTH_PROBE_TIMEOUT_MS;
import static io.kinesisha.common.config.ConfigKey.PRIMARY_ACCOUNT;
import static io.kinesisha.common.config.ConfigKey.PRIMARY_REGION;
import static io.kinesisha.common.config.ConfigKey.PRIMARY_STREAM_ARN;
import static io.kinesisha.common.config.ConfigKey.REPLICATION_CONSUMER_ARN;
import static io.kinesisha.common.config.ConfigKey.REPLICATION_CONSUMER_LIFECYCLE;
import static io.kinesisha.common.config.ConfigKey.REPLICATION_SINK_REQUEST_TIMEOUT_MS;
import static io.kinesisha.common.config.ConfigKey.SECONDARY_ACCOUNT;
import static io.kinesisha.common.config.ConfigKey.SECONDARY_REGION;
import static io.kinesisha.common.config.ConfigKey.SECONDARY_STREAM_ARN;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;

/**
 * Rules that involve more than one key. Each rule runs only when the values it compares are valid on their own,
 * so one typo produces one error rather than a cascade. Also fills in the derived values (regions, accounts).
 */
final class CrossFieldRules {
    private final Map<ConfigKey, String> values;
    private final Set<ConfigKey> invalid;
    private final List<ConfigError> errors;

    CrossFieldRules(Map<ConfigKey, String> values, Set<ConfigKey> invalid, List<ConfigError> errors) {
        this.values = values;
        this.invalid = invalid;
        this.errors = errors;
    }

    void apply() {
        StreamArn primary = arn(PRIMARY_STREAM_ARN);
        StreamArn secondary = arn(SECONDARY_STREAM_ARN);
        matchArn(primary, PRIMARY_STREAM_ARN, PRIMARY_REGION, PRIMARY_ACCOUNT);
        matchArn(secondary, SECONDARY_STREAM_ARN, SECONDARY_REGION, SECONDARY_ACCOUNT);
        twoDistinctSides(primary, secondary);
        derive(CONTROL_REGION, values.get(PRIMARY_REGION));
        consumer(primary);
        credentials();
        if (isSet(HEALTH_PROBE_TIMEOUT_MS)
                && isSet(HEALTH_PROBE_INTERVAL_MS)
                && number(HEALTH_PROBE_TIMEOUT_MS) >= number(HEALTH_PROBE_INTERVAL_MS)) {
            fail(
                    HEALTH_PROBE_TIMEOUT_MS,
                    "must be less than " + HEALTH_PROBE_INTERVAL_MS.key() + " ("
                            + values.get(HEALTH_PROBE_INTERVAL_MS) + ") so a slow probe ends before the next one starts"
                            + ConfigBinder.got(HEALTH_PROBE_TIMEOUT_MS, values.get(HEALTH_PROBE_TIMEOUT_MS)));
        }
        if (isSet(AWS_API_CALL_ATTEMPT_TIMEOUT_MS)
                && isSet(AWS_API_CALL_TIMEOUT_MS)
                && number(AWS_API_CALL_ATTEMPT_TIMEOUT_MS) > number(AWS_API_CALL_TIMEOUT_MS)) {
            fail(
                    AWS_API_CALL_ATTEMPT_TIMEOUT_MS,
                    "must be at most " + AWS_API_CALL_TIMEOUT_MS.key() + " ("
                            + values.get(AWS_API_CALL_TIMEOUT_MS) + "), which bounds the whole call"
                            + ConfigBinder.got(
                                    AWS_API_CALL_ATTEMPT_TIMEOUT_MS, values.get(AWS_API_CALL_ATTEMPT_TIMEOUT_MS)));
        }
        settleCoversLateWrites();
        kclApplications();
    }

    /** Every KCL application needs a lease table in both regions: a failover writes the other region's. */
    private void kclApplications() {
        String value = values.get(ConfigKey.CONSUMERS_KCL_APPLICATIONS);
        if (value == null) {
            return;
        }
        List<KclApplication> apps;
        try {
            apps = KclApplication.parseAll(value);
        } catch (IllegalArgumentException e) {
            fail(ConfigKey.CONSUMERS_KCL_APPLICATIONS, e.getMessage());
            return;
        }
        for (KclApplication app : apps) {
            for (ConfigKey region : List.of(PRIMARY_REGION, SECONDARY_REGION)) {
                String name = values.get(region);
                if (name != null && app.leaseTable(name).isEmpty()) {
                    fail(
                            ConfigKey.CONSUMERS_KCL_APPLICATIONS,
                            "application " + app.name() + " has no lease table in " + name + " (" + region.key() + ")");
                    return;
                }
            }
            for (String region : app.leaseTables().keySet()) {
                if (!region.equals(values.get(PRIMARY_REGION))
                        && !region.equals(values.get(SECONDARY_REGION))
                        && values.containsKey(PRIMARY_REGION)
                        && values.containsKey(SECONDARY_REGION)) {
                    fail(
                            ConfigKey.CONSUMERS_KCL_APPLICATIONS,
                            "application " + app.name() + " names region " + region
                                    + ", which is neither region of the pair");
                    return;
                }
            }
        }
    }

    /** A settle time shorter than the longest life of a replicated write lets a late copy land after the cut. */
    private void settleCoversLateWrites() {
        if (!isSet(FAILOVER_FENCE_SETTLE_MS) || !isSet(REPLICATION_SINK_REQUEST_TIMEOUT_MS)) {
            return;
        }
        long settle = number(FAILOVER_FENCE_SETTLE_MS);
        long lease = ReplicationSettings.FENCE_LEASE.toMillis();
        long request = number(REPLICATION_SINK_REQUEST_TIMEOUT_MS);
        if (settle != 0 && settle < lease + request) {
            fail(
                    FAILOVER_FENCE_SETTLE_MS,
                    "must be at least " + (lease + request) + ": the replicator's fence lease ("
                            + lease + " ms) plus " + REPLICATION_SINK_REQUEST_TIMEOUT_MS.key() + " (" + request
                            + " ms), the longest a replicated record can land after the fence closes (or 0 to skip the wait); "
                            + "raise it or lower " + REPLICATION_SINK_REQUEST_TIMEOUT_MS.key()
                            + ConfigBinder.got(FAILOVER_FENCE_SETTLE_MS, values.get(FAILOVER_FENCE_SETTLE_MS)));
        }
    }

    /** Region and account, when given, must agree with the ARN; when absent they are taken from it. */
    private void matchArn(StreamArn arn, ConfigKey arnKey, ConfigKey regionKey, ConfigKey accountKey) {
        if (arn == null) {
            return;
        }
        String region = values.get(regionKey);
        if (region != null && !region.equals(arn.region())) {
            fail(regionKey, "is " + region + " but " + arnKey.key() + " is in region " + arn.region());
        }
        String account = values.get(accountKey);
        if (account != null && !account.equals(arn.account())) {
            fail(accountKey, "is " + account + " but " + arnKey.key() + " belongs to account " + arn.account());
        }
        derive(regionKey, arn.region());
        derive(accountKey, arn.account());
    }

    private void twoDistinctSides(StreamArn primary, StreamArn secondary) {
        if (primary != null && secondary != null) {
            if (primary.equals(secondary)) {
                fail(
                        SECONDARY_STREAM_ARN,
                        "is the same stream as " + PRIMARY_STREAM_ARN.key() + " (" + primary
                                + "); replication needs two different streams");
                return;
            }
            if (!primary.partition().equals(secondary.partition())) {
                fail(
                        SECONDARY_STREAM_ARN,
                        "is in partition " + secondary.partition() + " but "
                                + PRIMARY_STREAM_ARN.key() + " is in " + primary.partition()
                                + "; one set of credentials cannot reach both");
            }
        }
        String primaryRegion = values.get(PRIMARY_REGION);
        if (primaryRegion != null && primaryRegion.equals(values.get(SECONDARY_REGION))) {
            fail(
                    SECONDARY_REGION,
                    "is " + primaryRegion + ", the same as " + PRIMARY_REGION.key()
                            + "; a replication pair must span two regions");
        }
    }

    private void consumer(StreamArn primary) {
        String lifecycle = values.get(REPLICATION_CONSUMER_LIFECYCLE);
        String consumerArn = values.get(REPLICATION_CONSUMER_ARN);
        if (consumerArn == null) {
            if (ConsumerLifecycle.SELF_MANAGED.configValue().equals(lifecycle)
                    && !invalid.contains(REPLICATION_CONSUMER_ARN)) {
                fail(
                        REPLICATION_CONSUMER_ARN,
                        "is required when " + REPLICATION_CONSUMER_LIFECYCLE.key() + " is SELF_MANAGED");
            }
            return;
        }
        if (ConsumerLifecycle.JOB_MANAGED.configValue().equals(lifecycle)) {
            fail(
                    REPLICATION_CONSUMER_ARN,
                    "must not be set when " + REPLICATION_CONSUMER_LIFECYCLE.key()
                            + " is JOB_MANAGED (the job registers its own consumer); set it to SELF_MANAGED to use this consumer");
            return;
        }
        Matcher matcher = ValueParser.CONSUMER_ARN.matcher(consumerArn);
        if (primary != null && matcher.matches() && !matcher.group(1).equals(primary.toString())) {
            fail(
                    REPLICATION_CONSUMER_ARN,
                    "belongs to stream " + matcher.group(1) + ", not to " + PRIMARY_STREAM_ARN.key() + " " + primary);
        }
    }

    private void credentials() {
        String mode = values.get(AWS_CREDENTIALS);
        for (ConfigKey key : List.of(AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY)) {
            if (CredentialsMode.STATIC.configValue().equals(mode)
                    && !values.containsKey(key)
                    && !invalid.contains(key)) {
                fail(key, "is required when " + AWS_CREDENTIALS.key() + " is static");
            } else if (CredentialsMode.DEFAULT.configValue().equals(mode) && values.containsKey(key)) {
                fail(
                        key,
                        "must not be set when " + AWS_CREDENTIALS.key()
                                + " is default (the SDK default chain ignores it); set " + AWS_CREDENTIALS.key()
                                + "=static to use it");
            }
        }
    }

    private StreamArn arn(ConfigKey key) {
        String value = values.get(key);
        return value == null ? null : StreamArn.parse(value);
    }

    private void derive(ConfigKey key, String value) {
        if (value != null && !values.containsKey(key) && !invalid.contains(key)) {
            values.put(key, value);
        }
    }

    private boolean isSet(ConfigKey key) {
        return values.containsKey(key);
    }

    private long number(ConfigKey key) {
        return Long.parseLong(values.get(key));
    }

    /** Records the error and drops the value so later rules do not build on it. */
    private void fail(ConfigKey key, String message) {
        errors.add(new ConfigError(key.key(), message));
        values.remove(key);
        invalid.add(key);
    }
}
