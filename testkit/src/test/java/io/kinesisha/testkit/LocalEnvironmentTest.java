package io.kinesisha.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.kinesisha.common.aws.AwsClientFactory;
import io.kinesisha.common.aws.ClientRole;
import io.kinesisha.common.aws.ClientTuning;
import io.kinesisha.common.kinesis.HashKeys;
import io.kinesisha.common.kinesis.ShardListing;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.ConsumerStatus;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.Record;
import software.amazon.awssdk.services.kinesis.model.Shard;
import software.amazon.awssdk.services.kinesis.model.ShardIteratorType;
import software.amazon.awssdk.services.kinesis.model.StartingPosition;
import software.amazon.awssdk.services.kinesis.model.SubscribeToShardResponseHandler;

/** The local two-region environment does what the tests of every module rely on, against real emulators. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LocalEnvironmentTest {
    private static final int RECORDS = 600;

    @RegisterExtension
    static final LocalEnvironmentExtension LOCAL = new LocalEnvironmentExtension();

    /** Written in the first test, checked again after the outage. */
    private static final List<Record> written = new CopyOnWriteArrayList<>();

    @Test
    @Order(1)
    void writesInOneRegionAndReadsBackWithGetRecordsAndEfo() {
        LocalRegion primary = LOCAL.env().primary();
        LocalRegion secondary = LOCAL.env().secondary();
        assertThat(primary.name()).isEqualTo("us-west-2");
        assertThat(secondary.name()).isEqualTo("us-east-2");
        assertThat(primary.kinesisEndpoint()).isNotEqualTo(secondary.kinesisEndpoint());

        String arn = primary.createStream("orders", 2);
        secondary.createStream("orders", 1);
        try (KinesisClient kinesis = LOCAL.env().clients().kinesis(primary.target());
                KinesisClient other = LOCAL.env().clients().kinesis(secondary.target())) {
            assertThat(kinesis.describeStreamSummary(b -> b.streamARN(arn))
                            .streamDescriptionSummary()
                            .streamARN())
                    .isEqualTo(arn);
            putAll(kinesis, arn);
            List<Record> read = readAllWithGetRecords(kinesis, arn);
            assertSameRecords(read, written);
            // the regions are separate services: the secondary's stream of the same name stays empty
            String otherArn = secondary.streamArn("orders");
            assertThat(readAllWithGetRecords(other, otherArn)).isEmpty();
        }

        KinesisAsyncClient async = LOCAL.env().clients().kinesisAsync(primary.target(), ClientRole.SOURCE);
        try (KinesisClient kinesis = LOCAL.env().clients().kinesis(primary.target())) {
            String consumerArn = kinesis.registerStreamConsumer(
                            b -> b.streamARN(arn).consumerName("efo-test"))
                    .consumer()
                    .consumerARN();
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> kinesis.describeStreamConsumer(b -> b.consumerARN(consumerArn))
                                    .consumerDescription()
                                    .consumerStatus()
                            == ConsumerStatus.ACTIVE);
            List<Record> viaEfo = new CopyOnWriteArrayList<>();
            List<CompletableFuture<Void>> subscriptions = new ArrayList<>();
            for (Shard shard : ShardListing.all(kinesis, arn)) {
                subscriptions.add(async.subscribeToShard(
                        b -> b.consumerARN(consumerArn)
                                .shardId(shard.shardId())
                                .startingPosition(StartingPosition.builder()
                                        .type(ShardIteratorType.TRIM_HORIZON)
                                        .build()),
                        SubscribeToShardResponseHandler.builder()
                                .subscriber(SubscribeToShardResponseHandler.Visitor.builder()
                                        .onSubscribeToShardEvent(event -> viaEfo.addAll(event.records()))
                                        .build())
                                .build()));
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> viaEfo.size() >= RECORDS);
            assertSameRecords(viaEfo, written);
            subscriptions.forEach(s -> s.cancel(true));
        } finally {
            async.close();
        }
    }

    @Test
    @Order(2)
    void partitionKeyHashingPicksTheShardKinesisPicks() {
        LocalRegion region = LOCAL.env().secondary();
        String arn = region.createStream("hashing", 5);
        try (KinesisClient kinesis = LOCAL.env().clients().kinesis(region.target())) {
            List<Shard> shards = ShardListing.all(kinesis, arn);
            List<PutRecordsRequestEntry> entries = IntStream.range(0, 300)
                    .mapToObj(i -> entry("customer-" + i + "-\u00e9", "x"))
                    .collect(Collectors.toList());
            PutRecordsResponse response =
                    kinesis.putRecords(b -> b.streamARN(arn).records(entries));
            java.util.Set<String> shardsUsed = new java.util.HashSet<>();
            for (int i = 0; i < entries.size(); i++) {
                String key = entries.get(i).partitionKey();
                assertThat(HashKeys.openShardFor(key, shards))
                        .map(Shard::shardId)
                        .as("shard of key %s", key)
                        .contains(response.records().get(i).shardId());
                shardsUsed.add(response.records().get(i).shardId());
            }
            assertThat(shardsUsed).hasSize(5);
        }
    }

    @Test
    @Order(3)
    void regionStoppedAndRestartedKeepsDataAndSequenceNumbers() {
        LocalRegion primary = LOCAL.env().primary();
        String arn = primary.streamArn("orders");
        long pidBefore = primary.pid();
        // written just before the outage: the emulator's periodic persist cannot have caught it, only the one at exit
        try (KinesisClient kinesis = LOCAL.env().clients().kinesis(primary.target())) {
            PutRecordsRequestEntry last = entry("just-before-stop", "last");
            PutRecordsResponse response =
                    kinesis.putRecords(b -> b.streamARN(arn).records(last));
            assertThat(response.failedRecordCount()).isZero();
            written.add(Record.builder()
                    .partitionKey(last.partitionKey())
                    .data(last.data())
                    .sequenceNumber(response.records().get(0).sequenceNumber())
                    .build());
        }

        primary.stop();
        assertThat(primary.isRunning()).isFalse();
        AwsClientFactory impatient =
                new AwsClientFactory(new ClientTuning(Duration.ofSeconds(2), Duration.ofSeconds(1), 1));
        try (KinesisClient kinesis = impatient.kinesis(primary.target())) {
            assertThatThrownBy(() -> kinesis.listShards(b -> b.streamARN(arn))).isInstanceOf(SdkClientException.class);
        } finally {
            impatient.close();
        }

        primary.start();
        assertThat(primary.pid()).isNotEqualTo(pidBefore).isPositive();
        try (KinesisClient kinesis = LOCAL.env().clients().kinesis(primary.target())) {
            List<Record> afterRestart = readAllWithGetRecords(kinesis, arn);
            assertSameRecords(afterRestart, written);
            // new writes continue the sequence: every new number is above every old one of the same shard
            PutRecordsResponse more = kinesis.putRecords(b -> b.streamARN(arn).records(entry("after-restart", "x")));
            assertThat(more.failedRecordCount()).isZero();
            String shard = more.records().get(0).shardId();
            String newSeq = more.records().get(0).sequenceNumber();
            List<String> oldSeqs = StreamContents.readShard(kinesis, arn, shard).stream()
                    .map(Record::sequenceNumber)
                    .filter(s -> !s.equals(newSeq))
                    .collect(Collectors.toList());
            assertThat(oldSeqs)
                    .isNotEmpty()
                    .allSatisfy(old ->
                            assertThat(new java.math.BigInteger(old)).isLessThan(new java.math.BigInteger(newSeq)));
        }
    }

    @Test
    @Order(4)
    void blackholedRegionTimesOutThenRecovers() {
        LocalRegion secondary = LOCAL.env().secondary();
        String arn = secondary.streamArn("orders");
        AwsClientFactory impatient =
                new AwsClientFactory(new ClientTuning(Duration.ofSeconds(2), Duration.ofSeconds(1), 2));
        try (KinesisClient kinesis = impatient.kinesis(secondary.target())) {
            assertThat(kinesis.describeStreamSummary(b -> b.streamARN(arn))
                            .streamDescriptionSummary()
                            .openShardCount())
                    .isEqualTo(1);
            secondary.blackhole();
            long started = System.nanoTime();
            assertThatThrownBy(() -> kinesis.describeStreamSummary(b -> b.streamARN(arn)))
                    .isInstanceOf(SdkClientException.class)
                    .hasMessageContaining("timeout");
            // it waited for the timeout (silence), it was not refused outright
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(900));
            secondary.restore();
            await().atMost(Duration.ofSeconds(20))
                    .ignoreExceptions()
                    .until(() -> kinesis.describeStreamSummary(b -> b.streamARN(arn))
                                    .streamDescriptionSummary()
                                    .openShardCount()
                            == 1);
        } finally {
            secondary.restore();
            impatient.close();
        }
    }

    @Test
    @Order(5)
    void controlStoreIsSharedByBothRegionsWithConditionalWrites() {
        String table = "control-" + System.nanoTime();
        try (DynamoDbClient west = LOCAL.env().clients().dynamoDb(LOCAL.env().controlStoreTarget("us-west-2"));
                DynamoDbClient east = LOCAL.env().clients().dynamoDb(LOCAL.env().controlStoreTarget("us-east-2"))) {
            west.createTable(b -> b.tableName(table)
                    .keySchema(k -> k.attributeName("pk").keyType(KeyType.HASH))
                    .attributeDefinitions(a -> a.attributeName("pk").attributeType(ScalarAttributeType.S))
                    .billingMode("PAY_PER_REQUEST"));
            west.putItem(b -> b.tableName(table)
                    .item(Map.of("pk", s("pair"), "version", n(1)))
                    .conditionExpression("attribute_not_exists(pk)"));
            // the other region sees the write and loses a race on the same version
            assertThat(east.getItem(b -> b.tableName(table)
                                    .key(Map.of("pk", s("pair")))
                                    .consistentRead(true))
                            .item())
                    .containsEntry("version", n(1));
            assertThatThrownBy(() -> east.putItem(b -> b.tableName(table)
                            .item(Map.of("pk", s("pair"), "version", n(1)))
                            .conditionExpression("attribute_not_exists(pk)")))
                    .isInstanceOf(ConditionalCheckFailedException.class);
        }
    }

    private static void putAll(KinesisClient kinesis, String arn) {
        for (int batch = 0; batch < RECORDS / 200; batch++) {
            int base = batch * 200;
            List<PutRecordsRequestEntry> entries = IntStream.range(base, base + 200)
                    .mapToObj(i -> entry("key-" + (i % 37), "payload-" + i))
                    .collect(Collectors.toList());
            PutRecordsResponse response =
                    kinesis.putRecords(b -> b.streamARN(arn).records(entries));
            assertThat(response.failedRecordCount()).isZero();
            for (int i = 0; i < entries.size(); i++) {
                written.add(Record.builder()
                        .partitionKey(entries.get(i).partitionKey())
                        .data(entries.get(i).data())
                        .sequenceNumber(response.records().get(i).sequenceNumber())
                        .build());
            }
        }
    }

    static List<Record> readAllWithGetRecords(KinesisClient kinesis, String arn) {
        return StreamContents.read(kinesis, arn).records();
    }

    private static void assertSameRecords(List<Record> actual, List<Record> expected) {
        Map<String, String> bySeq = new ConcurrentHashMap<>();
        actual.forEach(r ->
                bySeq.put(r.sequenceNumber(), r.partitionKey() + "|" + r.data().asUtf8String()));
        assertThat(actual).hasSameSizeAs(expected);
        for (Record r : expected) {
            assertThat(bySeq)
                    .containsEntry(
                            r.sequenceNumber(),
                            r.partitionKey() + "|" + r.data().asUtf8String());
        }
        // within a shard, sequence numbers come back in increasing order
        List<String> seqs = actual.stream().map(Record::sequenceNumber).collect(Collectors.toList());
        assertThat(seqs).doesNotHaveDuplicates();
        assertThat(actual.stream()
                        .map(Record::sequenceNumber)
                        .map(java.math.BigInteger::new)
                        .sorted(Comparator.naturalOrder())
                        .count())
                .isEqualTo(expected.size());
    }

    private static PutRecordsRequestEntry entry(String key, String payload) {
        return PutRecordsRequestEntry.builder()
                .partitionKey(key)
                .data(SdkBytes.fromString(payload, StandardCharsets.UTF_8))
                .build();
    }

    private static AttributeValue s(String value) {
        return AttributeValue.fromS(value);
    }

    private static AttributeValue n(long value) {
        return AttributeValue.fromN(Long.toString(value));
    }
}
