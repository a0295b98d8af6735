package io.kinesisha.controller.actions;

import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.WireMock;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import io.kinesisha.common.aws.AwsClientFactory;
import io.kinesisha.common.aws.AwsTarget;
import io.kinesisha.common.aws.ClientTuning;
import io.kinesisha.common.kinesis.JobManagedConsumer;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesisanalyticsv2.KinesisAnalyticsV2Client;

/**
 * The Managed Flink adapter against WireMock speaking the service's wire format (AWS JSON 1.1, operations named in
 * X-Amz-Target): an application is started without restoring a snapshot, one that runs under an older epoch is
 * stopped and started again, and a stuck one ends in a clear error.
 */
class ReplicatorApplicationActionTest {
    private static final String TARGET = "X-Amz-Target";
    private static final String PREFIX = "KinesisAnalytics_20180523.";
    private final WireMockServer server = new WireMockServer(wireMockConfig().dynamicPort());
    private final List<String> progress = new CopyOnWriteArrayList<>();
    private KinesisAnalyticsV2Client client;

    @BeforeEach
    void start() {
        server.start();
        AwsTarget target = AwsTarget.local("us-west-2", URI.create(server.baseUrl()), "AKIDLOCAL", "local-secret");
        client = new AwsClientFactory(new ClientTuning(Duration.ofSeconds(10), Duration.ofSeconds(5), 2))
                .configure(KinesisAnalyticsV2Client.builder(), target)
                .httpClientBuilder(ApacheHttpClient.builder())
                .build();
    }

    @AfterEach
    void stop() {
        client.close();
        server.stop();
    }

    @Test
    void aReadyApplicationIsStartedWithoutItsSnapshot() {
        describeReturns(Scenario.STARTED, "READY", Scenario.STARTED);
        ok("StartApplication");

        ActionResult r = action(ReplicatorApplicationAction.Goal.START_FRESH, Duration.ofSeconds(5))
                .execute();

        assertThat(r.changed()).isTrue();
        server.verify(
                1,
                postRequestedFor(urlEqualTo("/"))
                        .withHeader(TARGET, equalTo(PREFIX + "StartApplication"))
                        .withRequestBody(containing("\"ApplicationName\":\"kinesis-ha-orders-reverse\""))
                        .withRequestBody(containing("\"ApplicationRestoreType\":\"SKIP_RESTORE_FROM_SNAPSHOT\"")));
        server.verify(0, postRequestedFor(urlEqualTo("/")).withHeader(TARGET, equalTo(PREFIX + "StopApplication")));
    }

    @Test
    void aRunningApplicationIsStoppedThenStartedFresh() {
        runningUntilStopped();
        server.stubFor(post(urlEqualTo("/"))
                .inScenario("app")
                .whenScenarioStateIs("stopped")
                .withHeader(TARGET, equalTo(PREFIX + "StartApplication"))
                .willReturn(json("{}")));

        ActionResult r = action(ReplicatorApplicationAction.Goal.START_FRESH, Duration.ofSeconds(5))
                .execute();

        assertThat(r.calls()).extracting(ApiCall::operation).containsExactly("StopApplication", "StartApplication");
        server.verify(
                1,
                postRequestedFor(urlEqualTo("/"))
                        .withHeader(TARGET, equalTo(PREFIX + "StopApplication"))
                        .withRequestBody(containing("\"Force\":false")));
        server.verify(1, postRequestedFor(urlEqualTo("/")).withHeader(TARGET, equalTo(PREFIX + "StartApplication")));
        assertThat(progress).anyMatch(l -> l.contains("older epoch"));
    }

    @Test
    void stoppingAnApplicationThatIsNotRunningChangesNothing() {
        describeReturns(Scenario.STARTED, "READY", Scenario.STARTED);
        ActionResult r = action(ReplicatorApplicationAction.Goal.STOP, Duration.ofSeconds(5))
                .execute();
        assertThat(r.changed()).isFalse();
        assertThat(action(ReplicatorApplicationAction.Goal.STOP, Duration.ofSeconds(5))
                        .describe())
                .isEmpty();
    }

    @Test
    void stoppingForGoodRetiresTheJobsConsumerOnlyOnceTheApplicationIsStopped() {
        runningUntilStopped();
        JobManagedConsumer consumer =
                new JobManagedConsumer("kinesis-ha-orders", "arn:aws:kinesis:us-east-2:111111111111:stream/orders");
        List<String> statusWhenRetired = new CopyOnWriteArrayList<>();

        ActionResult r = stopRetiring(consumer, () -> {
                    statusWhenRetired.add(
                            server.getAllScenarios().getScenarios().get(0).getState());
                    try (KinesisClient kinesis = deregistered()) {
                        return consumer.retire(kinesis);
                    }
                })
                .execute();

        assertThat(statusWhenRetired)
                .as("retired once, after the application reported READY")
                .containsExactly("stopped");
        server.verify(
                1,
                postRequestedFor(urlEqualTo("/"))
                        .withHeader(TARGET, equalTo("Kinesis_20131202.DeregisterStreamConsumer"))
                        .withRequestBody(containing("kinesis-ha-orders"))
                        .withRequestBody(containing("stream/orders")));
        assertThat(r.changed()).isTrue();
        assertThat(r.calls())
                .extracting(ApiCall::operation)
                .containsExactly("StopApplication", "DeregisterStreamConsumer");
        assertThat(r.calls().get(1).region()).isEqualTo("us-east-2");
        assertThat(r.outputs().get("consumer")).contains("kinesis-ha-orders", "deregistered");
    }

