package io.kinesisha.common.control;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;

/**
 * What failback needs to remember beyond the control record, in the same table: the {@link StreamCut}s
 * ({@code pair#<name>#cut} / {@code <region>#<epoch>}) and the orphan {@link RepublishBatch}es
 * ({@code pair#<name>#republish} / {@code <cut epoch>#<batch>}). Cuts are written once (the first write wins, so
 * a resumed controller cannot move one); batches move from INTENDED to COPIED by conditional writes. Where each
 * replication direction started ({@link ReplicationStart}, {@code pair#<name>#start} / {@code <target region>#<epoch>})
 * is written once too; pairs without such items (older versions) read as "not recorded".
 */
public final class ReplicationLedger {
    private final DynamoDbClient dynamo;
    private final String table;

    public ReplicationLedger(DynamoDbClient dynamo, String table) {
        this.dynamo = dynamo;
        this.table = table;
    }

    /** Stores {@code cut} unless one exists for its region and epoch; returns the stored one either way. */
    public StreamCut putCut(StreamCut cut) {
        Map<String, AttributeValue> item = key(cutKey(cut.pairName()), cut.region() + "#" + pad(cut.epoch()));
        item.put("region", s(cut.region()));
        item.put("epoch", n(cut.epoch()));
        item.put("takenAt", s(cut.takenAt().toString()));
        item.put(
                "fencedDirection",
                s(cut.fencedDirection() == null ? "" : cut.fencedDirection().toString()));
        item.put("fencedEpoch", n(cut.fencedEpoch()));
        Map<String, AttributeValue> tips = new HashMap<>();
        cut.tips().forEach((shard, seq) -> tips.put(shard, s(seq)));
        item.put("tips", AttributeValue.fromM(tips));
        try {
            dynamo.putItem(b -> b.tableName(table).item(item).conditionExpression("attribute_not_exists(pk)"));
            return cut;
        } catch (ConditionalCheckFailedException exists) {
            return cut(cut.pairName(), cut.region(), cut.epoch())
                    .orElseThrow(() -> new IllegalStateException("cut " + cut + " exists and cannot be read"));
        }
    }

    /** The cut of {@code region} taken at {@code epoch}, if any. */
    public Optional<StreamCut> cut(String pairName, String region, long epoch) {
        Map<String, AttributeValue> item = dynamo.getItem(b ->
                        b.tableName(table).consistentRead(true).key(key(cutKey(pairName), region + "#" + pad(epoch))))
                .item();
        return item == null || item.isEmpty() ? Optional.empty() : Optional.of(toCut(pairName, item));
    }

    /** The newest cut of {@code region} taken at or before {@code epoch}: where replication out of it starts. */
    public Optional<StreamCut> latestCut(String pairName, String region, long epoch) {
        QueryResponse page = dynamo.query(b -> b.tableName(table)
                .consistentRead(true)
                .scanIndexForward(false)
                .limit(1)
                .keyConditionExpression("pk = :pk AND sk BETWEEN :lo AND :hi")
                .expressionAttributeValues(Map.of(
                        ":pk", s(cutKey(pairName)), ":lo", s(region + "#"), ":hi", s(region + "#" + pad(epoch)))));
        return page.items().isEmpty()
                ? Optional.empty()
                : Optional.of(toCut(pairName, page.items().get(0)));
    }

    /** Stores {@code start} unless one exists for its target region and epoch; returns the stored one either way. */
    public ReplicationStart putStart(ReplicationStart start) {
        Map<String, AttributeValue> item =
                key(startKey(start.pairName()), start.direction().targetRegion() + "#" + pad(start.epoch()));
        item.put("direction", s(start.direction().toString()));
        item.put("epoch", n(start.epoch()));
        item.put("takenAt", s(start.takenAt().toString()));
        item.put("sourceTips", tipsAttribute(start.sourceTips()));
        item.put("targetTips", tipsAttribute(start.targetTips()));
        try {
            dynamo.putItem(b -> b.tableName(table).item(item).conditionExpression("attribute_not_exists(pk)"));
            return start;
        } catch (ConditionalCheckFailedException exists) {
            return starts(start.pairName(), start.direction().targetRegion()).stream()
                    .filter(s -> s.epoch() == start.epoch())
                    .findFirst()
                    .orElseThrow(() ->
                            new IllegalStateException("replication start " + start + " exists and cannot be read"));
        }
    }

