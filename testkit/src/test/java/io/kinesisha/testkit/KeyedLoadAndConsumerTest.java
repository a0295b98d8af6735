package io.kinesisha.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kinesisha.common.control.ActiveRegionResolver;
import io.kinesisha.common.control.ControlRecord;
import io.kinesisha.common.control.ControlStore;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.kinesis.KinesisClient;

/**
 * The demo's producer and consumer against two emulated regions and a control record: the producer follows the
 * record (holds while producers are paused, then writes to the new active region), the consumer follows it too
 * (switches to the new region's stream at the start time it is given), every acknowledged record is read once and
 * in order per key; records written twice, out of order or with holes are counted as such.
 */
class KeyedLoadAndConsumerTest {
    private static final String PAIR = "demo";
    private static final int KEYS = 20;
    private static final double RATE = 200;

    @RegisterExtension
    static final LocalEnvironmentExtension LOCAL = new LocalEnvironmentExtension();

    @Test
    void everyAcknowledgedRecordIsReadOnceInOrderAcrossARegionSwitchAndAnomaliesAreCounted() throws Exception {
        LocalEnvironment env = LOCAL.env();
        LocalRegion west = env.primary();
        LocalRegion east = env.secondary();
        String westArn = west.createStream(PAIR, 2);
        String eastArn = east.createStream(PAIR, 2);
        AtomicReference<Instant> switchStart = new AtomicReference<>();
        try (DynamoDbClient dynamo = env.clients().dynamoDb(env.controlStoreTarget(west.name()));
                KinesisClient w = env.clients().kinesis(west.target());
                KinesisClient e = env.clients().kinesis(east.target())) {
            ControlStore store = new ControlStore(dynamo, "control-" + PAIR);
            store.createTableIfMissing();
            assertThat(store.create(ControlRecord.initial(PAIR, west.name(), east.name(), Instant.now())))
                    .isTrue();
            try (ActiveRegionResolver resolver = new ActiveRegionResolver(store, PAIR, Duration.ofMillis(200)).start();
                    KeyedLoad load = KeyedLoad.builder(resolver)
                            .region(west.name(), w, westArn)
                            .region(east.name(), e, eastArn)
                            .keys(KEYS)
                            .ratePerSecond(RATE)
                            .paddingBytes(64)
                            .build();
                    OrderCheckingConsumer consumer = OrderCheckingConsumer.builder(resolver)
                            .region(west.name(), w, westArn)
                            .region(east.name(), e, eastArn)
                            .startAt(OrderCheckingConsumer.StartPosition.trimHorizon())
                            .switchStart(change -> switchStart.get())
                            .pollInterval(Duration.ofMillis(100))
                            .build()) {
                consumer.start();
                load.start();
                await().atMost(Duration.ofSeconds(30)).until(() -> load.acknowledgedCount() >= 1000);

                // a planned switch: producers hold, the consumer drains the old region, then the record moves
                ControlRecord current = store.read(PAIR).orElseThrow();
                ControlRecord paused = current.next(
                                west.name(), current.direction(), current.state(), false, Instant.now())
                        .withProducersPaused(true);
                assertThat(store.replace(current, paused)).isTrue();
                await().atMost(Duration.ofSeconds(10)).until(() -> load.stats().holding());
                long producedWhilePaused = load.produced();
                await().atMost(Duration.ofSeconds(30))
                        .until(() -> consumer.notSeen(ids(load.acknowledged())).isEmpty());
                assertThat(load.produced())
                        .as("nothing is produced while producers are paused")
                        .isEqualTo(producedWhilePaused);
                assertThat(load.acknowledgedCount()).isEqualTo(producedWhilePaused);
                Instant lastAck = load.acknowledged().stream()
                        .map(KeyedLoad.Ack::at)
                        .max(Instant::compareTo)
                        .orElseThrow();
                await("its own position passes the last record while it reads idle shards")
                        .atMost(Duration.ofSeconds(10))
                        .until(() -> consumer.readUpTo()
                                .filter(t -> t.isAfter(lastAck))
                                .isPresent());
                switchStart.set(Instant.now());
                ControlRecord moved = paused.next(
                                east.name(), paused.direction().reversed(), "ACTIVE_SECONDARY", false, Instant.now())
                        .withProducersPaused(false);
                assertThat(store.replace(paused, moved)).isTrue();

                await().atMost(Duration.ofSeconds(30)).until(() -> load.acknowledgedCount() >= 2000);
                load.close();
                List<KeyedLoad.Ack> acks = load.acknowledged();
                await().atMost(Duration.ofSeconds(30))
                        .until(() -> consumer.notSeen(ids(acks)).isEmpty()
                                && consumer.stats().caughtUp());

                KeyedLoad.Stats produced = load.stats();
                OrderCheckingConsumer.Stats read = consumer.stats();
                System.out.printf("KEYED LOAD: %s%nCONSUMER: %s%n", produced, read);
                assertThat(produced.produced())
                        .isEqualTo(produced.acknowledged())
                        .isEqualTo(acks.size());
                assertThat(produced.failedAttempts()).isZero();
                assertThat(produced.acknowledgedByRegion().get(west.name())).isEqualTo(producedWhilePaused);
                assertThat(produced.acknowledgedByRegion().get(east.name()))
                        .isEqualTo(acks.size() - producedWhilePaused)
                        .isPositive();
                assertThat(acks)
                        .filteredOn(a -> a.region().equals(east.name()))
                        .isNotEmpty()
                        .allSatisfy(a -> assertThat(a.at()).isAfter(switchStart.get()));
                assertThat(perKeyCountersAreConsecutive(acks)).isTrue();
                assertRate(acks);

                assertThat(read.consumed()).isEqualTo(acks.size());
                assertThat(read.distinct()).isEqualTo(acks.size());
                assertThat(read.keys()).isEqualTo(KEYS);
                assertThat(read.duplicates()).isZero();
                assertThat(read.reorders()).isZero();
                assertThat(read.gaps()).isZero();
                assertThat(read.unparsed()).isZero();
                assertThat(read.consumedByRegion()).isEqualTo(produced.acknowledgedByRegion());
                assertThat(read.region()).isEqualTo(east.name());
                assertThat(read.switches()).singleElement().satisfies(s -> {
                    assertThat(s.change().from()).isEqualTo(west.name());
                    assertThat(s.change().to()).isEqualTo(east.name());
                    assertThat(s.start()).isEqualTo(OrderCheckingConsumer.StartPosition.atTimestamp(switchStart.get()));
                });

                // now the anomalies a failover can cause, written to the active region's stream
                for (String id : List.of(
                        acks.get(0).id(),
                        acks.get(1).id(),
                        acks.get(acks.size() - 1).id())) {
                    put(e, eastArn, id.substring(0, id.lastIndexOf(':')), id + "|again");
                }
                for (String id : List.of("odd:2", "odd:5", "odd:3", "odd:2", "odd:6|padding", "not a counter")) {
                    put(e, eastArn, "odd", id);
                }
                await().atMost(Duration.ofSeconds(30)).until(() -> consumer.consumedCount() == acks.size() + 9);
                OrderCheckingConsumer.Stats after = consumer.stats();
                System.out.printf("CONSUMER AFTER ANOMALIES: %s%n", after);
                assertThat(after.duplicates()).isEqualTo(4);
                assertThat(after.duplicateExamples())
                        .hasSize(4)
                        .anySatisfy(x -> assertThat(x).startsWith("odd:2 in "))
                        .anySatisfy(x -> assertThat(x).startsWith(acks.get(0).id() + " in " + east.name()));
                assertThat(after.reorders()).isEqualTo(1);
                assertThat(after.reorderExamples())
                        .singleElement()
                        .satisfies(x -> assertThat(x)
                                .startsWith("odd:3 in " + east.name())
                                .endsWith("after counter 5"));
                assertThat(after.gaps()).isEqualTo(2);
                assertThat(after.gapExamples()).containsExactly("odd:1", "odd:4");
                assertThat(after.unparsed()).isEqualTo(1);
                assertThat(after.keys()).isEqualTo(KEYS + 1);
                assertThat(after.distinct()).isEqualTo(acks.size() + 4);
                assertThat(consumer.seen("odd:6")).isTrue();
                assertThat(consumer.seen("odd:4")).isFalse();
            }
        }
    }

