package io.kinesisha.infra;

import software.amazon.awscdk.regioninfo.RegionInfo;

/**
 * Fixed physical names and the ARNs built from them. Each stack refers to what lives in the other region by name, not
 * by a cross-region reference, so the stacks deploy (and the standby keeps working) independently of each other.
 */
public final class Names {
    private Names() {}

    static String prefix(DeploymentSettings s) {
        return "kinesis-ha-" + s.pairName();
    }

    /** The control table's name when context does not set {@code control.table-name}: one table per pair. */
    static String defaultControlTable(String pairName) {
        return "kinesis-ha-" + pairName + "-control";
    }

    /** The operator topic of a region: alarms, failovers and failed controller rounds. */
    public static String notificationTopic(DeploymentSettings s) {
        return prefix(s) + "-notifications";
    }

    /** The forward replicator (primary to secondary); runs in the secondary region. */
    public static String forwardApplication(DeploymentSettings s) {
        return prefix(s) + "-forward";
    }

    /** The reverse replicator (secondary to primary, for failback); runs in the primary region, created stopped. */
    public static String reverseApplication(DeploymentSettings s) {
        return prefix(s) + "-reverse";
    }

    /** Same name in both regions. */
    public static String controllerFunction(DeploymentSettings s) {
        return prefix(s) + "-controller";
    }

    public static String streamKeyAlias(DeploymentSettings s) {
        return "alias/" + prefix(s) + "-stream";
    }

    public static String dashboard(DeploymentSettings s, String region) {
        return prefix(s) + "-" + region;
    }

    public static String partition(String region) {
        return RegionInfo.get(region).getPartition();
    }

    public static String streamArn(DeploymentSettings s, String region) {
        return streamArn(partition(region), region, s.account(), s.streamName());
    }

    static String streamArn(String partition, String region, String account, String stream) {
        return "arn:" + partition + ":kinesis:" + region + ":" + account + ":stream/" + stream;
    }

    /** Consumer ARNs end in the creation time, unknown before deployment: this pattern matches any of that name. */
    public static String consumerArnPattern(DeploymentSettings s, String region) {
        return streamArn(s, region) + "/consumer/" + s.consumerName() + ":*";
    }

    /** A consumer ARN of the right shape, only to validate the pair config at synth time. */
    static String placeholderConsumerArn(DeploymentSettings s) {
        return streamArn(s, s.primaryRegion()) + "/consumer/" + s.consumerName() + ":0";
    }

    public static String applicationArn(DeploymentSettings s, String region, String application) {
        return "arn:" + partition(region) + ":kinesisanalytics:" + region + ":" + s.account() + ":application/"
                + application;
    }

    public static String functionArn(DeploymentSettings s, String region, String function) {
        return "arn:" + partition(region) + ":lambda:" + region + ":" + s.account() + ":function:" + function;
    }

    /** The control table's replica in {@code region}. */
    public static String tableArn(DeploymentSettings s, String region) {
        return "arn:" + partition(region) + ":dynamodb:" + region + ":" + s.account() + ":table/"
                + s.controlTableName();
    }

    /** Any key of the account in {@code region}; statements using it narrow it to the stream key by alias. */
    public static String anyKeyArn(DeploymentSettings s, String region) {
        return "arn:" + partition(region) + ":kms:" + region + ":" + s.account() + ":key/*";
    }

    public static String logGroupArn(DeploymentSettings s, String region, String logGroupName) {
        return "arn:" + partition(region) + ":logs:" + region + ":" + s.account() + ":log-group:" + logGroupName;
    }

    public static String dashboardUrl(DeploymentSettings s, String region) {
        return "https://" + region + ".console.aws.amazon.com/cloudwatch/home?region=" + region + "#dashboards:name="
                + dashboard(s, region);
    }
}
