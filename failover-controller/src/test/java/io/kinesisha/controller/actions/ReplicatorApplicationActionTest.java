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
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
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
                .configure(KinesisAnalyticsV2Client.builder(), target).httpClientBuilder(ApacheHttpClient.builder()).build();
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

        ActionResult r = action(ReplicatorApplicationAction.Goal.START_FRESH, Duration.ofSeconds(5)).execute();

        assertThat(r.changed()).isTrue();
        server.verify(1, postRequestedFor(urlEqualTo("/")).withHeader(TARGET, equalTo(PREFIX + "StartApplication"))
                .withRequestBody(containing("\"ApplicationName\":\"kinesis-ha-orders-reverse\""))
                .withRequestBody(containing("\"ApplicationRestoreType\":\"SKIP_RESTORE_FROM_SNAPSHOT\"")));
        server.verify(0, postRequestedFor(urlEqualTo("/")).withHeader(TARGET, equalTo(PREFIX + "StopApplication")));
    }

    @Test
    void aRunningApplicationIsStoppedThenStartedFresh() {
        describeReturns(Scenario.STARTED, "RUNNING", Scenario.STARTED);
        server.stubFor(post(urlEqualTo("/")).inScenario("app").whenScenarioStateIs(Scenario.STARTED)
                .withHeader(TARGET, equalTo(PREFIX + "StopApplication")).willReturn(json("{}")).willSetStateTo("stopping"));
        describeReturns("stopping", "STOPPING", "stopped");
        describeReturns("stopped", "READY", "stopped");
        server.stubFor(post(urlEqualTo("/")).inScenario("app").whenScenarioStateIs("stopped")
                .withHeader(TARGET, equalTo(PREFIX + "StartApplication")).willReturn(json("{}")));

        ActionResult r = action(ReplicatorApplicationAction.Goal.START_FRESH, Duration.ofSeconds(5)).execute();

        assertThat(r.calls()).extracting(ApiCall::operation).containsExactly("StopApplication", "StartApplication");
        server.verify(1, postRequestedFor(urlEqualTo("/")).withHeader(TARGET, equalTo(PREFIX + "StopApplication"))
                .withRequestBody(containing("\"Force\":false")));
        server.verify(1, postRequestedFor(urlEqualTo("/")).withHeader(TARGET, equalTo(PREFIX + "StartApplication")));
        assertThat(progress).anyMatch(l -> l.contains("older epoch"));
    }

    @Test
    void stoppingAnApplicationThatIsNotRunningChangesNothing() {
        describeReturns(Scenario.STARTED, "READY", Scenario.STARTED);
        ActionResult r = action(ReplicatorApplicationAction.Goal.STOP, Duration.ofSeconds(5)).execute();
        assertThat(r.changed()).isFalse();
        assertThat(action(ReplicatorApplicationAction.Goal.STOP, Duration.ofSeconds(5)).describe()).isEmpty();
    }

    @Test
    void anApplicationStuckStartingEndsInAClearError() {
        describeReturns(Scenario.STARTED, "STARTING", Scenario.STARTED);
        assertThatThrownBy(() -> action(ReplicatorApplicationAction.Goal.START_FRESH, Duration.ofMillis(300)).execute())
                .hasMessageContaining("kinesis-ha-orders-reverse").hasMessageContaining("still STARTING");
    }

    private ReplicatorApplicationAction action(ReplicatorApplicationAction.Goal goal, Duration wait) {
        return new ReplicatorApplicationAction(client, "us-west-2", "kinesis-ha-orders-reverse", goal, wait,
                Duration.ofMillis(50), progress::add);
    }

    private void describeReturns(String state, String status, String next) {
        server.stubFor(post(urlEqualTo("/")).inScenario("app").whenScenarioStateIs(state)
                .withHeader(TARGET, equalTo(PREFIX + "DescribeApplication"))
                .willReturn(json("{\"ApplicationDetail\":{\"ApplicationARN\":\"arn:aws:kinesisanalytics:us-west-2:111111111111:"
                        + "application/kinesis-ha-orders-reverse\",\"ApplicationName\":\"kinesis-ha-orders-reverse\","
                        + "\"RuntimeEnvironment\":\"FLINK-1_20\",\"ApplicationStatus\":\"" + status + "\","
                        + "\"ApplicationVersionId\":3}}"))
                .willSetStateTo(next));
    }

    private void ok(String operation) {
        server.stubFor(post(urlEqualTo("/")).inScenario("app").withHeader(TARGET, equalTo(PREFIX + operation))
                .willReturn(json("{}")));
    }

    private static com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder json(String body) {
        return WireMock.aResponse().withStatus(200).withHeader("Content-Type", "application/x-amz-json-1.1").withBody(body);
    }
}
