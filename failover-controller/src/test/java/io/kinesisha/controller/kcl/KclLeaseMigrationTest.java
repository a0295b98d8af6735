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
 * Orphans at a failback: their copies in the source count for nothing per key, their originals in the target are
 * read again unless the application finished the copy. The old region unreachable (an outage): the plan rests on
 * what the progress rows prove. Leases unknown: resume
 * at the start of the copies, every copy counted as a possible duplicate. Leases readable but the stream not, and
 * every lease at or past its shard's last replicated record: every copy is done.
 */
class KclLeaseMigrationTest {
    private static final String TARGET_ARN = "arn:aws:kinesis:us-east-2:111111111111:stream/orders";
    private static final String SHARD = "shardId-000000000000";

    @Test
    void withoutTheOldLeasesTheApplicationResumesAtTheStartOfTheCopies() {
        Plan plan = outagePlan(unreachableDynamo());

        assertThat(plan.method()).startsWith("fallback (us-west-2 unreadable");
        assertThat(plan.leases()).singleElement().satisfies(l -> {
            assertThat(l.checkpoint()).isEqualTo(LeaseCheckpoint.TRIM_HORIZON);
            assertThat(l.duplicates()).isEqualTo(2);
        });
        assertThat(plan.skips()).isZero();
    }

    @Test
    void leasesPastEveryReplicatedRecordMeanEveryCopyIsDone() {
        Plan plan = outagePlan(leases("7"));

        assertThat(plan.leases()).singleElement().satisfies(l -> {
            assertThat(l.checkpoint()).isEqualTo("101");
            assertThat(l.duplicates()).isZero();
        });
    }

    @Test
    void aLeaseBehindTheReplicatorFallsBackToTheStartOfTheCopies() {
        Plan plan = outagePlan(leases("4"));

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
                List.of(progress("5")),
                Map.of());

        assertThat(plan.leases()).singleElement().satisfies(l -> {
            assertThat(l.checkpoint()).isEqualTo("100");
            assertThat(l.duplicates()).isEqualTo(1);
        });
        assertThat(plan.skips()).isZero();
    }

    /**
     * A failback: the secondary (source) holds p1, p2, the republished copy of orphan o, then p3; reverse replication
     * copied p1..p3 into the primary (target) after o's original. The application finished up to o's copy: o is done,
     * and the copies' count per key is 2 (o's copy is none of them), so the primary resumes at p3's copy.
     */
    @Test
    void aRepublishedCopyTheApplicationFinishedIsNoCopyOfTheReverseReplication() {
        Plan plan = failbackPlan("3", unreachableDynamo());

        assertThat(plan.leases()).singleElement().satisfies(l -> {
            assertThat(l.checkpoint())
                    .as("resume at p3's copy (102), not after it")
                    .isEqualTo("101");
            assertThat(l.duplicates()).isZero();
        });
        assertThat(plan.skips()).isZero();
        assertThat(plan.evidence()).containsEntry("kcl.orders.orphans", "1 republished, 0 unprocessed");
    }

    /** As above, the application stopped before o's copy: o is read at its original, p1' and p2' again. */
    @Test
    void anOrphanWhoseCopyTheApplicationHasNotFinishedIsReadAtItsOriginal() {
        Plan plan = failbackPlan("2", unreachableDynamo());

        assertThat(plan.leases()).singleElement().satisfies(l -> {
            assertThat(l.checkpoint()).isEqualTo(LeaseCheckpoint.TRIM_HORIZON);
            assertThat(l.duplicates()).as("p1' and p2'").isEqualTo(2);
        });
        assertThat(plan.skips()).isZero();
        assertThat(plan.evidence()).containsEntry("kcl.orders.orphans", "1 republished, 1 unprocessed");
    }

    /** The old region's stream unreadable, its leases from {@code oldLeases}; the target holds copies 100 and 101. */
    private static Plan outagePlan(DynamoDbClient oldLeases) {
        return KclLeaseMigration.plan(
                "orders",
                side("us-west-2", unreachableKinesis(), oldLeases),
                side("us-east-2", target(), unreachableDynamo()),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                List.of(progress("5")),
                Map.of());
    }

    /**
     * The application had processed o itself in the primary before the outage (its lease there, left from then, is
     * at o): o is done though its copy is not, so the primary resumes at p3's copy.
     */
    @Test
    void anOrphanTheApplicationProcessedInThePrimaryBeforeTheOutageIsNotReadAgain() {
        Plan plan = failbackPlan("2", leases("50"));

        assertThat(plan.leases()).singleElement().satisfies(l -> {
            assertThat(l.checkpoint()).isEqualTo("101");
            assertThat(l.duplicates()).isZero();
        });
        assertThat(plan.evidence()).containsEntry("kcl.orders.orphans", "1 republished, 0 unprocessed");
    }

    /** Failback from {@code sourceCheckpoint} in the secondary; {@code primaryLeases}: the primary's old table. */
    private static Plan failbackPlan(String sourceCheckpoint, DynamoDbClient primaryLeases) {
        ReplicationStart reverse = new ReplicationStart(
                "pair",
                new ReplicationDirection("us-east-2", "us-west-2"),
                2,
                Instant.EPOCH,
                Map.of(),
                Map.of(SHARD, "50"));
        return KclLeaseMigration.plan(
                "orders",
                side(
                        "us-east-2",
                        stream(record("k", "1"), record("k", "2"), record("k", "3"), record("k", "4")),
                        leases(sourceCheckpoint)),
                side(
                        "us-west-2",
                        stream(record("k", "50"), record("k", "100"), record("k", "101"), record("k", "102")),
                        primaryLeases),
                Optional.empty(),
                Optional.empty(),
                Optional.of(reverse),
                List.of(),
                Map.of(SHARD + "@3", SHARD + "@50"));
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
        return stream(record("k", "100"), record("k", "101"));
    }

    /** A stream of one open shard, {@code shardId-000000000000}, holding {@code records}. */
    private static KinesisClient stream(Record... records) {
        return new KinesisClient() {
            @Override
            public ListShardsResponse listShards(ListShardsRequest request) {
                return ListShardsResponse.builder()
                        .shards(Shard.builder()
                                .shardId(SHARD)
                                .hashKeyRange(h -> h.startingHashKey("0").endingHashKey("1"))
                                .sequenceNumberRange(s -> s.startingSequenceNumber(records[0].sequenceNumber()))
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
                        .records("it".equals(request.shardIterator()) ? List.of(records) : List.of())
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

    private static Record record(String key, String sequence) {
        return Record.builder()
                .partitionKey(key)
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
