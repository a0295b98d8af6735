package io.kinesisha.common.config;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Known-good values the tests start from and then break one at a time. */
final class ConfigFixtures {
    static final String PRIMARY_ARN = "arn:aws:kinesis:us-east-1:123456789012:stream/orders";
    static final String SECONDARY_ARN = "arn:aws:kinesis:us-west-2:123456789012:stream/orders-replica";
    static final String CONSUMER_ARN = PRIMARY_ARN + "/consumer/kinesis-ha-replicator:1700000000";
    static final String SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

    private ConfigFixtures() {}

    /** The three required keys and nothing else. */
    static Map<String, String> minimal() {
        Map<String, String> map = new LinkedHashMap<>();
        map.put("pair.name", "orders");
        map.put("primary.stream-arn", PRIMARY_ARN);
        map.put("secondary.stream-arn", SECONDARY_ARN);
        return map;
    }

    /** Every key set, none to its default. */
    static Map<String, String> full() {
        Map<String, String> map = new LinkedHashMap<>();
        map.put("pair.name", "orders-eu");
        map.put("primary.region", "eu-west-1");
        map.put("primary.account", "111122223333");
        map.put("primary.stream-arn", "arn:aws:kinesis:eu-west-1:111122223333:stream/orders");
        map.put("primary.endpoint", "http://localhost:4567");
        map.put("secondary.region", "eu-central-1");
        map.put("secondary.account", "444455556666");
        map.put("secondary.stream-arn", "arn:aws:kinesis:eu-central-1:444455556666:stream/orders.copy");
        map.put("secondary.endpoint", "https://vpce-1.kinesis.eu-central-1.vpce.amazonaws.com");
        map.put("replication.consumer-name", "ignored-for-self-managed");
        map.put("replication.forward-application", "kinesis-ha-orders-eu-forward");
        map.put("replication.reverse-application", "kinesis-ha-orders-eu-reverse");
        map.put("replication.consumer-lifecycle", "SELF_MANAGED");
        map.put(
                "replication.consumer-arn",
                "arn:aws:kinesis:eu-west-1:111122223333:stream/orders/consumer/ha:1700000000");
        map.put("replication.reader", "POLLING");
        map.put("replication.starting-position", "LATEST");
        map.put("replication.checkpoint-interval-ms", "20000");
        map.put("replication.shard-discovery-interval-ms", "15000");
        map.put("replication.max-batch-records", "250");
        map.put("replication.max-in-flight-batches", "8");
        map.put("replication.sink-request-timeout-ms", "800");
        map.put("replication.checkpoint-timeout-ms", "60000");
        map.put("replication.tolerable-checkpoint-failures", "5");
        map.put("replication.max-buffered-per-key", "200");
        map.put("control.table-name", "ha-control");
        map.put("control.region", "eu-north-1");
        map.put("control.endpoint", "http://localhost:8000");
        map.put("health.error-rate-threshold-percent", "2.5");
        map.put("health.error-rate-window-minutes", "10");
        map.put("health.iterator-age-threshold-ms", "120000");
        map.put("health.replication-lag-threshold-ms", "45000");
        map.put("health.probe-interval-ms", "10000");
        map.put("health.probe-timeout-ms", "3000");
        map.put("health.consecutive-bad-evaluations", "4");
        map.put("health.min-dwell-minutes", "0");
        map.put("health.max-automatic-failovers", "2");
        map.put("health.automatic-failover-window-hours", "48");
        map.put("failback.orphan-policy", "report-only");
        map.put(
                "producers.lambda-functions",
                "arn:aws:lambda:eu-west-1:111122223333:function:orders-producer,"
                        + "arn:aws:lambda:eu-central-1:444455556666:function:orders-producer");
        map.put("consumers.lambda-functions", "orders-consumer,orders-audit");
        map.put("consumers.kcl-applications", "orders-app:eu-west-1=orders-app,eu-central-1=orders-app-dr");
        map.put("aws.credentials", "static");
        map.put("aws.access-key-id", "AKIAEXAMPLE");
        map.put("aws.secret-access-key", SECRET);
        map.put("aws.api-call-timeout-ms", "60000");
        map.put("aws.api-call-attempt-timeout-ms", "60000");
        map.put("aws.max-attempts", "3");
        return map;
    }

    static Path resource(String name) {
        try {
            return Path.of(ConfigFixtures.class.getResource("/config/" + name).toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("missing test resource config/" + name, e);
        }
    }
}
