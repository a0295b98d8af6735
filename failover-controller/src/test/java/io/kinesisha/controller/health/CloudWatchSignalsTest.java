package io.kinesisha.controller.health;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import com.fasterxml.jackson.dataformat.cbor.CBORGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.kinesisha.common.aws.AwsClientFactory;
import io.kinesisha.common.aws.AwsTarget;
import io.kinesisha.common.aws.ClientTuning;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.services.cloudwatch.CloudWatchClient;
import software.amazon.awssdk.services.cloudwatch.model.CloudWatchException;

/**
 * The adapter against WireMock speaking what CloudWatch speaks to SDK 2.51.3: Smithy RPC v2 CBOR. Responses are
 * built with jackson-dataformat-cbor (timestamps as CBOR tag 1, epoch seconds) in the GetMetricData output shape.
 */
class CloudWatchSignalsTest {
    private static final String PATH = "/service/GraniteServiceVersion20100801/operation/GetMetricData";
    /** 10:07:30 with a 60 s publish delay and 60 s periods: window [10:01, 10:06), five periods. */
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-21T10:07:30Z"), ZoneOffset.UTC);
    private static final Instant FROM = Instant.parse("2026-11-21T10:01:00Z");
    private static final ObjectMapper CBOR = new CBORMapper();

    private WireMockServer wireMock;
    private CloudWatchClient cloudWatch;
    private CloudWatchSignals signals;

    @BeforeEach
    void start() {
        wireMock = new WireMockServer(wireMockConfig().dynamicPort());
        wireMock.start();
        AwsTarget target = AwsTarget.local("us-west-2", URI.create(wireMock.baseUrl()), "AKIDLOCAL", "local-secret");
        cloudWatch = new AwsClientFactory(new ClientTuning(Duration.ofSeconds(20), Duration.ofSeconds(5), 3))
                .configure(CloudWatchClient.builder(), target).httpClientBuilder(ApacheHttpClient.builder()).build();
        signals = new CloudWatchSignals(cloudWatch, CLOCK, Duration.ofMinutes(1), Duration.ofMinutes(1));
    }

    @AfterEach
    void stop() {
        cloudWatch.close();
        wireMock.stop();
    }

    @Test
    void sendsOneMetricMathRequestInCborAndReadsEveryPeriodMarkingGapsMissing() throws IOException {
        stubOk(cbor(List.of(
                result("errorRatePercent", List.of(0, 1, 3, 4), List.of(0.2, 0.5, 3.0, 0.1)),
                result("iteratorAgeMillis", List.of(0, 1, 2, 3, 4), List.of(0.0, 10.0, 2000.0, 5.0, 0.0)))));

        StreamSignals s = signals.read("orders", List.of("kinesis-ha-replicator"), Duration.ofMinutes(5));

        assertThat(s.from()).isEqualTo(FROM);
        assertThat(s.to()).isEqualTo(FROM.plusSeconds(300));
        assertThat(s.errorRatePercent().values()).extracting(PeriodValue::start)
                .containsExactly(at(0), at(1), at(2), at(3), at(4));
        assertThat(s.errorRatePercent().values()).extracting(PeriodValue::value)
                .containsExactly(0.2, 0.5, null, 3.0, 0.1);
        assertThat(s.errorRatePercent().missingCount()).isEqualTo(1);
        assertThat(s.errorRatePercent().statusCode()).isEqualTo("Complete");
        assertThat(s.iteratorAgeMillis().max()).hasValue(2000.0);

        List<LoggedRequest> requests = wireMock.findAll(postRequestedFor(urlEqualTo(PATH)));
        assertThat(requests).hasSize(1);
        assertThat(requests.get(0).getHeader("smithy-protocol")).isEqualTo("rpc-v2-cbor");
        JsonNode body = CBOR.readTree(requests.get(0).getBody());
        assertThat(body.get("StartTime").asLong()).isEqualTo(FROM.getEpochSecond());
        assertThat(body.get("EndTime").asLong()).isEqualTo(FROM.plusSeconds(300).getEpochSecond());
        Map<String, JsonNode> byId = new java.util.HashMap<>();
        body.get("MetricDataQueries").forEach(q -> byId.put(q.get("Id").asText(), q));
        assertThat(byId.get("errorRatePercent").get("Expression").asText()).isEqualTo("100 * (1 - AVG([s0, s1, s2, s3]))");
        assertThat(byId.get("iteratorAgeMillis").get("Expression").asText()).isEqualTo("MAX([a0, a1])");
        assertThat(byId.get("errorRatePercent").get("ReturnData").asBoolean()).isTrue();
        JsonNode subscribe = byId.get("s3").get("MetricStat");
        assertThat(subscribe.get("Metric").get("MetricName").asText()).isEqualTo("SubscribeToShard.Success");
        assertThat(subscribe.get("Metric").get("Dimensions").toString()).contains("ConsumerName", "kinesis-ha-replicator");
        assertThat(subscribe.get("Stat").asText()).isEqualTo("Average");
        assertThat(byId.get("s3").get("ReturnData").asBoolean()).isFalse();
        assertThat(byId.get("a0").get("MetricStat").get("Metric").get("MetricName").asText())
                .isEqualTo("GetRecords.IteratorAgeMilliseconds");
    }

