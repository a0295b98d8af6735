package io.kinesisha.common.control;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ReplicatedWriteConflictException;
import software.amazon.awssdk.services.dynamodb.model.ResourceInUseException;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;

/**
 * The control store: one DynamoDB table (a global table with multi-region strong consistency on AWS) with a
 * string partition key {@code pk} and sort key {@code sk}. Items per pair: the control record
 * ({@code pair#<name>} / {@code control}) and progress per source shard ({@code pair#<name>#progress} /
 * {@code <epoch>#<source region>#<shard id>}) and the audit trail ({@code pair#<name>#audit} /
 * {@code <ISO instant>#<uuid>}). Every change of the control record is a conditional write that carries its audit
 * entry (attribute {@code lastAudit}; appended to the trail right after), so no decision is recorded that did not
 * happen and none happens unrecorded - without transactions.
 *
 * <p>On the strongly consistent global table a write that races one from the other region is refused with
 * {@code ReplicatedWriteConflictException} (after the SDK's own retries): nothing was written, exactly like a failed
 * condition, so the conditional writes here report it as a lost race and the caller re-reads and decides again.
 */
public final class ControlStore {
    private static final Logger LOG = LoggerFactory.getLogger(ControlStore.class);
    static final String PK = "pk";
    static final String SK = "sk";
    static final String LAST_AUDIT = "lastAudit";
    /** Sequence numbers are decimals of up to 129 digits (the API's pattern): zero-padded so string order is numeric order. */
    private static final int SEQUENCE_WIDTH = 129;

    private final DynamoDbClient dynamo;
    private final String table;

    public ControlStore(DynamoDbClient dynamo, String table) {
        this.dynamo = dynamo;
        this.table = table;
    }

    public String table() {
        return table;
    }

    /** Creates the table if missing (local environments and tests; on AWS the CDK app creates it). */
    public void createTableIfMissing() {
        try {
            dynamo.createTable(b -> b.tableName(table)
                    .keySchema(
                            k -> k.attributeName(PK).keyType(KeyType.HASH),
                            k -> k.attributeName(SK).keyType(KeyType.RANGE))
                    .attributeDefinitions(
                            a -> a.attributeName(PK).attributeType(ScalarAttributeType.S),
                            a -> a.attributeName(SK).attributeType(ScalarAttributeType.S))
                    .billingMode(BillingMode.PAY_PER_REQUEST));
        } catch (ResourceInUseException exists) {
            return;
        }
        dynamo.waiter().waitUntilTableExists(b -> b.tableName(table));
    }

    /** The control record, read strongly consistent. */
    public Optional<ControlRecord> read(String pairName) {
        Map<String, AttributeValue> item = dynamo.getItem(
                        b -> b.tableName(table).consistentRead(true).key(key("pair#" + pairName, "control")))
                .item();
        return item == null || item.isEmpty() ? Optional.empty() : Optional.of(toRecord(item));
    }

    /** Writes the first record of a pair; false if one exists already (or a concurrent write from another region won). */
    public boolean create(ControlRecord record) {
        try {
            dynamo.putItem(
                    b -> b.tableName(table).item(toItem(record)).conditionExpression("attribute_not_exists(pk)"));
            return true;
        } catch (ConditionalCheckFailedException exists) {
            return false;
        } catch (ReplicatedWriteConflictException conflict) {
            return lostToOtherRegion(record, conflict);
        }
    }

    /** Replaces {@code expected} by {@code next} if nobody changed it meanwhile; false if we lost the race. */
    public boolean replace(ControlRecord expected, ControlRecord next) {
        if (next.version() != expected.version() + 1) {
            throw new IllegalArgumentException(
                    "next version must be " + (expected.version() + 1) + ", was " + next.version());
        }
        try {
            dynamo.putItem(b -> b.tableName(table)
                    .item(toItem(next))
                    .conditionExpression("version = :expected")
                    .expressionAttributeValues(Map.of(":expected", n(expected.version()))));
            return true;
        } catch (ConditionalCheckFailedException lost) {
            return false;
        } catch (ReplicatedWriteConflictException conflict) {
            return lostToOtherRegion(expected, conflict);
        }
    }

    private static boolean lostToOtherRegion(ControlRecord record, ReplicatedWriteConflictException conflict) {
        LOG.info(
                "control record of {} (version {}) was being written from another region ({}): a lost race",
                record.pairName(),
                record.version(),
                conflict.getMessage());
        return false;
    }

