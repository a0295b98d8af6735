package io.kinesisha.controller.kcl;

import static org.assertj.core.api.Assertions.assertThat;

import io.kinesisha.controller.kcl.CheckpointTranslator.TargetLease;
import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.kinesis.leases.Lease;
import software.amazon.kinesis.leases.dynamodb.DynamoDBLeaseSerializer;
import software.amazon.kinesis.retrieval.kpl.ExtendedSequenceNumber;

/** The lease items the controller writes read back through KCL 3.x's own serializer as the leases it meant. */
class KclLeaseItemTest {

    @Test
    void kclReadsTheItemAsAnUnownedLeaseAtTheCheckpoint() {
        TargetLease written = new TargetLease(
                "shardId-000000000002",
                "49680906442087767455545575826434914956371528581652676642",
                List.of("shardId-000000000000"),
                "0",
                "170141183460469231731687303715884105727",
                3,
                0);

        Lease lease = new DynamoDBLeaseSerializer().fromDynamoRecord(KclLeaseTable.item(written));

        assertThat(lease.leaseKey()).isEqualTo("shardId-000000000002");
        assertThat(lease.leaseOwner()).isNull();
        assertThat(lease.checkpoint()).isEqualTo(new ExtendedSequenceNumber(written.checkpoint(), 0L));
        assertThat(lease.parentShardIds()).containsExactly("shardId-000000000000");
        assertThat(lease.hashKeyRangeForLease().serializedEndingHashKey()).isEqualTo(written.endingHashKey());
    }

    @Test
    void sentinelsAreKclsOwn() {
        TargetLease end = new TargetLease("shardId-000000000000", LeaseCheckpoint.SHARD_END, List.of(), "0", "1", 0, 0);
        TargetLease start =
                new TargetLease("shardId-000000000001", LeaseCheckpoint.TRIM_HORIZON, List.of(), "0", "1", 0, 0);
        DynamoDBLeaseSerializer kcl = new DynamoDBLeaseSerializer();

        assertThat(kcl.fromDynamoRecord(KclLeaseTable.item(end)).checkpoint())
                .isEqualTo(ExtendedSequenceNumber.SHARD_END);
        assertThat(kcl.fromDynamoRecord(KclLeaseTable.item(start)).checkpoint())
                .isEqualTo(ExtendedSequenceNumber.TRIM_HORIZON);
    }

    @Test
    void aCheckpointInsideAnAggregatedRecordLeavesThatRecordUnfinished() {
        assertThat(new LeaseCheckpoint("100").covers("100")).isTrue();
        assertThat(new LeaseCheckpoint("100", true).covers("100")).isFalse();
        assertThat(new LeaseCheckpoint("100", true).covers("99")).isTrue();
        assertThat(new LeaseCheckpoint(LeaseCheckpoint.TRIM_HORIZON).covers("1"))
                .isFalse();
        assertThat(new LeaseCheckpoint("LATEST").covers("1")).isFalse();
        assertThat(new LeaseCheckpoint(LeaseCheckpoint.SHARD_END).covers("999")).isTrue();
    }
}
