package io.kinesisha.controller.metrics;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.kinesisha.common.aws.ClientTuning;
import io.kinesisha.common.metrics.MetricNames;
import io.kinesisha.controller.health.CloudWatchStub;
import io.kinesisha.controller.health.RecordedMetricData;
import io.kinesisha.controller.health.Verdict;
import io.kinesisha.controller.statemachine.PairState;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.cloudwatch.model.CloudWatchException;

/**
 * The controller's metrics against WireMock answering PutMetricData the way CloudWatch answers SDK 2.51.3 (Smithy
 * RPC v2 CBOR): the request body is decoded and checked field by field.
 */
class CloudWatchControllerMetricsTest {
    static final String PATH = "/service/GraniteServiceVersion20100801/operation/PutMetricData";
    private static final Instant NOW = Instant.parse("2026-11-21T10:07:30Z");
    private static final ObjectMapper CBOR = new CBORMapper();
    /** PutMetricData's output has no members: an empty CBOR map. */
    private static final byte[] EMPTY_OUTPUT = {(byte) 0xA0};

    @RegisterExtension
    final CloudWatchStub stub = new CloudWatchStub(new ClientTuning(Duration.ofSeconds(20), Duration.ofSeconds(5), 3));

    private final CloudWatchControllerMetrics metrics =
            new CloudWatchControllerMetrics(stub.client, Clock.fixed(NOW, ZoneOffset.UTC));

    @Test
    void stateLagOrphansAndDecisionGoOutInOneCborPutMetricDataWithThePairAsDimension() throws IOException {
        stub.wireMock.stubFor(post(urlEqualTo(PATH))
                .withHeader("smithy-protocol", equalTo("rpc-v2-cbor"))
                .willReturn(RecordedMetricData.ok(EMPTY_OUTPUT)));

        metrics.publish("orders", new RoundMetrics(PairState.ACTIVE_SECONDARY, 1500L, 7L, Verdict.Decision.HOLD));

        JsonNode body = onlyRequestBody();
        assertThat(body.get("Namespace").asText())
                .isEqualTo(MetricNames.CONTROLLER_NAMESPACE)
                .isEqualTo("KinesisHa");
        Map<String, JsonNode> byName = byName(body);
        assertThat(byName).containsOnlyKeys("ControllerState", "ReplicationLagMillis", "OrphanRecords", "LastDecision");
        assertThat(byName.get("ControllerState").get("Value").asDouble()).isEqualTo(2.0);
        assertThat(byName.get("ReplicationLagMillis").get("Value").asDouble()).isEqualTo(1500.0);
        assertThat(byName.get("ReplicationLagMillis").get("Unit").asText()).isEqualTo("Milliseconds");
        assertThat(byName.get("OrphanRecords").get("Value").asDouble()).isEqualTo(7.0);
        assertThat(byName.get("OrphanRecords").get("Unit").asText()).isEqualTo("Count");
        assertThat(byName.get("LastDecision").get("Value").asDouble()).isEqualTo(1.0);
        assertThat(byName.values()).allSatisfy(d -> {
            assertThat(d.get("Timestamp").asLong()).isEqualTo(NOW.getEpochSecond());
            assertThat(d.get("Dimensions")).hasSize(1);
            assertThat(d.get("Dimensions").get(0).get("Name").asText()).isEqualTo("Pair");
            assertThat(d.get("Dimensions").get(0).get("Value").asText()).isEqualTo("orders");
        });
    }

    @Test
    void whatTheRoundDidNotKnowIsLeftOutNotReportedAsZero() throws IOException {
        stub.wireMock.stubFor(post(urlEqualTo(PATH)).willReturn(RecordedMetricData.ok(EMPTY_OUTPUT)));

        metrics.publish("orders", new RoundMetrics(PairState.FAILING_OVER, null, null, null));

        Map<String, JsonNode> byName = byName(onlyRequestBody());
        assertThat(byName).containsOnlyKeys("ControllerState");
        assertThat(byName.get("ControllerState").get("Value").asDouble()).isEqualTo(1.0);
    }

    @Test
    void throttlingIsRetriedByTheSdk() {
        stub.wireMock.stubFor(post(urlEqualTo(PATH))
                .inScenario("throttle")
                .whenScenarioStateIs(Scenario.STARTED)
                .willReturn(RecordedMetricData.throttled())
                .willSetStateTo("recovered"));
        stub.wireMock.stubFor(post(urlEqualTo(PATH))
                .inScenario("throttle")
                .whenScenarioStateIs("recovered")
                .willReturn(RecordedMetricData.ok(EMPTY_OUTPUT)));

        metrics.publish("orders", new RoundMetrics(PairState.ACTIVE_PRIMARY, null, null, Verdict.Decision.NONE));

        stub.wireMock.verify(2, postRequestedFor(urlEqualTo(PATH)));
    }

    @Test
    void throttlingThatOutlastsTheRetryBudgetSurfacesAsAnError() {
        stub.wireMock.stubFor(post(urlEqualTo(PATH)).willReturn(RecordedMetricData.throttled()));

        assertThatThrownBy(
                        () -> metrics.publish("orders", new RoundMetrics(PairState.ACTIVE_PRIMARY, null, null, null)))
                .isInstanceOf(CloudWatchException.class)
                .hasMessageContaining("Rate exceeded");
        stub.wireMock.verify(3, postRequestedFor(urlEqualTo(PATH)));
    }

    private JsonNode onlyRequestBody() throws IOException {
        List<LoggedRequest> requests = stub.wireMock.findAll(postRequestedFor(urlEqualTo(PATH)));
        assertThat(requests).hasSize(1);
        return CBOR.readTree(requests.get(0).getBody());
    }

    private static Map<String, JsonNode> byName(JsonNode body) {
        Map<String, JsonNode> byName = new LinkedHashMap<>();
        body.get("MetricData").forEach(d -> byName.put(d.get("MetricName").asText(), d));
        return byName;
    }
}
