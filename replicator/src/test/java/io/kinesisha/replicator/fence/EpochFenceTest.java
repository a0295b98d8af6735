package io.kinesisha.replicator.fence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kinesisha.common.aws.AwsTarget;
import io.kinesisha.common.control.ControlRecord;
import io.kinesisha.common.control.ControlStore;
import io.kinesisha.common.control.FenceAck;
import io.kinesisha.common.control.ReplicationDirection;
import io.kinesisha.testkit.FaultProxy;
import io.kinesisha.testkit.LocalEnvironment;
import io.kinesisha.testkit.LocalEnvironmentExtension;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import org.apache.flink.util.InstantiationUtil;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** The fence against DynamoDB Local: it follows the control record, and an unreachable store fences within the lease. */
class EpochFenceTest {
    private static final String REGION = "us-east-2";
    private static final String TABLE = "kinesis-ha-control-fence-test";
    private static final Duration INTERVAL = Duration.ofMillis(200);
    private static final Duration LEASE = Duration.ofMillis(1200);

    @RegisterExtension
    static final LocalEnvironmentExtension LOCAL = new LocalEnvironmentExtension(REGION);

    @Test
    void permitsOnlyWhileTheRecordNamesItsDirectionAndEpoch() throws Exception {
        LocalEnvironment env = LOCAL.env();
        try (DynamoDbClient dynamo = env.clients().dynamoDb(env.controlStoreTarget(REGION))) {
            ControlStore store = new ControlStore(dynamo, TABLE);
            store.createTableIfMissing();
            ControlRecord initial = ControlRecord.initial("flip", "us-west-2", REGION, Instant.now());
            // shipped like a Flink job ships it: serialized before open
            EpochFence fence =
                    InstantiationUtil.clone(fence("flip", env.controlStoreTarget(REGION), initial.direction(), 1));
            try {
                fence.open();
                await().during(Duration.ofMillis(600))
                        .atMost(Duration.ofSeconds(3))
                        .until(() -> !fence.permitsWrite());
                assertThat(fence.reason()).contains("no control record");

                assertThat(store.create(initial)).isTrue();
                await().atMost(LEASE).until(fence::permitsWrite);
                assertThat(fence.reason()).startsWith("permitted");

                ControlRecord flipped =
                        initial.next(REGION, initial.direction().reversed(), "FAILING_BACK", false, Instant.now());
                assertThat(store.replace(initial, flipped)).isTrue();
                long flippedAt = System.nanoTime();
                await().atMost(LEASE).until(() -> !fence.permitsWrite());
                assertThat(Duration.ofNanos(System.nanoTime() - flippedAt)).isLessThan(LEASE);
                assertThat(fence.reason()).contains("fenced").contains("epoch 2");
            } finally {
                fence.close();
            }
            // a fence holding the new direction and epoch is permitted
            EpochFence successor = fence(
                    "flip", env.controlStoreTarget(REGION), initial.direction().reversed(), 2);
            try {
                successor.open();
                await().atMost(LEASE).until(successor::permitsWrite);
            } finally {
                successor.close();
            }
        }
    }

    @Test
    void fencesWithinTheLeaseWhenTheControlStoreIsUnreachable() throws Exception {
        LocalEnvironment env = LOCAL.env();
        URI direct = env.controlStoreEndpoint();
        try (DynamoDbClient dynamo = env.clients().dynamoDb(env.controlStoreTarget(REGION));
                FaultProxy proxy = new FaultProxy("control-store")) {
            proxy.target(new InetSocketAddress(InetAddress.getLoopbackAddress(), direct.getPort()));
            ControlStore store = new ControlStore(dynamo, TABLE);
            store.createTableIfMissing();
            ControlRecord record = ControlRecord.initial("outage", "us-west-2", REGION, Instant.now());
            assertThat(store.create(record)).isTrue();
            AwsTarget viaProxy =
                    env.controlStoreTarget(REGION).withEndpoint(URI.create("http://127.0.0.1:" + proxy.port()));
            EpochFence fence = fence("outage", viaProxy, record.direction(), record.epoch());
            try {
                fence.open();
                await().atMost(Duration.ofSeconds(5)).until(fence::permitsWrite);

                proxy.blackhole();
                long blackholedAt = System.nanoTime();
                await().atMost(LEASE.plusMillis(500)).until(() -> !fence.permitsWrite());
                assertThat(Duration.ofNanos(System.nanoTime() - blackholedAt))
                        .isLessThanOrEqualTo(LEASE.plusMillis(500));
                assertThat(fence.reason()).contains("lease expired");

                proxy.restore();
                await().atMost(Duration.ofSeconds(5)).until(fence::permitsWrite);
            } finally {
                fence.close();
            }
        }
    }

    @Test
    void acknowledgesTheFenceOnlyOnceItSawItAndItsLastRequestEnded() throws Exception {
        LocalEnvironment env = LOCAL.env();
        try (DynamoDbClient dynamo = env.clients().dynamoDb(env.controlStoreTarget(REGION))) {
            ControlStore store = new ControlStore(dynamo, TABLE);
            store.createTableIfMissing();
            ControlRecord initial = ControlRecord.initial("ack", "us-west-2", REGION, Instant.now());
            assertThat(store.create(initial)).isTrue();
            EpochFence fence = InstantiationUtil.clone(EpochFence.builder()
                    .pairName("ack")
                    .controlTable(TABLE)
                    .controlStore(env.controlStoreTarget(REGION))
                    .direction(initial.direction())
                    .epoch(initial.epoch())
                    .checkInterval(INTERVAL)
                    .lease(LEASE)
                    .owner("run-1")
                    .build());
            try {
                fence.open(1, 2);
                await().atMost(LEASE).until(fence::permitsWrite);
                assertThat(fence.beginWrite())
                        .as("a request is sent while permitted")
                        .isTrue();

                ControlRecord fenced = initial.next(REGION, null, "FAILING_OVER", false, Instant.now());
                assertThat(store.replace(initial, fenced)).isTrue();
                await().atMost(LEASE).until(() -> !fence.permitsWrite());
                await().during(INTERVAL.multipliedBy(3))
                        .atMost(INTERVAL.multipliedBy(3).plusSeconds(2))
                        .until(() -> store.readFenceAcks("ack", initial.direction(), initial.epoch())
                                .isEmpty());

                fence.endWrite();
                await().atMost(LEASE)
                        .until(() -> !store.readFenceAcks("ack", initial.direction(), initial.epoch())
                                .isEmpty());
                FenceAck ack = store.readFenceAcks("ack", initial.direction(), initial.epoch())
                        .get(0);
                assertThat(ack.owner()).isEqualTo("run-1");
                assertThat(ack.subtask()).isEqualTo(1);
                assertThat(ack.parallelism()).isEqualTo(2);
                assertThat(fence.beginWrite())
                        .as("after the acknowledgement nothing is permitted")
                        .isFalse();
                assertThat(store.readFenceAcks("ack", initial.direction(), fenced.epoch()))
                        .as("only the fenced epoch")
                        .isEmpty();
            } finally {
                fence.close();
            }
        }
    }

    private static EpochFence fence(String pair, AwsTarget store, ReplicationDirection direction, long epoch) {
        return EpochFence.builder()
                .pairName(pair)
                .controlTable(TABLE)
                .controlStore(store)
                .direction(direction)
                .epoch(epoch)
                .checkInterval(INTERVAL)
                .lease(LEASE)
                .build();
    }
}
