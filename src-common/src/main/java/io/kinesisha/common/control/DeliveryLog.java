package io.kinesisha.common.control;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.ReplicatedWriteConflictException;

/**
 * Which events the controller already acted on, in the control table ({@code pair#<name>#delivery} / the event's
 * delivery key), so an alarm state change delivered twice - CloudWatch and EventBridge deliver at least once, Lambda
 * retries asynchronous invocations, possibly in another execution environment - acts once. A delivery is claimed by
 * a conditional write before acting and marked DONE or FAILED after; a FAILED one (or one RUNNING for longer than any
 * invocation lasts) can be claimed again, so a retry after a failure still acts. Items carry {@code expiresAt}
 * (epoch seconds), ready for a time to live on the table (one small item per alarm state change).
 */
public final class DeliveryLog {
    private static final Logger LOG = LoggerFactory.getLogger(DeliveryLog.class);
    /** How long a delivery is remembered. */
    public static final Duration RETENTION = Duration.ofDays(14);

    /** What became of a delivery. */
    public enum Status {
        RUNNING,
        DONE,
        FAILED
    }

    private final DynamoDbClient dynamo;
    private final String table;

    public DeliveryLog(DynamoDbClient dynamo, String table) {
        this.dynamo = dynamo;
        this.table = table;
    }

    /**
     * Claims delivery {@code key} of {@code pairName} for {@code owner}: true when nobody acted on it yet, it failed,
     * or its claim is older than {@code abandonedAfter}; false for a duplicate.
     */
    public boolean claim(String pairName, String key, String owner, Instant now, Duration abandonedAfter) {
        Map<String, AttributeValue> item = item(pairName, key, Status.RUNNING, owner, now);
        try {
            dynamo.putItem(b -> b.tableName(table)
                    .item(item)
                    .conditionExpression(
                            "attribute_not_exists(pk) OR #status = :failed OR (#status = :running AND #at < :abandoned)")
                    .expressionAttributeNames(Map.of("#status", "status", "#at", "at"))
                    .expressionAttributeValues(Map.of(
                            ":failed",
                            s(Status.FAILED.name()),
                            ":running",
                            s(Status.RUNNING.name()),
                            ":abandoned",
                            n(now.minus(abandonedAfter).toEpochMilli()))));
            return true;
        } catch (ConditionalCheckFailedException duplicate) {
            return false;
        } catch (ReplicatedWriteConflictException claimedInOtherRegion) {
            LOG.info("delivery {} of {} is being claimed from another region: a duplicate", key, pairName);
            return false;
        }
    }

    /** Records the outcome of a delivery {@code owner} claimed; false if another owner claimed it since. */
    public boolean finish(String pairName, String key, String owner, Status status, Instant now) {
        try {
            dynamo.putItem(b -> b.tableName(table)
                    .item(item(pairName, key, status, owner, now))
                    .conditionExpression("#owner = :owner")
                    .expressionAttributeNames(Map.of("#owner", "owner"))
                    .expressionAttributeValues(Map.of(":owner", s(owner))));
            return true;
        } catch (ConditionalCheckFailedException reclaimed) {
            return false;
        }
    }

    /** The status of delivery {@code key}, or null when it was never claimed. */
    public Status status(String pairName, String key) {
        Map<String, AttributeValue> item = dynamo.getItem(b -> b.tableName(table)
                        .consistentRead(true)
                        .key(Map.of(ControlStore.PK, s(pk(pairName)), ControlStore.SK, s(key))))
                .item();
        return item == null || item.isEmpty()
                ? null
                : Status.valueOf(item.get("status").s());
    }

    private static Map<String, AttributeValue> item(
            String pairName, String key, Status status, String owner, Instant now) {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put(ControlStore.PK, s(pk(pairName)));
        item.put(ControlStore.SK, s(key));
        item.put("status", s(status.name()));
        item.put("owner", s(owner));
        item.put("at", n(now.toEpochMilli()));
        item.put("expiresAt", n(now.plus(RETENTION).getEpochSecond()));
        return item;
    }

    private static String pk(String pairName) {
        return "pair#" + pairName + "#delivery";
    }

    private static AttributeValue s(String value) {
        return AttributeValue.fromS(value);
    }

    private static AttributeValue n(long value) {
        return AttributeValue.fromN(Long.toString(value));
    }
}