    /**
     * Like {@link #replace(ControlRecord, ControlRecord)}, and records {@code audit} without a transaction (the
     * control table is a strongly consistent global table; kinesis-ha does not rely on transactions there): the
     * entry is embedded in the record's conditional write (attribute {@code lastAudit}), then appended to the trail.
     * If the process dies between the two, {@link #readAudit} still shows the entry from the record. False if we
     * lost the race (nothing written).
     */
    public boolean replace(ControlRecord expected, ControlRecord next, AuditEntry audit) {
        if (next.version() != expected.version() + 1) {
            throw new IllegalArgumentException(
                    "next version must be " + (expected.version() + 1) + ", was " + next.version());
        }
        Map<String, AttributeValue> item = toItem(next);
        item.put(LAST_AUDIT, AttributeValue.fromM(toItem(audit)));
        try {
            dynamo.putItem(b -> b.tableName(table)
                    .item(item)
                    .conditionExpression("version = :expected")
                    .expressionAttributeValues(Map.of(":expected", n(expected.version()))));
        } catch (ConditionalCheckFailedException lost) {
            return false;
        } catch (ReplicatedWriteConflictException conflict) {
            return lostToOtherRegion(expected, conflict);
        }
        try {
            appendAudit(audit);
        } catch (ConditionalCheckFailedException alreadyThere) {
            // written by an earlier attempt of the same entry
        } catch (RuntimeException e) {
            LOG.warn(
                    "audit entry {} is kept in the control record only (the trail was not reachable): {}",
                    audit.sortKey(),
                    e.toString());
        }
        return true;
    }

    /** Appends an entry to the audit trail (never overwrites one). */
    public void appendAudit(AuditEntry entry) {
        dynamo.putItem(b -> b.tableName(table).item(toItem(entry)).conditionExpression("attribute_not_exists(pk)"));
    }

    /** The newest {@code limit} audit entries of a pair, newest first. */
    public List<AuditEntry> readAudit(String pairName, int limit) {
        List<AuditEntry> result = new ArrayList<>();
        if (limit <= 0) {
            return result;
        }
        Map<String, AttributeValue> start = null;
        do {
            Map<String, AttributeValue> from = start;
            QueryResponse page = dynamo.query(b -> b.tableName(table)
                    .consistentRead(true)
                    .scanIndexForward(false)
                    .keyConditionExpression("pk = :pk")
                    .expressionAttributeValues(Map.of(":pk", s(auditKey(pairName))))
                    .limit(limit - result.size())
                    .exclusiveStartKey(from));
            for (Map<String, AttributeValue> item : page.items()) {
                result.add(toAudit(pairName, item));
            }
            start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
        } while (start != null && result.size() < limit);
        return withLastAuditOfRecord(pairName, result, limit);
    }

    /** The entry embedded in the control record is in the trail unless the process died before appending it. */
    private List<AuditEntry> withLastAuditOfRecord(String pairName, List<AuditEntry> trail, int limit) {
        Map<String, AttributeValue> record = dynamo.getItem(
                        b -> b.tableName(table).consistentRead(true).key(key("pair#" + pairName, "control")))
                .item();
        AttributeValue last = record == null ? null : record.get(LAST_AUDIT);
        if (last == null || !last.hasM()) {
            return trail;
        }
        AuditEntry embedded = toAudit(pairName, last.m());
        for (AuditEntry e : trail) {
            if (e.sortKey().equals(embedded.sortKey())) {
                return trail;
            }
        }
        List<AuditEntry> merged = new ArrayList<>(trail);
        merged.add(embedded);
        merged.sort((a, b) -> b.sortKey().compareTo(a.sortKey()));
        return merged.size() > limit ? merged.subList(0, limit) : merged;
    }

