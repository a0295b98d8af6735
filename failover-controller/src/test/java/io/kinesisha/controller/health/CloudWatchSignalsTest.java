package io.kinesisha.controller.health;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.kinesisha.controller.health.RecordedMetricData.PATH;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.kinesisha.common.aws.ClientTuning;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.cloudwatch.CloudWatchClient;
import software.amazon.awssdk.services.cloudwatch.model.CloudWatchException;

/**
 * The adapter against WireMock speaking what CloudWatch speaks to SDK 2.51.3: Smithy RPC v2 CBOR, answers recorded in
 * the GetMetricData output shape ({@link RecordedMetricData}).
 */
class CloudWatchSignalsTest {
    /** 10:07:30 with a 60 s publish delay and 60 s periods: window [10:01, 10:06), five periods. */
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-21T10:07:30Z"), ZoneOffset.UTC);

    private static final Instant FROM = Instant.parse("2026-11-21T10:01:00Z");
    private static final ObjectMapper CBOR = new CBORMapper();

    @RegisterExtension
    final CloudWatchStub stub = new CloudWatchStub(new ClientTuning(Duration.ofSeconds(20), Duration.ofSeconds(5), 3));

    private final WireMockServer wireMock = stub.wireMock;
    private final CloudWatchClient cloudWatch = stub.client;
    private final CloudWatchSignals signals =
            new CloudWatchSignals(cloudWatch, CLOCK, Duration.ofMinutes(1), Duration.ofMinutes(1));

    @Test
    void asksForCallsSuccessesRecordsAndThrottlingInOneCborRequestAndWeighsThemPerPeriod() throws IOException {
        wireMock.stubFor(post(urlEqualTo(PATH))
                .withHeader("smithy-protocol", equalTo("rpc-v2-cbor"))
                .willReturn(RecordedMetricData.response("healthy-busy.json")));

        StreamSignals s = signals.read("orders", List.of("kinesis-ha-replicator"), Duration.ofMinutes(5));

        assertThat(s.from()).isEqualTo(FROM);
        assertThat(s.to()).isEqualTo(FROM.plusSeconds(300));
        assertThat(s.window()).isEqualTo(new StreamSignals.Counts(5602, 0, 0));
        assertThat(s.errorRatePercent().values())
                .extracting(PeriodValue::start)
                .containsExactly(at(0), at(1), at(2), at(3), at(4));
        assertThat(s.errorRatePercent().values())
                .extracting(PeriodValue::value)
                .as("the last minute is not published yet: no calls, not an error")
                .containsExactly(0.0, 0.0, 0.0, 0.0, null);
        assertThat(s.iteratorAgeMillis().max()).hasValue(0.0);

        List<LoggedRequest> requests = wireMock.findAll(postRequestedFor(urlEqualTo(PATH)));
        assertThat(requests).hasSize(1);
        JsonNode body = CBOR.readTree(requests.get(0).getBody());
        assertThat(body.get("StartTime").asLong()).isEqualTo(FROM.getEpochSecond());
        assertThat(body.get("EndTime").asLong()).isEqualTo(FROM.plusSeconds(300).getEpochSecond());
        Map<String, JsonNode> byId = new HashMap<>();
        body.get("MetricDataQueries").forEach(q -> byId.put(q.get("Id").asText(), q));
        assertThat(byId)
                .containsOnlyKeys(
                        "putRecordCalls",
                        "putRecordOk",
                        "putRecordsRecords",
                        "putRecordsFailed",
                        "putRecordsThrottled",
                        "getRecordsCalls",
                        "getRecordsOk",
                        "readThrottled",
                        "writeThrottled",
                        "getRecordsAge",
                        "subscribeCalls0",
                        "subscribeOk0",
                        "subscribeBehind0");
        assertThat(stat(byId, "putRecordCalls")).isEqualTo("PutRecord.Success SampleCount");
        assertThat(stat(byId, "putRecordOk")).isEqualTo("PutRecord.Success Sum");
        assertThat(stat(byId, "putRecordsFailed")).isEqualTo("PutRecords.FailedRecords Sum");
        assertThat(stat(byId, "putRecordsThrottled")).isEqualTo("PutRecords.ThrottledRecords Sum");
        assertThat(stat(byId, "readThrottled")).isEqualTo("ReadProvisionedThroughputExceeded Sum");
        assertThat(stat(byId, "subscribeCalls0")).isEqualTo("SubscribeToShard.Success SampleCount");
        assertThat(byId.get("subscribeCalls0")
                        .get("MetricStat")
                        .get("Metric")
                        .get("Dimensions")
                        .toString())
                .contains("ConsumerName", "kinesis-ha-replicator");
        assertThat(byId.values()).allMatch(q -> q.get("ReturnData").asBoolean());
    }

    @Test
    void noDatapointsAtAllIsAnIdleStreamWithoutARate() throws IOException {
        wireMock.stubFor(post(urlEqualTo(PATH))
                .willReturn(RecordedMetricData.ok(RecordedMetricData.cbor(
                        CBOR.readTree(CBOR.writeValueAsBytes(Map.of("MetricDataResults", List.of())))))));

        StreamSignals s = signals.read("orders", List.of(), Duration.ofMinutes(5));

        assertThat(s.errorRatePercent().values()).hasSize(5).allMatch(PeriodValue::isMissing);
        assertThat(s.iteratorAgeMillis().missingCount()).isEqualTo(5);
        assertThat(s.window().errorRatePercent()).isEmpty();
    }

    @Test
    void throttlingIsRetriedBySdkAndTheSecondAnswerIsUsed() {
        wireMock.stubFor(post(urlEqualTo(PATH))
                .inScenario("throttle")
                .whenScenarioStateIs(Scenario.STARTED)
                .willReturn(RecordedMetricData.throttled())
                .willSetStateTo("recovered"));
        wireMock.stubFor(post(urlEqualTo(PATH))
                .inScenario("throttle")
                .whenScenarioStateIs("recovered")
                .willReturn(RecordedMetricData.response("putrecords-partial-failures.json")));

        StreamSignals s = signals.read("orders", List.of("kinesis-ha-replicator"), Duration.ofMinutes(5));

        assertThat(s.window()).isEqualTo(new StreamSignals.Counts(7002, 150, 0));
        wireMock.verify(2, postRequestedFor(urlEqualTo(PATH)));
    }

    @Test
    void throttlingThatOutlastsTheRetryBudgetSurfacesAsAnError() {
        wireMock.stubFor(post(urlEqualTo(PATH)).willReturn(RecordedMetricData.throttled()));

        assertThatThrownBy(() -> signals.read("orders", List.of(), Duration.ofMinutes(5)))
                .isInstanceOf(CloudWatchException.class)
                .hasMessageContaining("Rate exceeded");
        wireMock.verify(3, postRequestedFor(urlEqualTo(PATH)));
    }

    private static String stat(Map<String, JsonNode> byId, String id) {
        JsonNode stat = byId.get(id).get("MetricStat");
        return stat.get("Metric").get("MetricName").asText() + " "
                + stat.get("Stat").asText();
    }

    private static Instant at(int minute) {
        return FROM.plusSeconds(60L * minute);
    }
}
