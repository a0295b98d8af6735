package io.kinesisha.replicator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.kinesisha.common.control.ControlStore;
import io.kinesisha.common.control.ReplicationDirection;
import io.kinesisha.common.control.ShardProgress;
import io.kinesisha.replicator.sink.KinesisSinkException;
import io.kinesisha.testkit.KeyedLoad;
import io.kinesisha.testkit.StreamContents;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.util.ExceptionUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.PutRecordResponse;

/** The whole replicator job between two emulated regions. */
class ReplicatorJobTest {
    @RegisterExtension
    static final RegionsAndFlink LOCAL = new RegionsAndFlink();

    @Test
    void replicatesEveryRecordOnceWithKeysBytesAndPerKeyOrder() throws Exception {
        ReplicationHarness pair = new ReplicationHarness(LOCAL.env(), "bulk", 4, 3, Map.of());
        KeyedLoad load = new KeyedLoad(1000);
        try (KinesisClient source =
                        LOCAL.env().clients().kinesis(LOCAL.env().primary().target());
                KinesisClient target =
                        LOCAL.env().clients().kinesis(LOCAL.env().secondary().target())) {
            JobClient job = pair.start(2);
            try {
                load.write(source, pair.sourceArn, 20_000);
                // progress rows are cheap to poll; reading the whole target repeatedly would slow the emulator
                try (DynamoDbClient dynamo =
                        LOCAL.env().clients().dynamoDb(LOCAL.env().controlStoreTarget("us-west-2"))) {
                    ControlStore store = new ControlStore(dynamo, "control-bulk");
                    ReplicationDirection forward = new ReplicationDirection("us-west-2", "us-east-2");
                    await().atMost(Duration.ofMinutes(4))
                            .pollInterval(Duration.ofSeconds(1))
                            .untilAsserted(() -> {
                                List<ShardProgress> progress = store.readProgress("bulk", forward, 1);
                                assertThat(progress).hasSize(4);
                                assertThat(progress.stream()
                                                .mapToLong(ShardProgress::recordsReplicated)
                                                .sum())
                                        .isEqualTo(20_000);
                            });
                    // every source shard's row names the shard's last record: the target holds all of it
                    for (ShardProgress p : store.readProgress("bulk", forward, 1)) {
                        assertThat(p.lastSequenceNumber())
                                .isEqualTo(lastSequenceOf(source, pair.sourceArn, p.sourceShardId()));
                        assertThat(p.targetSequenceNumber()).isNotNull();
                    }
                }
                StreamContents copied = StreamContents.read(target, pair.targetArn);
                Map<String, Integer> counts = copied.counts();
                assertThat(load.acknowledgedIds()).hasSize(20_000);
                assertThat(counts.keySet()).containsExactlyInAnyOrderElementsOf(load.acknowledgedIds());
                assertThat(counts.values()).as("no duplicates without failures").allMatch(n -> n == 1);
                assertThat(copied.mismatchedKeys()).isZero();
                assertThat(copied.orderViolations()).isZero();
            } finally {
                job.cancel().get();
            }
        }
    }

    /**
     * Issue 12, defect 7: the source takes 2 MiB records, the target only the default 1 MiB. The job fails naming the
     * target stream, the record's source shard and sequence number, its size and both limits.
     */
    @Test
    void aRecordLargerThanTheTargetAcceptsFailsTheJobNamingItsSourceAndBothLimits() throws Exception {
        ReplicationHarness pair = new ReplicationHarness(LOCAL.env(), "large", 1, 1, Map.of());
        try (KinesisClient source =
                LOCAL.env().clients().kinesis(LOCAL.env().primary().target())) {
            source.updateMaxRecordSize(b -> b.streamARN(pair.sourceArn).maxRecordSizeInKiB(2048));
            byte[] data = new byte[1536 * 1024];
            PutRecordResponse put = source.putRecord(
                    b -> b.streamARN(pair.sourceArn).partitionKey("big").data(SdkBytes.fromByteArray(data)));
            JobClient job = pair.startWithoutRestarts(1);

            assertThatThrownBy(() -> job.getJobExecutionResult().get(3, TimeUnit.MINUTES))
                    .satisfies(e -> {
                        Throwable cause = ExceptionUtils.findThrowable(e, KinesisSinkException.class)
                                .orElseThrow(() -> e);
                        assertThat(cause.getMessage())
                                .contains(
                                        pair.targetArn,
                                        put.shardId(),
                                        put.sequenceNumber(),
                                        (data.length + 3) + " bytes",
                                        "2097152 bytes (2048 KiB)",
                                        "1048576 bytes (1024 KiB)");
                    });
        }
    }

    /** The last sequence number of a shard, read with GetRecords. */
    private static String lastSequenceOf(KinesisClient kinesis, String arn, String shardId) {
        return StreamContents.readShard(kinesis, arn, shardId).stream()
                .map(software.amazon.awssdk.services.kinesis.model.Record::sequenceNumber)
                .max(java.util.Comparator.comparing(java.math.BigInteger::new))
                .orElseThrow();
    }
}