    /** Records progress; never moves a shard's position backwards (false if the stored one is further). */
    public boolean putProgress(ShardProgress p) {
        Map<String, AttributeValue> item = new HashMap<>();
        item.putAll(key(
                "pair#" + p.pairName() + "#progress", progressSortKey(p.epoch(), p.direction(), p.sourceShardId())));
        item.put("direction", s(p.direction().toString()));
        item.put("epoch", n(p.epoch()));
        item.put("sourceShardId", s(p.sourceShardId()));
        if (p.lastSequenceNumber() != null) {
            item.put("lastSequenceNumber", s(p.lastSequenceNumber()));
            item.put("lastSequenceOrder", s(pad(p.lastSequenceNumber())));
        }
        item.put("lastArrivalMillis", n(p.lastArrivalEpochMillis()));
        item.put("millisBehindLatest", n(p.millisBehindLatest()));
        if (p.targetShardId() != null) {
            item.put("targetShardId", s(p.targetShardId()));
            item.put("targetSequenceNumber", s(p.targetSequenceNumber()));
        }
        item.put("recordsReplicated", n(p.recordsReplicated()));
        item.put("checkpointId", n(p.checkpointId()));
        item.put("shardFinished", AttributeValue.fromBool(p.shardFinished()));
        item.put("updatedMillis", n(p.updatedEpochMillis()));
        if (p.markSequenceNumber() != null) {
            item.put("markSequenceNumber", s(p.markSequenceNumber()));
            Map<String, AttributeValue> targets = new HashMap<>();
            p.markTargets().forEach((shard, seq) -> targets.put(shard, s(seq)));
            item.put("markTargets", AttributeValue.fromM(targets));
        }
        try {
            if (p.lastSequenceNumber() == null) {
                dynamo.putItem(b ->
                        b.tableName(table).item(item).conditionExpression("attribute_not_exists(lastSequenceOrder)"));
            } else {
                dynamo.putItem(b -> b.tableName(table)
                        .item(item)
                        .conditionExpression("attribute_not_exists(lastSequenceOrder) OR lastSequenceOrder <= :seq")
                        .expressionAttributeValues(Map.of(":seq", s(pad(p.lastSequenceNumber())))));
            }
            return true;
        } catch (ConditionalCheckFailedException further) {
            return false;
        }
    }

    /** Progress of every source shard replicated under {@code epoch} in {@code direction}. */
    public List<ShardProgress> readProgress(String pairName, ReplicationDirection direction, long epoch) {
        List<ShardProgress> result = new ArrayList<>();
        String prefix = epochPrefix(epoch) + "#" + direction.sourceRegion() + "#";
        Map<String, AttributeValue> start = null;
        do {
            Map<String, AttributeValue> from = start;
            QueryResponse page = dynamo.query(b -> b.tableName(table)
                    .consistentRead(true)
                    .keyConditionExpression("pk = :pk AND begins_with(sk, :prefix)")
                    .expressionAttributeValues(Map.of(":pk", s("pair#" + pairName + "#progress"), ":prefix", s(prefix)))
                    .exclusiveStartKey(from));
            for (Map<String, AttributeValue> item : page.items()) {
                result.add(toProgress(pairName, item));
            }
            start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
        } while (start != null);
        return result;
    }

    static String progressSortKey(long epoch, ReplicationDirection direction, String shardId) {
        return epochPrefix(epoch) + "#" + direction.sourceRegion() + "#" + shardId;
    }

    private static String epochPrefix(long epoch) {
        return String.format("%012d", epoch);
    }

    static String pad(String sequenceNumber) {
        if (sequenceNumber.length() > SEQUENCE_WIDTH || !sequenceNumber.chars().allMatch(Character::isDigit)) {
            throw new IllegalArgumentException("not a Kinesis sequence number: " + sequenceNumber);
        }
        StringBuilder padded = new StringBuilder(SEQUENCE_WIDTH);
        for (int i = sequenceNumber.length(); i < SEQUENCE_WIDTH; i++) {
            padded.append('0');
        }
        return padded.append(sequenceNumber).toString();
    }

    private static ControlRecord toRecord(Map<String, AttributeValue> item) {
        AttributeValue direction = item.get("direction");
        return new ControlRecord(
                item.get("pairName").s(),
                item.get("activeRegion").s(),
                direction == null || direction.s() == null || direction.s().isEmpty()
                        ? null
                        : ReplicationDirection.parse(direction.s()),
                Long.parseLong(item.get("epoch").n()),
                item.get("state").s(),
                item.get("automationPaused").bool(),
                Long.parseLong(item.get("version").n()),
                Instant.parse(item.get("updatedAt").s()),
                str(item, "operation"),
                str(item, "policyMemory"),
                item.containsKey("producersPaused")
                        && Boolean.TRUE.equals(item.get("producersPaused").bool()));
    }