    @Test
    void aStopThatCannotBeConfirmedRetiresNothing() {
        describeReturns(Scenario.STARTED, "STOPPING", Scenario.STARTED);
        List<String> retired = new CopyOnWriteArrayList<>();
        JobManagedConsumer consumer =
                new JobManagedConsumer("c", "arn:aws:kinesis:us-east-2:111111111111:stream/orders");

        assertThatThrownBy(() -> new ReplicatorApplicationAction(
                                client,
                                "us-west-2",
                                "kinesis-ha-orders-reverse",
                                ReplicatorApplicationAction.Goal.STOP,
                                Duration.ofMillis(300),
                                Duration.ofMillis(50),
                                progress::add,
                                Optional.of(consumer),
                                () -> {
                                    retired.add("called");
                                    return null;
                                })
                        .execute())
                .hasMessageContaining("still STOPPING");
        assertThat(retired).as("a job that may still run keeps its consumer").isEmpty();
    }

    @Test
    void aConsumerThatCannotBeRetiredIsReportedAndTheStopStands() {
        describeReturns(Scenario.STARTED, "READY", Scenario.STARTED);
        JobManagedConsumer consumer =
                new JobManagedConsumer("c", "arn:aws:kinesis:us-east-2:111111111111:stream/orders");

        ActionResult r = stopRetiring(consumer, () -> {
                    try (KinesisClient down =
                            kinesis(URI.create("http://localhost:" + io.kinesisha.testkit.FreePorts.next()))) {
                        return consumer.retire(down);
                    }
                })
                .execute();

        assertThat(r.changed()).as("the application was not running").isFalse();
        assertThat(r.outputs().get("consumer")).contains("failed");
    }

    private ReplicatorApplicationAction stopRetiring(
            JobManagedConsumer consumer, java.util.function.Supplier<JobManagedConsumer.Retirement> retire) {
        return new ReplicatorApplicationAction(
                client,
                "us-west-2",
                "kinesis-ha-orders-reverse",
                ReplicatorApplicationAction.Goal.STOP,
                Duration.ofSeconds(5),
                Duration.ofMillis(50),
                progress::add,
                Optional.of(consumer),
                retire);
    }

    /** A Kinesis client whose DeregisterStreamConsumer is answered by this test's WireMock (CBOR, empty answer). */
    private KinesisClient deregistered() {
        server.stubFor(post(urlEqualTo("/"))
                .withHeader(TARGET, equalTo("Kinesis_20131202.DeregisterStreamConsumer"))
                .willReturn(
                        WireMock.aResponse().withStatus(200).withHeader("Content-Type", "application/x-amz-cbor-1.1")));
        return kinesis(URI.create(server.baseUrl()));
    }

    private static KinesisClient kinesis(URI endpoint) {
        return KinesisClient.builder()
                .region(Region.US_EAST_2)
                .endpointOverride(endpoint)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDLOCAL", "s")))
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()))
                .httpClientBuilder(ApacheHttpClient.builder())
                .build();
    }

    @Test
    void anApplicationStuckStartingEndsInAClearError() {
        describeReturns(Scenario.STARTED, "STARTING", Scenario.STARTED);
        assertThatThrownBy(() -> action(ReplicatorApplicationAction.Goal.START_FRESH, Duration.ofMillis(300))
                        .execute())
                .hasMessageContaining("kinesis-ha-orders-reverse")
                .hasMessageContaining("still STARTING");
    }

    private ReplicatorApplicationAction action(ReplicatorApplicationAction.Goal goal, Duration wait) {
        return new ReplicatorApplicationAction(
                client, "us-west-2", "kinesis-ha-orders-reverse", goal, wait, Duration.ofMillis(50), progress::add);
    }

    /** RUNNING until StopApplication, then STOPPING once, then READY (scenario state "stopped"). */
    private void runningUntilStopped() {
        describeReturns(Scenario.STARTED, "RUNNING", Scenario.STARTED);
        server.stubFor(post(urlEqualTo("/"))
                .inScenario("app")
                .whenScenarioStateIs(Scenario.STARTED)
                .withHeader(TARGET, equalTo(PREFIX + "StopApplication"))
                .willReturn(json("{}"))
                .willSetStateTo("stopping"));
        describeReturns("stopping", "STOPPING", "stopped");
        describeReturns("stopped", "READY", "stopped");
    }

    private void describeReturns(String state, String status, String next) {
        server.stubFor(post(urlEqualTo("/"))
                .inScenario("app")
                .whenScenarioStateIs(state)
                .withHeader(TARGET, equalTo(PREFIX + "DescribeApplication"))
                .willReturn(json(
                        "{\"ApplicationDetail\":{\"ApplicationARN\":\"arn:aws:kinesisanalytics:us-west-2:111111111111:"
                                + "application/kinesis-ha-orders-reverse\",\"ApplicationName\":\"kinesis-ha-orders-reverse\","
                                + "\"RuntimeEnvironment\":\"FLINK-1_20\",\"ApplicationStatus\":\"" + status + "\","
                                + "\"ApplicationVersionId\":3}}"))
                .willSetStateTo(next));
    }

    private void ok(String operation) {
        server.stubFor(post(urlEqualTo("/"))
                .inScenario("app")
                .withHeader(TARGET, equalTo(PREFIX + operation))
                .willReturn(json("{}")));
    }

    private static com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder json(String body) {
        return WireMock.aResponse()
                .withStatus(200)
                .withHeader("Content-Type", "application/x-amz-json-1.1")
                .withBody(body);
    }
}
