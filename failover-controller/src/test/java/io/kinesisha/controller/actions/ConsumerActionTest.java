package io.kinesisha.controller.actions;

import static com.github.tomakehurst.wiremock.client.WireMock.*;
import static io.kinesisha.controller.actions.LambdaWireMock.REGION;
import static io.kinesisha.controller.actions.LambdaWireMock.body;
import static io.kinesisha.controller.actions.LambdaWireMock.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Consumer moves through event source mappings, against WireMock speaking the Lambda REST-JSON API. */
class ConsumerActionTest {
    private static final String STREAM = "arn:aws:kinesis:us-east-2:111111111111:stream/orders";
    private static final String MAPPINGS = "/2015-03-31/event-source-mappings";
    private static final Instant POSITION = Instant.parse("2026-11-21T09:58:00Z");

    private final LambdaWireMock mock = new LambdaWireMock();

    @AfterEach
    void stop() {
        mock.close();
    }

    @Test
    void startCreatesAMappingAtTheTranslatedTimestampAndThenFindsItThere() {
        mock.server.stubFor(get(urlPathEqualTo(MAPPINGS)).inScenario("esm").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(json(200, "{\"EventSourceMappings\":[]}")));
        mock.server.stubFor(post(urlEqualTo(MAPPINGS)).inScenario("esm")
                .willReturn(json(202, mapping("u-1", "Creating"))).willSetStateTo("created"));
        mock.server.stubFor(get(urlPathEqualTo(MAPPINGS)).inScenario("esm").whenScenarioStateIs("created")
                .willReturn(json(200, "{\"EventSourceMappings\":[" + mapping("u-1", "Enabled") + "]}")));
        Action start = ConsumerAction.start(mock.lambda, REGION, "orders-consumer", STREAM, POSITION, 100);

        assertThat(start.describe()).singleElement().asString().contains("CreateEventSourceMapping",
                "StartingPosition=AT_TIMESTAMP", "StartingPositionTimestamp=2026-11-21T09:58:00Z");
        ActionResult created = start.execute();
        ActionResult again = start.execute();

        assertThat(created.changed()).isTrue();
        assertThat(created.outputs()).containsEntry("uuid", "u-1");
        assertThat(again.changed()).isFalse();
        mock.server.verify(1, postRequestedFor(urlEqualTo(MAPPINGS)));
        JsonNode sent = body(mock.server.findAll(postRequestedFor(urlEqualTo(MAPPINGS))).get(0));
        assertThat(sent.get("FunctionName").asText()).isEqualTo("orders-consumer");
        assertThat(sent.get("EventSourceArn").asText()).isEqualTo(STREAM);
        assertThat(sent.get("StartingPosition").asText()).isEqualTo("AT_TIMESTAMP");
        assertThat(sent.get("StartingPositionTimestamp").asDouble()).isEqualTo(POSITION.getEpochSecond());
        assertThat(sent.get("Enabled").asBoolean()).isTrue();
        mock.server.verify(getRequestedFor(urlPathEqualTo(MAPPINGS)).withQueryParam("FunctionName", equalTo("orders-consumer"))
                .withQueryParam("EventSourceArn", equalTo(STREAM)));
    }

    @Test
    void startEnablesADisabledMappingInsteadOfCreatingASecond() {
        mock.server.stubFor(get(urlPathEqualTo(MAPPINGS)).willReturn(json(200,
                "{\"EventSourceMappings\":[" + mapping("u-9", "Disabled") + "]}")));
        mock.server.stubFor(put(urlEqualTo(MAPPINGS + "/u-9")).willReturn(json(202, mapping("u-9", "Enabling"))));

        ActionResult r = ConsumerAction.start(mock.lambda, REGION, "orders-consumer", STREAM, POSITION, 100).execute();

        assertThat(r.changed()).isTrue();
        mock.server.verify(0, postRequestedFor(anyUrl()));
        mock.server.verify(1, putRequestedFor(urlEqualTo(MAPPINGS + "/u-9")).withRequestBody(matchingJsonPath("$.Enabled", equalTo("true"))));
    }

    @Test
    void stopDisablesEveryEnabledMappingFollowingPaginationAndSkipsDisabledOnes() {
        mock.server.stubFor(get(urlPathEqualTo(MAPPINGS)).withQueryParam("Marker", absent()).willReturn(json(200,
                "{\"EventSourceMappings\":[" + mapping("u-1", "Enabled") + "," + mapping("u-2", "Disabled")
                        + "],\"NextMarker\":\"page2\"}")));
        mock.server.stubFor(get(urlPathEqualTo(MAPPINGS)).withQueryParam("Marker", equalTo("page2")).willReturn(json(200,
                "{\"EventSourceMappings\":[" + mapping("u-3", "Enabled") + "]}")));
        mock.server.stubFor(put(urlPathMatching(MAPPINGS + "/u-.*")).willReturn(json(202, mapping("u-x", "Disabling"))));
        Action stop = ConsumerAction.stop(mock.lambda, REGION, "orders-consumer", STREAM);

        assertThat(stop.describe()).extracting(c -> c.parameters().get("UUID")).containsExactly("u-1", "u-3");
        mock.server.verify(0, putRequestedFor(anyUrl()));
        ActionResult r = stop.execute();

        assertThat(r.changed()).isTrue();
        mock.server.verify(1, putRequestedFor(urlEqualTo(MAPPINGS + "/u-1")).withRequestBody(matchingJsonPath("$.Enabled", equalTo("false"))));
        mock.server.verify(1, putRequestedFor(urlEqualTo(MAPPINGS + "/u-3")));
        mock.server.verify(0, putRequestedFor(urlEqualTo(MAPPINGS + "/u-2")));
    }

    @Test
    void stopWithNothingEnabledChangesNothing() {
        mock.server.stubFor(get(urlPathEqualTo(MAPPINGS)).willReturn(json(200,
                "{\"EventSourceMappings\":[" + mapping("u-2", "Disabled") + "]}")));

        ActionResult r = ConsumerAction.stop(mock.lambda, REGION, "orders-consumer", STREAM).execute();

        assertThat(r.changed()).isFalse();
        mock.server.verify(0, putRequestedFor(anyUrl()));
    }

    private static String mapping(String uuid, String state) {
        return "{\"UUID\":\"" + uuid + "\",\"State\":\"" + state + "\",\"EventSourceArn\":\"" + STREAM
                + "\",\"FunctionArn\":\"arn:aws:lambda:us-east-2:111111111111:function:orders-consumer\"}";
    }
}