    private static String auditKey(String pairName) {
        return "pair#" + pairName + "#audit";
    }

    private static Map<String, AttributeValue> toItem(AuditEntry e) {
        Map<String, AttributeValue> item = new HashMap<>(key(auditKey(e.pairName()), e.sortKey()));
        item.put("at", s(e.at().toString()));
        item.put("id", s(e.id()));
        item.put("kind", s(e.kind().name()));
        item.put("message", s(e.message()));
        Map<String, AttributeValue> evidence = new HashMap<>();
        e.evidence().forEach((k, v) -> evidence.put(k, s(v)));
        item.put("evidence", AttributeValue.fromM(evidence));
        return item;
    }

    private static AuditEntry toAudit(String pairName, Map<String, AttributeValue> item) {
        Map<String, String> evidence = new TreeMap<>();
        AttributeValue m = item.get("evidence");
        if (m != null && m.hasM()) {
            m.m().forEach((k, v) -> evidence.put(k, v.s()));
        }
        return new AuditEntry(
                pairName,
                Instant.parse(item.get("at").s()),
                item.get("id").s(),
                AuditEntry.Kind.valueOf(item.get("kind").s()),
                item.get("message").s(),
                evidence);
    }

    private static Map<String, AttributeValue> toItem(ControlRecord r) {
        Map<String, AttributeValue> item = new HashMap<>(key("pair#" + r.pairName(), "control"));
        item.put("pairName", s(r.pairName()));
        item.put("activeRegion", s(r.activeRegion()));
        item.put("direction", s(r.direction() == null ? "" : r.direction().toString()));
        item.put("epoch", n(r.epoch()));
        item.put("state", s(r.state()));
        item.put("automationPaused", AttributeValue.fromBool(r.automationPaused()));
        item.put("producersPaused", AttributeValue.fromBool(r.producersPaused()));
        item.put("version", n(r.version()));
        item.put("updatedAt", s(r.updatedAt().toString()));
        if (r.operation() != null) {
            item.put("operation", s(r.operation()));
        }
        if (r.policyMemory() != null) {
            item.put("policyMemory", s(r.policyMemory()));
        }
        return item;
    }

    /**
     * Takes or renews the lease {@code name} of the pair for {@code owner}: succeeds if nobody holds it, the owner
     * already does, or the holder let it expire. A conditional put, so of two runners racing exactly one wins.
     */
    public boolean acquireLease(
            String pairName, String name, String owner, long nowEpochMillis, long ttlMillis, String description) {
        Map<String, AttributeValue> item = new HashMap<>(key("pair#" + pairName + "#lease", name));
        item.put("owner", s(owner));
        item.put("acquiredMillis", n(nowEpochMillis));
        item.put("expiresMillis", n(nowEpochMillis + ttlMillis));
        item.put("description", s(description));
        try {
            dynamo.putItem(b -> b.tableName(table)
                    .item(item)
                    .conditionExpression("attribute_not_exists(pk) OR #owner = :owner OR expiresMillis < :now")
                    .expressionAttributeNames(Map.of("#owner", "owner"))
                    .expressionAttributeValues(Map.of(":owner", s(owner), ":now", n(nowEpochMillis))));
            return true;
        } catch (ConditionalCheckFailedException held) {
            return false;
        }
    }

    /** Gives the lease up if {@code owner} holds it (it expires now; nothing is deleted). */
    public void releaseLease(String pairName, String name, String owner, long nowEpochMillis) {
        Map<String, AttributeValue> item = new HashMap<>(key("pair#" + pairName + "#lease", name));
        item.put("owner", s(owner));
        item.put("acquiredMillis", n(nowEpochMillis));
        item.put("expiresMillis", n(nowEpochMillis));
        item.put("description", s("released"));
        try {
            dynamo.putItem(b -> b.tableName(table)
                    .item(item)
                    .conditionExpression("#owner = :owner")
                    .expressionAttributeNames(Map.of("#owner", "owner"))
                    .expressionAttributeValues(Map.of(":owner", s(owner))));
        } catch (ConditionalCheckFailedException notOurs) {
            LOG.info("lease {} of {} is not held by {}: nothing to release", name, pairName, owner);
        }
    }