    /** Every recorded start of a replication into {@code targetRegion}, oldest epoch first. */
    public List<ReplicationStart> starts(String pairName, String targetRegion) {
        List<ReplicationStart> result = new ArrayList<>();
        for (Map<String, AttributeValue> item : queryPrefix(startKey(pairName), targetRegion + "#")) {
            result.add(new ReplicationStart(
                    pairName,
                    ReplicationDirection.parse(item.get("direction").s()),
                    Long.parseLong(item.get("epoch").n()),
                    Instant.parse(item.get("takenAt").s()),
                    tips(item.get("sourceTips")),
                    tips(item.get("targetTips"))));
        }
        return result;
    }

    /** The start of {@code direction} under {@code epoch}, if it was recorded. */
    public Optional<ReplicationStart> start(String pairName, ReplicationDirection direction, long epoch) {
        return starts(pairName, direction.targetRegion()).stream()
                .filter(s -> s.epoch() == epoch && s.direction().equals(direction))
                .findFirst();
    }

    private static AttributeValue tipsAttribute(Map<String, String> tips) {
        Map<String, AttributeValue> m = new HashMap<>();
        tips.forEach((shard, seq) -> m.put(shard, s(seq)));
        return AttributeValue.fromM(m);
    }

    private static Map<String, String> tips(AttributeValue value) {
        return value == null || !value.hasM()
                ? Map.of()
                : value.m().entrySet().stream()
                        .collect(Collectors.toMap(
                                Map.Entry::getKey, e -> e.getValue().s()));
    }

    /** Records a batch: INTENDED only if the number is new, COPIED only over its INTENDED entry. */
    public void putBatch(RepublishBatch batch) {
        Map<String, AttributeValue> item =
                key(batchKey(batch.pairName()), pad(batch.cutEpoch()) + "#" + String.format("%06d", batch.number()));
        item.put("state", s(batch.state().name()));
        item.put("orphans", list(batch.orphanIds()));
        item.put("targets", list(batch.targets()));
        item.put("at", s(batch.at().toString()));
        if (!batch.tips().isEmpty()) {
            item.put("tips", tipsAttribute(batch.tips()));
        }
        try {
            if (batch.state() == RepublishBatch.State.INTENDED) {
                dynamo.putItem(b -> b.tableName(table).item(item).conditionExpression("attribute_not_exists(pk)"));
            } else {
                dynamo.putItem(b -> b.tableName(table)
                        .item(item)
                        .conditionExpression("#s = :intended")
                        .expressionAttributeNames(Map.of("#s", "state"))
                        .expressionAttributeValues(Map.of(":intended", s(RepublishBatch.State.INTENDED.name()))));
            }
        } catch (ConditionalCheckFailedException e) {
            throw new IllegalStateException(
                    "republish batch " + batch.number() + " of cut epoch " + batch.cutEpoch()
                            + " was recorded by another writer (" + batch.state()
                            + " refused): run the reconciliation again",
                    e);
        }
    }

    /** Every batch recorded against the cut of {@code cutEpoch}, in number order. */
    public List<RepublishBatch> batches(String pairName, long cutEpoch) {
        return toBatches(pairName, cutEpoch, queryPrefix(batchKey(pairName), pad(cutEpoch) + "#"));
    }

