package io.kinesisha.common.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.kinesisha.common.aws.AwsClientFactory;
import io.kinesisha.common.aws.ClientTuning;
import io.kinesisha.testkit.FaultProxy;
import io.kinesisha.testkit.LocalEnvironment;
import io.kinesisha.testkit.LocalEnvironmentExtension;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** The resolver against DynamoDB Local: follows the record within a refresh, survives a control-store outage. */
class ActiveRegionResolverTest {
    private static final String TABLE = "control-resolver-test";
    private static final Duration REFRESH = Duration.ofMillis(200);

    @RegisterExtension
    static final LocalEnvironmentExtension LOCAL = new LocalEnvironmentExtension("us-west-2");

    @Test
    void followsActiveRegionPauseAndEpochAndTellsListeners() {
        LocalEnvironment env = LOCAL.env();
        try (DynamoDbClient dynamo = env.clients().dynamoDb(env.controlStoreTarget("us-west-2"))) {
            ControlStore store = new ControlStore(dynamo, TABLE);
            store.createTableIfMissing();
            ControlRecord initial = ControlRecord.initial("follow", "us-west-2", "us-east-2", Instant.now());
            assertThat(store.create(initial)).isTrue();
            List<String> changes = new CopyOnWriteArrayList<>();
            try (ActiveRegionResolver resolver = new ActiveRegionResolver(store, "follow", REFRESH)) {
                resolver.addListener((before, after) -> changes.add(before + " => " + after));
                resolver.start();
                assertThat(resolver.activeRegion()).isEqualTo("us-west-2");
                assertThat(resolver.isPaused()).isFalse();

                ControlRecord paused = initial.next(
                                "us-west-2", initial.direction(), "SWITCHING_OVER", false, Instant.now())
                        .withProducersPaused(true);
                assertThat(store.replace(initial, paused)).isTrue();
                assertThat(store.read("follow").orElseThrow().producersPaused())
                        .as("stored")
                        .isTrue();
                await().atMost(REFRESH.multipliedBy(3)).until(resolver::isPaused);

                ControlRecord moved = paused.next("us-east-2", null, "SWITCHING_OVER", false, Instant.now())
                        .withProducersPaused(false);
                assertThat(store.replace(paused, moved)).isTrue();
                await().atMost(REFRESH.multipliedBy(3))
                        .until(() -> resolver.activeRegion().equals("us-east-2"));
                assertThat(resolver.isPaused()).isFalse();
                assertThat(resolver.snapshot().orElseThrow().epoch()).isEqualTo(2);
                assertThat(resolver.isStale()).isFalse();
                await().atMost(REFRESH.multipliedBy(3)).until(() -> changes.size() == 3);
                assertThat(changes.get(0)).isEqualTo("null => us-west-2 epoch 1");
                assertThat(changes.get(1)).isEqualTo("us-west-2 epoch 1 => us-west-2 (producers paused) epoch 1");
                assertThat(changes.get(2)).isEqualTo("us-west-2 (producers paused) epoch 1 => us-east-2 epoch 2");
            }
        }
    }

    @Test
    void keepsTheLastAnswerAndReportsStalenessWhileTheStoreIsUnreachable() {
        LocalEnvironment env = LOCAL.env();
        URI direct = env.controlStoreEndpoint();
        try (AwsClientFactory quick =
                        new AwsClientFactory(new ClientTuning(Duration.ofMillis(400), Duration.ofMillis(300), 1));
                FaultProxy proxy = new FaultProxy("control-store");
                DynamoDbClient dynamo = quick.dynamoDb(env.controlStoreTarget("us-west-2")
                        .withEndpoint(URI.create("http://127.0.0.1:" + proxy.port())))) {
            proxy.target(new InetSocketAddress(InetAddress.getLoopbackAddress(), direct.getPort()));
            ControlStore store = new ControlStore(dynamo, TABLE);
            store.createTableIfMissing();
            assertThat(store.create(ControlRecord.initial("outage", "us-east-2", "us-west-2", Instant.now())))
                    .isTrue();
            try (ActiveRegionResolver resolver = new ActiveRegionResolver(store, "outage", REFRESH).start()) {
                assertThat(resolver.activeRegion()).isEqualTo("us-east-2");

                proxy.blackhole();
                await().atMost(Duration.ofSeconds(5)).until(resolver::isStale);
                assertThat(resolver.activeRegion()).as("last known answer kept").isEqualTo("us-east-2");
                await().atMost(Duration.ofSeconds(3))
                        .until(() -> resolver.lastError().isPresent());

                proxy.restore();
                await().atMost(Duration.ofSeconds(5))
                        .until(() -> !resolver.isStale() && resolver.lastError().isEmpty());
            }
        }
    }

    @Test
    void withoutAnyRecordTheAnswerIsUnknownWithTheReason() {
        LocalEnvironment env = LOCAL.env();
        try (DynamoDbClient dynamo = env.clients().dynamoDb(env.controlStoreTarget("us-west-2"))) {
            ControlStore store = new ControlStore(dynamo, TABLE);
            store.createTableIfMissing();
            try (ActiveRegionResolver resolver = new ActiveRegionResolver(store, "nobody", REFRESH).start()) {
                assertThatThrownBy(resolver::activeRegion)
                        .isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("not known yet")
                        .hasMessageContaining("no control record for pair 'nobody'");
                assertThat(resolver.isStale()).isTrue();
            }
        }
    }
}
