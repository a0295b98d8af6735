package io.kinesisha.controller.consumers;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.kinesisha.controller.health.RecordedMetricData.PATH;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;
import io.kinesisha.common.aws.ClientTuning;
import io.kinesisha.controller.health.CloudWatchStub;
import io.kinesisha.controller.health.RecordedMetricData;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A Lambda consumer's own position from its IteratorAge, against WireMock speaking CloudWatch's RPC v2 CBOR. */
class LambdaProgressTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-21T10:00:30Z"), ZoneOffset.UTC);

    @RegisterExtension
    final CloudWatchStub stub = new CloudWatchStub(new ClientTuning(Duration.ofSeconds(10), Duration.ofSeconds(5), 1));

    private final LambdaProgress progress = new LambdaProgress(stub.client, CLOCK, Duration.ofMinutes(15));

    @Test
    void aConsumerTwoMinutesBehindIsAtTheLastMinuteLessItsMaximumAge() throws IOException {
        stub.wireMock.stubFor(
                post(urlEqualTo(PATH)).willReturn(RecordedMetricData.response("lambda-consumer-behind.json")));

        ConsumerPosition p = progress.position("orders-consumer");

        assertThat(p.processedUpTo()).isEqualTo(Instant.parse("2026-11-21T09:57:00Z"));
        assertThat(p.basis()).contains("120000 ms");
        JsonNode sent = new CBORMapper()
                .readTree(stub.wireMock
                        .findAll(postRequestedFor(urlEqualTo(PATH)))
                        .get(0)
                        .getBody());
        JsonNode q = sent.at("/MetricDataQueries/0");
        assertThat(q.at("/MetricStat/Metric/Namespace").asText()).isEqualTo("AWS/Lambda");
        assertThat(q.at("/MetricStat/Metric/MetricName").asText()).isEqualTo("IteratorAge");
        assertThat(q.at("/MetricStat/Metric/Dimensions/0/Name").asText()).isEqualTo("FunctionName");
        assertThat(q.at("/MetricStat/Metric/Dimensions/0/Value").asText()).isEqualTo("orders-consumer");
        assertThat(q.at("/MetricStat/Stat").asText()).isEqualTo("Maximum");
        assertThat(q.at("/MetricStat/Period").asInt()).isEqualTo(60);
        assertThat(sent.get("EndTime").asLong())
                .as("includes the current minute")
                .isEqualTo(Instant.parse("2026-11-21T10:01:00Z").getEpochSecond());
        assertThat(sent.get("StartTime").asLong())
                .isEqualTo(Instant.parse("2026-11-21T09:46:00Z").getEpochSecond());
    }

    @Test
    void noBatchInTheWindowIsTheWindowsStart() {
        stub.wireMock.stubFor(
                post(urlEqualTo(PATH)).willReturn(RecordedMetricData.response("lambda-consumer-idle.json")));

        ConsumerPosition p = progress.position("orders-consumer");

        assertThat(p.processedUpTo()).isEqualTo(Instant.parse("2026-11-21T09:46:00Z"));
    }

    @Test
    void cloudWatchFailingLeavesThePositionUnknownWithTheReason() {
        stub.wireMock.stubFor(post(urlEqualTo(PATH))
                .withHeader("smithy-protocol", equalTo("rpc-v2-cbor"))
                .willReturn(aResponse().withStatus(503).withHeader("smithy-protocol", "rpc-v2-cbor")));

        ConsumerPosition p = progress.position("orders-consumer");

        assertThat(p.known()).isFalse();
        assertThat(p.basis()).contains("orders-consumer", "503");
    }
}