    /**
     * The batches recorded against the cut of {@code cutEpoch} numbered {@code firstNumber} or higher, in number
     * order: a reader that keeps the COPIED batches it saw (they never change) reads only what may still change.
     */
    public List<RepublishBatch> batchesFrom(String pairName, long cutEpoch, int firstNumber) {
        return toBatches(
                pairName,
                cutEpoch,
                query(
                        batchKey(pairName),
                        "pk = :pk AND sk BETWEEN :lo AND :hi",
                        Map.of(
                                ":lo",
                                s(pad(cutEpoch) + "#" + String.format("%06d", firstNumber)),
                                ":hi",
                                s(pad(cutEpoch) + "$")))); // '$' sorts right after '#': past every batch of the cut
    }

    private static List<RepublishBatch> toBatches(
            String pairName, long cutEpoch, List<Map<String, AttributeValue>> items) {
        List<RepublishBatch> result = new ArrayList<>();
        for (Map<String, AttributeValue> item : items) {
            String sk = item.get("sk").s();
            result.add(new RepublishBatch(
                    pairName,
                    cutEpoch,
                    Integer.parseInt(sk.substring(sk.indexOf('#') + 1)),
                    RepublishBatch.State.valueOf(item.get("state").s()),
                    strings(item.get("orphans")),
                    strings(item.get("targets")),
                    Instant.parse(item.get("at").s()),
                    tips(item.get("tips"))));
        }
        return result;
    }

    /** Every item of {@code pk} whose sort key starts with {@code prefix}, in sort-key order, all pages. */
    private List<Map<String, AttributeValue>> queryPrefix(String pk, String prefix) {
        return query(pk, "pk = :pk AND begins_with(sk, :prefix)", Map.of(":prefix", s(prefix)));
    }

    /** Every item of {@code pk} matching {@code condition} (values besides {@code :pk}), in sort-key order, all pages. */
    private List<Map<String, AttributeValue>> query(String pk, String condition, Map<String, AttributeValue> values) {
        Map<String, AttributeValue> all = new HashMap<>(values);
        all.put(":pk", s(pk));
        List<Map<String, AttributeValue>> items = new ArrayList<>();
        Map<String, AttributeValue> start = null;
        do {
            Map<String, AttributeValue> from = start;
            QueryResponse page = dynamo.query(b -> b.tableName(table)
                    .consistentRead(true)
                    .keyConditionExpression(condition)
                    .expressionAttributeValues(all)
                    .exclusiveStartKey(from));
            items.addAll(page.items());
            start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
        } while (start != null);
        return items;
    }

    private static StreamCut toCut(String pairName, Map<String, AttributeValue> item) {
        String fenced = item.get("fencedDirection").s();
        Map<String, String> tips = item.get("tips").m().entrySet().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().s()));
        return new StreamCut(
                pairName,
                item.get("region").s(),
                Long.parseLong(item.get("epoch").n()),
                Instant.parse(item.get("takenAt").s()),
                fenced.isEmpty() ? null : ReplicationDirection.parse(fenced),
                Long.parseLong(item.get("fencedEpoch").n()),
                tips);
    }

    private static String cutKey(String pairName) {
        return "pair#" + pairName + "#cut";
    }

    private static String startKey(String pairName) {
        return "pair#" + pairName + "#start";
    }

    private static String batchKey(String pairName) {
        return "pair#" + pairName + "#republish";
    }

    private static String pad(long epoch) {
        return String.format("%012d", epoch);
    }

    private static AttributeValue list(List<String> values) {
        return AttributeValue.fromL(values.stream().map(AttributeValue::fromS).collect(Collectors.toList()));
    }

    private static List<String> strings(AttributeValue value) {
        return value == null || !value.hasL()
                ? List.of()
                : value.l().stream().map(AttributeValue::s).collect(Collectors.toList());
    }

    private static Map<String, AttributeValue> key(String pk, String sk) {
        Map<String, AttributeValue> key = new HashMap<>();
        key.put("pk", s(pk));
        key.put("sk", s(sk));
        return key;
    }

    private static AttributeValue s(String value) {
        return AttributeValue.fromS(value);
    }

    private static AttributeValue n(long value) {
        return AttributeValue.fromN(Long.toString(value));
    }
}
