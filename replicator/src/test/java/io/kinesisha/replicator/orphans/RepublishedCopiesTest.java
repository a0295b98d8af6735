package io.kinesisha.replicator.orphans;

import static org.assertj.core.api.Assertions.assertThat;

import io.kinesisha.common.aws.ClientTuning;
import io.kinesisha.common.control.ControlStore;
import io.kinesisha.common.control.ReplicationLedger;
import io.kinesisha.common.control.RepublishBatch;
import io.kinesisha.testkit.LocalEnvironment;
import io.kinesisha.testkit.LocalEnvironmentExtension;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.apache.flink.util.InstantiationUtil;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** The screen against DynamoDB Local: it names every COPIED batch's copies and holds while any batch is INTENDED. */
class RepublishedCopiesTest {
    private static final String REGION = "us-east-2";
    private static final String TABLE = "kinesis-ha-control-copies-test";
    private static final String PAIR = "copies";
    private static final long CUT_EPOCH = 7;

    @RegisterExtension
    static final LocalEnvironmentExtension LOCAL = new LocalEnvironmentExtension(REGION);

    @Test
    void namesEveryCopyOfTheCutAndHoldsWhileABatchIsIntended() throws Exception {
        LocalEnvironment env = LOCAL.env();
        try (DynamoDbClient dynamo = env.clients().dynamoDb(env.controlStoreTarget(REGION))) {
            new ControlStore(dynamo, TABLE).createTableIfMissing();
            ReplicationLedger ledger = new ReplicationLedger(dynamo, TABLE);
            // shipped like a Flink job ships it: serialized before open; no read interval, so every question reads
            RepublishedCopies screen = InstantiationUtil.clone(new RepublishedCopies(
                    PAIR,
                    CUT_EPOCH,
                    REGION,
                    env.controlStoreTarget(REGION),
                    TABLE,
                    ClientTuning.DEFAULT,
                    Duration.ZERO));
            screen.open();
            try {
                assertThat(screen.passOver()).as("nothing republished").hasValue(Set.of());

                RepublishBatch first = batch(0, "a");
                ledger.putBatch(first);
                assertThat(screen.passOver())
                        .as("batch 0 INTENDED: its copies may have landed unnamed")
                        .isEmpty();
                ledger.putBatch(
                        first.copied(List.of("shardId-000000000000@11", "shardId-000000000001@12"), Instant.now()));
                assertThat(screen.passOver()).hasValue(Set.of("shardId-000000000000@11", "shardId-000000000001@12"));

                RepublishBatch second = batch(1, "b");
                ledger.putBatch(second);
                ledger.putBatch(new RepublishBatch(
                        PAIR,
                        CUT_EPOCH + 1,
                        0,
                        RepublishBatch.State.INTENDED,
                        List.of("shardId-000000000000@9"),
                        List.of(),
                        Instant.now()));
                assertThat(screen.passOver()).as("batch 1 INTENDED").isEmpty();
                ledger.putBatch(
                        second.copied(List.of("shardId-000000000000@21", "shardId-000000000001@22"), Instant.now()));
                assertThat(screen.passOver())
                        .as("every copy of the cut; another cut's batch does not hold")
                        .hasValue(Set.of(
                                "shardId-000000000000@11",
                                "shardId-000000000001@12",
                                "shardId-000000000000@21",
                                "shardId-000000000001@22"));
            } finally {
                screen.close();
            }
        }
    }

    private static RepublishBatch batch(int number, String tag) {
        return new RepublishBatch(
                PAIR,
                CUT_EPOCH,
                number,
                RepublishBatch.State.INTENDED,
                List.of("shardId-000000000000@" + tag + "1", "shardId-000000000001@" + tag + "2"),
                List.of(),
                Instant.now());
    }
}
