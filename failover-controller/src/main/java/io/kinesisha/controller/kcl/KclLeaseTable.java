package io.kinesisha.controller.kcl;

import io.kinesisha.controller.kcl.CheckpointTranslator.TargetLease;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ProjectionType;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;

/**
 * A KCL application's lease table, in the item shape KCL 3.x's lease serializer reads (single-stream mode:
 * {@code leaseKey} is the shard id). Leases are written unowned with a fresh counter, so the first worker of the
 * restarted application takes them as it would new ones; the application must not run against the table while
 * they are written (the runbook's contract).
 */
public final class KclLeaseTable {
    static final String LEASE_KEY = "leaseKey";
    static final String CHECKPOINT = "checkpoint";
    static final String SUB_SEQUENCE = "checkpointSubSequenceNumber";
    static final String OWNER = "leaseOwner";
    /**
     * KCL 3.x's index of leases by owner. A worker adds it to a table without it and polls every 10 s until it is
     * ACTIVE before it takes a lease: created with the table, a worker restarted after a switch starts at once.
     */
    static final String OWNER_INDEX = "LeaseOwnerToLeaseKeyIndex";

    private final DynamoDbClient dynamo;
    private final String table;

    public KclLeaseTable(DynamoDbClient dynamo, String table) {
        this.dynamo = dynamo;
        this.table = table;
    }

    public String name() {
        return table;
    }

    /** Shard id to checkpoint of every lease; empty when the table does not exist (the application never ran). */
    public Map<String, LeaseCheckpoint> checkpoints() {
        Map<String, LeaseCheckpoint> leases = new HashMap<>();
        try {
            dynamo.scanPaginator(b -> b.tableName(table).consistentRead(true))
                    .items()
                    .forEach(item -> {
                        AttributeValue checkpoint = item.get(CHECKPOINT);
                        AttributeValue sub = item.get(SUB_SEQUENCE);
                        boolean partial = sub != null && sub.n() != null && Long.parseLong(sub.n()) > 0;
                        leases.put(
                                item.get(LEASE_KEY).s(),
                                checkpoint == null
                                        ? LeaseCheckpoint.NONE
                                        : new LeaseCheckpoint(checkpoint.s(), partial));
                    });
        } catch (ResourceNotFoundException e) {
            return Map.of();
        }
        return leases;
    }

    /** Writes {@code leases} (creating the table as KCL would), then deletes leases of shards not among them. */
    public void write(Iterable<TargetLease> leases, Set<String> shardIds) {
        createIfAbsent();
        for (TargetLease lease : leases) {
            dynamo.putItem(b -> b.tableName(table).item(item(lease)));
        }
        for (String stale : checkpoints().keySet()) {
            if (!shardIds.contains(stale)) {
                dynamo.deleteItem(b -> b.tableName(table).key(Map.of(LEASE_KEY, AttributeValue.fromS(stale))));
            }
        }
    }

    /** The item KCL reads for {@code lease}. */
    static Map<String, AttributeValue> item(TargetLease lease) {
        Map<String, AttributeValue> item = new LinkedHashMap<>();
        item.put(LEASE_KEY, AttributeValue.fromS(lease.shardId()));
        item.put("leaseCounter", AttributeValue.fromN("0"));
        item.put("ownerSwitchesSinceCheckpoint", AttributeValue.fromN("0"));
        item.put(CHECKPOINT, AttributeValue.fromS(lease.checkpoint()));
        item.put(SUB_SEQUENCE, AttributeValue.fromN("0"));
        if (!lease.parentShardIds().isEmpty()) {
            item.put("parentShardId", AttributeValue.fromSs(lease.parentShardIds()));
        }
        if (lease.startingHashKey() != null && lease.endingHashKey() != null) {
            item.put("startingHashKey", AttributeValue.fromS(lease.startingHashKey()));
            item.put("endingHashKey", AttributeValue.fromS(lease.endingHashKey()));
        }
        return item;
    }

    private void createIfAbsent() {
        try {
            dynamo.describeTable(b -> b.tableName(table));
            return;
        } catch (ResourceNotFoundException e) {
            // created below, with the key schema and the owner index KCL 3.x creates
        }
        dynamo.createTable(b -> b.tableName(table)
                .billingMode(BillingMode.PAY_PER_REQUEST)
                .keySchema(k -> k.attributeName(LEASE_KEY).keyType(KeyType.HASH))
                .attributeDefinitions(
                        a -> a.attributeName(LEASE_KEY).attributeType(ScalarAttributeType.S),
                        a -> a.attributeName(OWNER).attributeType(ScalarAttributeType.S))
                .globalSecondaryIndexes(i -> i.indexName(OWNER_INDEX)
                        .keySchema(
                                k -> k.attributeName(OWNER).keyType(KeyType.HASH),
                                k -> k.attributeName(LEASE_KEY).keyType(KeyType.RANGE))
                        .projection(p -> p.projectionType(ProjectionType.KEYS_ONLY))));
        dynamo.waiter().waitUntilTableExists(b -> b.tableName(table));
    }
}
