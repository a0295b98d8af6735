package io.kinesisha.controller.kcl;

import static org.assertj.core.api.Assertions.assertThat;

import io.kinesisha.common.control.ReplicationDirection;
import io.kinesisha.common.control.ReplicationStart;
import io.kinesisha.common.control.ShardProgress;
import io.kinesisha.controller.kcl.KclLeaseMigration.Plan;
import io.kinesisha.controller.kcl.KclLeaseMigration.Side;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.GetRecordsRequest;
import software.amazon.awssdk.services.kinesis.model.GetRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.GetShardIteratorRequest;
import software.amazon.awssdk.services.kinesis.model.GetShardIteratorResponse;
import software.amazon.awssdk.services.kinesis.model.ListShardsRequest;
import software.amazon.awssdk.services.kinesis.model.ListShardsResponse;
import software.amazon.awssdk.services.kinesis.model.Record;
import software.amazon.awssdk.services.kinesis.model.Shard;

/**
 * The old region unreachable (an outage): the plan rests on what the progress rows prove. Leases unknown: resume
 * at the start of the copies, every copy counted as a possible duplicate. Leases readable but the stream not, and
 * every lease at or past its shard's last replicated record: every copy is done.
 */
class KclLeaseMigrationFallbackTest {
    private static final String TARGET_ARN = "arn:aws:kinesis:us-east-2:111111111111:stream/orders";

    @Test
    void withoutTheOldLeasesTheApplicationResumesAtTheStartOfTheCopies() {
        Plan plan = KclLeaseMigration.plan(
                "orders",
                side("us-west-2", unreachableKinesis(), unreachableDynamo()),
                side("us-east-2", target(), unreachableDynamo()),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                List.of(progress("5")));

        assertThat(plan.method()).startsWith("fallback (us-west-2 unreadable");
        assertThat(plan.leases()).singleElement().satisfies(l -> {
            assertThat(l.checkpoint()).isEqualTo(LeaseCheckpoint.TRIM_HORIZON);
            assertThat(l.duplicates()).isEqualTo(2);
        });
        assertThat(plan.skips()).isZero();
    }

    @Test
    void leasesPastEveryReplicatedRecordMeanEveryCopyIsDone() {
        Plan plan = KclLeaseMigration.plan(
                "orders",
                side("us-west-2", unreachableKinesis(), leases("7")),
                side("us-east-2", target(), unreachableDynamo()),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                List.of(progress("5")));

        assertThat(plan.leases()).singleElement().satisfies(l -> {
            assertThat(l.checkpoint()).isEqualTo("101");
            assertThat(l.duplicates()).isZero();
        });
    }

    @Test
    void aLeaseBehindTheReplicatorFallsBackToTheStartOfTheCopies() {
        Plan plan = KclLeaseMigration.plan(
                "orders",
                side("us-west-2", unreachableKinesis(), leases("4")),
                side("us-east-2", target(), unreachableDynamo()),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                List.of(progress("5")));

        assertThat(plan.leases().get(0).checkpoint()).isEqualTo(LeaseCheckpoint.TRIM_HORIZON);
        assertThat(plan.skips()).isZero();
    }

    @Test
    void aRecordedStartTellsTheTargetsOwnRecordsFromCopiesByPosition() {
        // record 100 was in the target before the replication started (the primary's own record at a failback),
        // whatever its arrival time: it is no copy, so neither the resume point nor the duplicates count it
        ReplicationStart start = new ReplicationStart(
                "pair",
                new ReplicationDirection("us-west-2", "us-east-2"),
                1,
                Instant.EPOCH,
                Map.of(),
                Map.of("shardId-000000000000", "100"));
        Plan plan = KclLeaseMigration.plan(
                "orders",
                side("us-west-2", unreachableKinesis(), unreachableDynamo()),
                side("us-east-2", target(), unreachableDynamo()),
                Optional.empty(),
                Optional.empty(),
                Optional.of(start),
                List.of(progress("5")));

        assertThat(plan.leases()).singleElement().satisfies(l -> {
            assertThat(l.checkpoint()).isEqualTo("100");
            assertThat(l.duplicates()).isEqualTo(1);
        });
        assertThat(plan.skips()).isZero();
    }

    private static Side side(String region, KinesisClient kinesis, DynamoDbClient dynamo) {
        return new Side(
                region,
                kinesis,
                "arn:aws:kinesis:" + region + ":111111111111:stream/orders",
                new KclLeaseTable(dynamo, "orders-leases"));
    }

    private static ShardProgress progress(String last) {
        return new ShardProgress(
                "pair",
                new ReplicationDirection("us-west-2", "us-east-2"),
                1,
                "shardId-000000000000",
                last,
                0,
                0,
                "shardId-000000000000",
                "101",
                2,
                1,
                false,
                0);
    }

    /** A target stream with one open shard holding two copies (sequence numbers 100 and 101). */
    private static KinesisClient target() {
        return new KinesisClient() {
            @Override
            public ListShardsResponse listShards(ListShardsRequest request) {
                return ListShardsResponse.builder()
                        .shards(Shard.builder()
                                .shardId("shardId-000000000000")
                                .hashKeyRange(h -> h.startingHashKey("0").endingHashKey("1"))
                                .sequenceNumberRange(s -> s.startingSequenceNumber("100"))
                                .build())
                        .build();
            }

            @Override
            public GetShardIteratorResponse getShardIterator(GetShardIteratorRequest request) {
                return GetShardIteratorResponse.builder().shardIterator("it").build();
            }

            @Override
            public GetRecordsResponse getRecords(GetRecordsRequest request) {
                return GetRecordsResponse.builder()
                        .millisBehindLatest(0L)
                        .nextShardIterator("end")
                        .records(
                                "it".equals(request.shardIterator())
                                        ? List.of(record("100"), record("101"))
                                        : List.of())
                        .build();
            }

            @Override
            public String serviceName() {
                return "kinesis";
            }

            @Override
            public void close() {}
        };
    }

    private static Record record(String sequence) {
        return Record.builder()
                .partitionKey("k")
                .sequenceNumber(sequence)
                .data(SdkBytes.fromUtf8String("x"))
                .approximateArrivalTimestamp(Instant.EPOCH)
                .build();
    }

    private static KinesisClient unreachableKinesis() {
        return new KinesisClient() {
            @Override
            public ListShardsResponse listShards(ListShardsRequest request) {
                throw outage();
            }

            @Override
            public String serviceName() {
                return "kinesis";
            }

            @Override
            public void close() {}
        };
    }

    private static DynamoDbClient leases(String checkpoint) {
        return scanning(() -> ScanResponse.builder()
                .items(Map.of(
                        "leaseKey",
                        AttributeValue.fromS("shardId-000000000000"),
                        "checkpoint",
                        AttributeValue.fromS(checkpoint)))
                .build());
    }

    private static DynamoDbClient unreachableDynamo() {
        return scanning(() -> {
            throw outage();
        });
    }

    private static DynamoDbClient scanning(Supplier<ScanResponse> scan) {
        return new DynamoDbClient() {
            @Override
            public ScanResponse scan(ScanRequest request) {
                return scan.get();
            }

            @Override
            public String serviceName() {
                return "dynamodb";
            }

            @Override
            public void close() {}
        };
    }

    private static SdkClientException outage() {
        return SdkClientException.create("Unable to execute HTTP request: connect timed out");
    }
}