    /** The lease as stored (held or expired), read strongly consistent. */
    public Optional<RunnerLease> readLease(String pairName, String name) {
        Map<String, AttributeValue> item = dynamo.getItem(
                        b -> b.tableName(table).consistentRead(true).key(key("pair#" + pairName + "#lease", name)))
                .item();
        if (item == null || item.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new RunnerLease(
                name,
                item.get("owner").s(),
                Long.parseLong(item.get("acquiredMillis").n()),
                Long.parseLong(item.get("expiresMillis").n()),
                str(item, "description")));
    }

    /** Records {@code ack} (idempotent: the same writer acknowledging again overwrites its row). */
    public void putFenceAck(String pairName, FenceAck ack) {
        Map<String, AttributeValue> item = new HashMap<>(key(
                "pair#" + pairName + "#fenceack",
                fenceAckPrefix(ack.direction(), ack.epoch()) + ack.owner() + "#" + ack.subtask()));
        item.put("owner", s(ack.owner()));
        item.put("subtask", n(ack.subtask()));
        item.put("parallelism", n(ack.parallelism()));
        item.put("atMillis", n(ack.atEpochMillis()));
        // only the failover of this epoch reads it: the table's TTL removes it, as it does handled deliveries
        item.put("expiresAt", n(ack.atEpochMillis() / 1000 + DeliveryLog.RETENTION.getSeconds()));
        dynamo.putItem(b -> b.tableName(table).item(item));
    }

    /** Every writer's acknowledgement of the fence of {@code direction} at {@code epoch}, read strongly consistent. */
    public List<FenceAck> readFenceAcks(String pairName, ReplicationDirection direction, long epoch) {
        List<FenceAck> result = new ArrayList<>();
        dynamo.queryPaginator(b -> b.tableName(table)
                        .consistentRead(true)
                        .keyConditionExpression("pk = :pk AND begins_with(sk, :prefix)")
                        .expressionAttributeValues(Map.of(
                                ":pk",
                                s("pair#" + pairName + "#fenceack"),
                                ":prefix",
                                s(fenceAckPrefix(direction, epoch)))))
                .items()
                .forEach(item -> result.add(new FenceAck(
                        direction,
                        epoch,
                        item.get("owner").s(),
                        Integer.parseInt(item.get("subtask").n()),
                        Integer.parseInt(item.get("parallelism").n()),
                        Long.parseLong(item.get("atMillis").n()))));
        return result;
    }

    private static String fenceAckPrefix(ReplicationDirection direction, long epoch) {
        return epochPrefix(epoch) + "#" + direction + "#";
    }

    private static ShardProgress toProgress(String pairName, Map<String, AttributeValue> item) {
        ShardProgress row = new ShardProgress(
                pairName,
                ReplicationDirection.parse(item.get("direction").s()),
                Long.parseLong(item.get("epoch").n()),
                item.get("sourceShardId").s(),
                str(item, "lastSequenceNumber"),
                Long.parseLong(item.get("lastArrivalMillis").n()),
                Long.parseLong(item.get("millisBehindLatest").n()),
                str(item, "targetShardId"),
                str(item, "targetSequenceNumber"),
                Long.parseLong(item.get("recordsReplicated").n()),
                Long.parseLong(item.get("checkpointId").n()),
                item.get("shardFinished").bool(),
                Long.parseLong(item.get("updatedMillis").n()));
        AttributeValue targets = item.get("markTargets");
        if (str(item, "markSequenceNumber") == null || targets == null || !targets.hasM()) {
            return row; // rows of older writers have no mark
        }
        Map<String, String> marks = new HashMap<>();
        targets.m().forEach((shard, seq) -> marks.put(shard, seq.s()));
        return row.withMark(str(item, "markSequenceNumber"), marks);
    }

    private static String str(Map<String, AttributeValue> item, String name) {
        AttributeValue v = item.get(name);
        return v == null ? null : v.s();
    }

    private static Map<String, AttributeValue> key(String pk, String sk) {
        Map<String, AttributeValue> key = new HashMap<>();
        key.put(PK, s(pk));
        key.put(SK, s(sk));
        return key;
    }

    private static AttributeValue s(String value) {
        return AttributeValue.fromS(value);
    }

    private static AttributeValue n(long value) {
        return AttributeValue.fromN(Long.toString(value));
    }
}