    @Test
    void noDatapointsAtAllIsFiveMissingPeriodsNotAHealthyEmptyAnswer() throws IOException {
        stubOk(cbor(List.of(result("errorRatePercent", List.of(), List.of()),
                result("iteratorAgeMillis", List.of(), List.of()))));

        StreamSignals s = signals.read("orders", List.of(), Duration.ofMinutes(5));

        assertThat(s.errorRatePercent().values()).hasSize(5).allMatch(PeriodValue::isMissing);
        assertThat(s.iteratorAgeMillis().missingCount()).isEqualTo(5);
        assertThat(s.errorRatePercent().mean()).isEmpty();
    }

    @Test
    void throttlingIsRetriedBySdkAndTheSecondAnswerIsUsed() throws IOException {
        wireMock.stubFor(post(urlEqualTo(PATH)).inScenario("throttle").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(throttled()).willSetStateTo("recovered"));
        wireMock.stubFor(post(urlEqualTo(PATH)).inScenario("throttle").whenScenarioStateIs("recovered")
                .willReturn(ok(cbor(List.of(result("errorRatePercent", List.of(0, 1, 2, 3, 4), List.of(0.0, 0.0, 0.0, 0.0, 0.0)),
                        result("iteratorAgeMillis", List.of(0, 1, 2, 3, 4), List.of(1.0, 1.0, 1.0, 1.0, 1.0)))))));

        StreamSignals s = signals.read("orders", List.of(), Duration.ofMinutes(5));

        assertThat(s.errorRatePercent().missingCount()).isZero();
        assertThat(s.errorRatePercent().mean()).hasValue(0.0);
        wireMock.verify(2, postRequestedFor(urlEqualTo(PATH)));
    }

    @Test
    void throttlingThatOutlastsTheRetryBudgetSurfacesAsAnError() {
        wireMock.stubFor(post(urlEqualTo(PATH)).willReturn(throttled()));

        assertThatThrownBy(() -> signals.read("orders", List.of(), Duration.ofMinutes(5)))
                .isInstanceOf(CloudWatchException.class).hasMessageContaining("Rate exceeded");
        wireMock.verify(3, postRequestedFor(urlEqualTo(PATH)));
    }

    private static Instant at(int minute) {
        return FROM.plusSeconds(60L * minute);
    }

    private void stubOk(byte[] body) {
        wireMock.stubFor(post(urlEqualTo(PATH)).withHeader("smithy-protocol", equalTo("rpc-v2-cbor")).willReturn(ok(body)));
    }

    private static com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder ok(byte[] body) {
        return aResponse().withStatus(200).withHeader("Content-Type", "application/cbor")
                .withHeader("smithy-protocol", "rpc-v2-cbor").withBody(body);
    }

    private static com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder throttled() {
        byte[] body;
        try {
            body = CBOR.writeValueAsBytes(Map.of("__type", "com.amazonaws.cloudwatch#ThrottlingException",
                    "message", "Rate exceeded"));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return aResponse().withStatus(400).withHeader("Content-Type", "application/cbor")
                .withHeader("smithy-protocol", "rpc-v2-cbor").withHeader("x-amzn-query-error", "Throttling;Sender")
                .withBody(body);
    }

    private record Result(String id, List<Integer> minutes, List<Double> values) {
    }

    private static Result result(String id, List<Integer> minutes, List<Double> values) {
        return new Result(id, minutes, values);
    }

    /** GetMetricDataOutput: MetricDataResults[{Id, Label, Timestamps (tag 1), Values, StatusCode}], Messages. */
    private static byte[] cbor(List<Result> results) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (CBORGenerator g = new CBORFactory().createGenerator(out)) {
            g.writeStartObject();
            g.writeArrayFieldStart("MetricDataResults");
            for (Result r : results) {
                g.writeStartObject();
                g.writeStringField("Id", r.id());
                g.writeStringField("Label", r.id());
                g.writeArrayFieldStart("Timestamps");
                for (int m : r.minutes()) {
                    g.writeTag(1);
                    g.writeNumber((double) at(m).getEpochSecond());
                }
                g.writeEndArray();
                g.writeArrayFieldStart("Values");
                for (double v : r.values()) {
                    g.writeNumber(v);
                }
                g.writeEndArray();
                g.writeStringField("StatusCode", "Complete");
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeArrayFieldStart("Messages");
            g.writeEndArray();
            g.writeEndObject();
        }
        return out.toByteArray();
    }

}