    private static List<String> ids(List<KeyedLoad.Ack> acks) {
        return acks.stream().map(KeyedLoad.Ack::id).toList();
    }

    private static void put(KinesisClient kinesis, String arn, String key, String data) {
        kinesis.putRecord(
                b -> b.streamARN(arn).partitionKey(key).data(SdkBytes.fromString(data, StandardCharsets.UTF_8)));
    }

    /** Acknowledgement order per key is 1, 2, 3, ... (no key's record overtook an earlier one). */
    private static boolean perKeyCountersAreConsecutive(List<KeyedLoad.Ack> acks) {
        Map<String, Long> last = new HashMap<>();
        for (KeyedLoad.Ack a : acks) {
            int colon = a.id().lastIndexOf(':');
            String key = a.id().substring(0, colon);
            long c = Long.parseLong(a.id().substring(colon + 1));
            if (c != last.getOrDefault(key, 0L) + 1) {
                return false;
            }
            last.put(key, c);
        }
        return true;
    }

    /** Token pacing: over the run the load never goes faster than the target rate (plus one batch of burst). */
    private static void assertRate(List<KeyedLoad.Ack> acks) {
        double seconds =
                Duration.between(acks.get(0).at(), acks.get(acks.size() - 1).at())
                                .toMillis()
                        / 1000.0;
        assertThat((acks.size() - KEYS) / seconds).as("records/s").isLessThanOrEqualTo(RATE * 1.05);
    }
}
