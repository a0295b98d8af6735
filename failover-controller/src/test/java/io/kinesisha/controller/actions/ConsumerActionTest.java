package io.kinesisha.controller.actions;

import static com.github.tomakehurst.wiremock.client.WireMock.*;
import static io.kinesisha.controller.actions.LambdaWireMock.REGION;
import static io.kinesisha.controller.actions.LambdaWireMock.body;
import static io.kinesisha.controller.actions.LambdaWireMock.error;
import static io.kinesisha.controller.actions.LambdaWireMock.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.lambda.model.EventSourceMappingConfiguration;
import software.amazon.awssdk.services.lambda.model.FunctionResponseType;

/** Consumer moves through event source mappings, against WireMock speaking the Lambda REST-JSON API. */
class ConsumerActionTest {
    private static final String STREAM = "arn:aws:kinesis:us-east-2:111111111111:stream/orders";
    private static final String MAPPINGS = "/2015-03-31/event-source-mappings";
    private static final Instant POSITION = Instant.parse("2026-11-21T09:58:00Z");
    private static final String EFO_CONSUMER = STREAM + "/consumer/orders-efo:1763715600";

    private final LambdaWireMock mock = new LambdaWireMock();

    @AfterEach
    void stop() {
        mock.close();
    }

    @Test
    void startCreatesAMappingAtTheTranslatedTimestampAndThenFindsItThere() {
        mock.server.stubFor(get(urlPathEqualTo(MAPPINGS))
                .inScenario("esm")
                .whenScenarioStateIs(Scenario.STARTED)
                .willReturn(json(200, "{\"EventSourceMappings\":[]}")));
        mock.server.stubFor(post(urlEqualTo(MAPPINGS))
                .inScenario("esm")
                .willReturn(json(202, mapping("u-1", "Creating")))
                .willSetStateTo("created"));
        mock.server.stubFor(get(urlPathEqualTo(MAPPINGS))
                .inScenario("esm")
                .whenScenarioStateIs("created")
                .willReturn(json(200, "{\"EventSourceMappings\":[" + mapping("u-1", "Enabled") + "]}")));
        Action start = ConsumerAction.start(mock.lambda, REGION, "orders-consumer", STREAM, POSITION, 100);

        assertThat(start.describe())
                .singleElement()
                .asString()
                .contains(
                        "CreateEventSourceMapping",
                        "StartingPosition=AT_TIMESTAMP",
                        "StartingPositionTimestamp=2026-11-21T09:58:00Z");
        ActionResult created = start.execute();
        ActionResult again = start.execute();

        assertThat(created.changed()).isTrue();
        assertThat(created.outputs()).containsEntry("uuid", "u-1");
        assertThat(again.changed()).isFalse();
        mock.server.verify(1, postRequestedFor(urlEqualTo(MAPPINGS)));
        JsonNode sent =
                body(mock.server.findAll(postRequestedFor(urlEqualTo(MAPPINGS))).get(0));
        assertThat(sent.get("FunctionName").asText()).isEqualTo("orders-consumer");
        assertThat(sent.get("EventSourceArn").asText()).isEqualTo(STREAM);
        assertThat(sent.get("StartingPosition").asText()).isEqualTo("AT_TIMESTAMP");
        assertThat(sent.get("StartingPositionTimestamp").asDouble()).isEqualTo(POSITION.getEpochSecond());
        assertThat(sent.get("Enabled").asBoolean()).isTrue();
        mock.server.verify(getRequestedFor(urlPathEqualTo(MAPPINGS))
                .withQueryParam("FunctionName", equalTo("orders-consumer"))
                .withQueryParam("EventSourceArn", absent()));
    }

    @Test
    void startRecreatesAnExistingMappingAtTheNewPositionKeepingItsSettingsInsteadOfEnablingIt() {
        mock.server.stubFor(get(urlPathEqualTo(MAPPINGS))
                .inScenario("esm")
                .whenScenarioStateIs(Scenario.STARTED)
                .willReturn(json(200, "{\"EventSourceMappings\":[" + configured("u-9", STREAM, "Disabled") + "]}")));
        mock.server.stubFor(
                put(urlEqualTo(MAPPINGS + "/u-9")).willReturn(json(202, configured("u-9", STREAM, "Enabling"))));
        mock.server.stubFor(delete(urlEqualTo(MAPPINGS + "/u-9"))
                .inScenario("esm")
                .willReturn(json(202, configured("u-9", STREAM, "Deleting")))
                .willSetStateTo("deleting"));
        mock.server.stubFor(get(urlEqualTo(MAPPINGS + "/u-9"))
                .inScenario("esm")
                .whenScenarioStateIs("deleting")
                .willReturn(json(200, configured("u-9", STREAM, "Deleting")))
                .willSetStateTo("deleted"));
        mock.server.stubFor(get(urlEqualTo(MAPPINGS + "/u-9"))
                .inScenario("esm")
                .whenScenarioStateIs("deleted")
                .willReturn(error(404, "ResourceNotFoundException", "The resource you requested does not exist.")));
        mock.server.stubFor(post(urlEqualTo(MAPPINGS))
                .inScenario("esm")
                .whenScenarioStateIs("deleted")
                .willReturn(json(202, mapping("u-10", "Creating"))));

        ActionResult r = ConsumerAction.start(
                        mock.lambda,
                        REGION,
                        "orders-consumer",
                        STREAM,
                        POSITION,
                        100,
                        Optional::empty,
                        null,
                        Duration.ofMillis(10),
                        Duration.ofSeconds(5))
                .execute();

        assertThat(r.changed()).isTrue();
        assertThat(r.outputs()).containsEntry("uuid", "u-10").containsEntry("replaced", "u-9");
        mock.server.verify(0, putRequestedFor(anyUrl()));
        mock.server.verify(1, deleteRequestedFor(urlEqualTo(MAPPINGS + "/u-9")));
        JsonNode sent =
                body(mock.server.findAll(postRequestedFor(urlEqualTo(MAPPINGS))).get(0));
        assertThat(sent.get("StartingPosition").asText()).isEqualTo("AT_TIMESTAMP");
        assertThat(sent.get("StartingPositionTimestamp").asDouble()).isEqualTo(POSITION.getEpochSecond());
        assertThat(sent.get("EventSourceArn").asText()).isEqualTo(STREAM);
        assertKeptSettings(sent);
    }

    @Test
    void aMappingThatReadsThroughAnEfoConsumerIsFoundAndRecreatedOnTheSameConsumer() {
        String consumer = EFO_CONSUMER;
        listingFilteredByTheStreamFindsNoEfoMapping();
        mock.server.stubFor(get(urlPathEqualTo(MAPPINGS))
                .withQueryParam("EventSourceArn", absent())
                .inScenario("efo")
                .whenScenarioStateIs(Scenario.STARTED)
                .willReturn(json(200, "{\"EventSourceMappings\":[" + configured("u-7", consumer, "Enabled") + "]}")));
        mock.server.stubFor(delete(urlEqualTo(MAPPINGS + "/u-7"))
                .inScenario("efo")
                .willReturn(json(202, configured("u-7", consumer, "Deleting")))
                .willSetStateTo("deleted"));
        mock.server.stubFor(get(urlEqualTo(MAPPINGS + "/u-7"))
                .inScenario("efo")
                .whenScenarioStateIs("deleted")
                .willReturn(error(404, "ResourceNotFoundException", "The resource you requested does not exist.")));
        mock.server.stubFor(post(urlEqualTo(MAPPINGS)).willReturn(json(202, mapping("u-8", "Creating"))));

        ActionResult r = ConsumerAction.start(
                        mock.lambda,
                        REGION,
                        "orders-consumer",
                        STREAM,
                        POSITION,
                        100,
                        Optional::empty,
                        null,
                        Duration.ofMillis(10),
                        Duration.ofSeconds(5))
                .execute();

        assertThat(r.outputs()).containsEntry("uuid", "u-8");
        mock.server.verify(1, deleteRequestedFor(urlEqualTo(MAPPINGS + "/u-7")));
        mock.server.verify(1, postRequestedFor(urlEqualTo(MAPPINGS)));
        JsonNode sent =
                body(mock.server.findAll(postRequestedFor(urlEqualTo(MAPPINGS))).get(0));
        assertThat(sent.get("EventSourceArn").asText())
                .as("still through the EFO consumer")
                .isEqualTo(consumer);
        assertThat(sent.get("StartingPositionTimestamp").asDouble()).isEqualTo(POSITION.getEpochSecond());
        assertKeptSettings(sent);
    }

    @Test
    void aMappingAlreadyAtTheRequestedTimestampIsKeptSoARerunChangesNothing() {
        mock.server.stubFor(get(urlPathEqualTo(MAPPINGS))
                .willReturn(json(
                        200,
                        "{\"EventSourceMappings\":["
                                + configured("u-10", STREAM, "Enabled")
                                        .replace(
                                                "\"StartingPosition\": \"LATEST\"",
                                                "\"StartingPosition\": \"AT_TIMESTAMP\", \"StartingPositionTimestamp\": "
                                                        + POSITION.getEpochSecond())
                                + "]}")));

        Action start = ConsumerAction.start(
                mock.lambda,
                REGION,
                "orders-consumer",
                STREAM,
                POSITION,
                100,
                Optional::empty,
                null,
                Duration.ofMillis(10),
                Duration.ofSeconds(5));

        assertThat(start.describe()).isEmpty();
        assertThat(start.execute().changed()).isFalse();
        mock.server.verify(0, deleteRequestedFor(anyUrl()));
        mock.server.verify(0, postRequestedFor(anyUrl()));
        mock.server.verify(0, putRequestedFor(anyUrl()));
    }

    @Test
    void aRerunKeepsTheMappingThisOperationCreatedButRecreatesAnOlderOneAtAnotherTimestamp() {
        Instant operationStart = Instant.parse("2026-11-21T10:00:00Z");
        String earlier = configured("u-5", STREAM, "Enabled")
                .replace(
                        "\"StartingPosition\": \"LATEST\"",
                        "\"StartingPosition\": \"AT_TIMESTAMP\", \"StartingPositionTimestamp\": "
                                + POSITION.minusSeconds(60).getEpochSecond());
        mock.server.stubFor(get(urlPathEqualTo(MAPPINGS))
                .willReturn(json(
                        200,
                        "{\"EventSourceMappings\":["
                                + earlier.replace(
                                        "1763712000.0",
                                        Long.toString(
                                                operationStart.plusSeconds(30).getEpochSecond()))
                                + "]}")));

        ActionResult kept = ConsumerAction.start(
                        mock.lambda,
                        REGION,
                        "orders-consumer",
                        STREAM,
                        POSITION,
                        100,
                        Optional::empty,
                        operationStart,
                        Duration.ofMillis(10),
                        Duration.ofSeconds(5))
                .execute();

        assertThat(kept.changed()).isFalse();
        mock.server.verify(0, deleteRequestedFor(anyUrl()));

        mock.server.resetAll();
        mock.server.stubFor(
                get(urlPathEqualTo(MAPPINGS)).willReturn(json(200, "{\"EventSourceMappings\":[" + earlier + "]}")));
        mock.server.stubFor(
                delete(urlEqualTo(MAPPINGS + "/u-5")).willReturn(json(202, configured("u-5", STREAM, "Deleting"))));
        mock.server.stubFor(get(urlEqualTo(MAPPINGS + "/u-5"))
                .willReturn(error(404, "ResourceNotFoundException", "The resource you requested does not exist.")));
        mock.server.stubFor(post(urlEqualTo(MAPPINGS)).willReturn(json(202, mapping("u-6", "Creating"))));

        ActionResult replaced = ConsumerAction.start(
                        mock.lambda,
                        REGION,
                        "orders-consumer",
                        STREAM,
                        POSITION,
                        100,
                        Optional::empty,
                        operationStart,
                        Duration.ofMillis(10),
                        Duration.ofSeconds(5))
                .execute();

        assertThat(replaced.outputs()).as("a mapping of an earlier switch").containsEntry("replaced", "u-5");
    }

    @Test
    void withoutAMappingInTheTargetTheSourceRegionsMappingIsTheTemplate() {
        mock.server.stubFor(get(urlPathEqualTo(MAPPINGS)).willReturn(json(200, "{\"EventSourceMappings\":[]}")));
        mock.server.stubFor(post(urlEqualTo(MAPPINGS)).willReturn(json(202, mapping("u-1", "Creating"))));
        EventSourceMappingConfiguration source = EventSourceMappingConfiguration.builder()
                .uuid("src-1")
                .eventSourceArn("arn:aws:kinesis:us-west-2:111111111111:stream/orders")
                .batchSize(500)
                .bisectBatchOnFunctionError(true)
                .maximumRetryAttempts(3)
                .maximumRecordAgeInSeconds(3600)
                .parallelizationFactor(2)
                .maximumBatchingWindowInSeconds(5)
                .functionResponseTypes(FunctionResponseType.REPORT_BATCH_ITEM_FAILURES)
                .filterCriteria(f -> f.filters(x -> x.pattern("{\"data\":{\"type\":[\"order\"]}}")))
                .destinationConfig(
                        d -> d.onFailure(o -> o.destination("arn:aws:sqs:us-east-2:111111111111:orders-dlq")))
                .build();

        ActionResult r = ConsumerAction.start(
                        mock.lambda,
                        REGION,
                        "orders-consumer",
                        STREAM,
                        POSITION,
                        100,
                        () -> Optional.of(source),
                        null,
                        Duration.ofMillis(10),
                        Duration.ofSeconds(5))
                .execute();

        assertThat(r.outputs()).containsEntry("uuid", "u-1").containsEntry("settings", "from src-1");
        JsonNode sent =
                body(mock.server.findAll(postRequestedFor(urlEqualTo(MAPPINGS))).get(0));
        assertThat(sent.get("EventSourceArn").asText()).isEqualTo(STREAM);
        assertKeptSettings(sent);
    }

    @Test
    void stopDisablesEveryEnabledMappingFollowingPaginationAndSkipsDisabledOnes() {
        mock.server.stubFor(get(urlPathEqualTo(MAPPINGS))
                .withQueryParam("Marker", absent())
                .willReturn(json(
                        200,
                        "{\"EventSourceMappings\":[" + mapping("u-1", "Enabled") + "," + mapping("u-2", "Disabled")
                                + "],\"NextMarker\":\"page2\"}")));
        mock.server.stubFor(get(urlPathEqualTo(MAPPINGS))
                .withQueryParam("Marker", equalTo("page2"))
                .willReturn(json(200, "{\"EventSourceMappings\":[" + mapping("u-3", "Enabled") + "]}")));
        mock.server.stubFor(
                put(urlPathMatching(MAPPINGS + "/u-.*")).willReturn(json(202, mapping("u-x", "Disabling"))));
        Action stop = ConsumerAction.stop(mock.lambda, REGION, "orders-consumer", STREAM);

        assertThat(stop.describe()).extracting(c -> c.parameters().get("UUID")).containsExactly("u-1", "u-3");
        mock.server.verify(0, putRequestedFor(anyUrl()));
        ActionResult r = stop.execute();

        assertThat(r.changed()).isTrue();
        mock.server.verify(
                1,
                putRequestedFor(urlEqualTo(MAPPINGS + "/u-1"))
                        .withRequestBody(matchingJsonPath("$.Enabled", equalTo("false"))));
        mock.server.verify(1, putRequestedFor(urlEqualTo(MAPPINGS + "/u-3")));
        mock.server.verify(0, putRequestedFor(urlEqualTo(MAPPINGS + "/u-2")));
    }

    @Test
    void stopAlsoDisablesAMappingThatReadsThroughAnEfoConsumerButNotOneOfAnotherStream() {
        String consumer = EFO_CONSUMER;
        listingFilteredByTheStreamFindsNoEfoMapping();
        mock.server.stubFor(get(urlPathEqualTo(MAPPINGS))
                .withQueryParam("EventSourceArn", absent())
                .willReturn(json(
                        200,
                        "{\"EventSourceMappings\":[" + configured("u-7", consumer, "Enabled") + ","
                                + configured("u-8", STREAM + "-audit", "Enabled") + "]}")));
        mock.server.stubFor(put(urlPathMatching(MAPPINGS + "/u-.*"))
                .willReturn(json(202, configured("u-7", consumer, "Disabling"))));

        ActionResult r = ConsumerAction.stop(mock.lambda, REGION, "orders-consumer", STREAM)
                .execute();

        assertThat(r.changed()).isTrue();
        mock.server.verify(
                1,
                putRequestedFor(urlEqualTo(MAPPINGS + "/u-7"))
                        .withRequestBody(matchingJsonPath("$.Enabled", equalTo("false"))));
        mock.server.verify(0, putRequestedFor(urlEqualTo(MAPPINGS + "/u-8")));
    }

    @Test
    void stopWithNothingEnabledChangesNothing() {
        mock.server.stubFor(get(urlPathEqualTo(MAPPINGS))
                .willReturn(json(200, "{\"EventSourceMappings\":[" + mapping("u-2", "Disabled") + "]}")));

        ActionResult r = ConsumerAction.stop(mock.lambda, REGION, "orders-consumer", STREAM)
                .execute();

        assertThat(r.changed()).isFalse();
        mock.server.verify(0, putRequestedFor(anyUrl()));
    }

    /** The API filters a listing by EventSourceArn exactly: asked for the stream, it leaves out the EFO mappings. */
    private void listingFilteredByTheStreamFindsNoEfoMapping() {
        mock.server.stubFor(get(urlPathEqualTo(MAPPINGS))
                .withQueryParam("EventSourceArn", equalTo(STREAM))
                .willReturn(json(200, "{\"EventSourceMappings\":[]}")));
    }

    private static void assertKeptSettings(JsonNode sent) {
        assertThat(sent.get("FunctionName").asText()).isEqualTo("orders-consumer");
        assertThat(sent.get("Enabled").asBoolean()).isTrue();
        assertThat(sent.get("BatchSize").asInt()).isEqualTo(500);
        assertThat(sent.get("MaximumBatchingWindowInSeconds").asInt()).isEqualTo(5);
        assertThat(sent.get("ParallelizationFactor").asInt()).isEqualTo(2);
        assertThat(sent.get("BisectBatchOnFunctionError").asBoolean()).isTrue();
        assertThat(sent.get("MaximumRetryAttempts").asInt()).isEqualTo(3);
        assertThat(sent.get("MaximumRecordAgeInSeconds").asInt()).isEqualTo(3600);
        assertThat(sent.at("/FunctionResponseTypes/0").asText()).isEqualTo("ReportBatchItemFailures");
        assertThat(sent.at("/FilterCriteria/Filters/0/Pattern").asText())
                .isEqualTo("{\"data\":{\"type\":[\"order\"]}}");
        assertThat(sent.at("/DestinationConfig/OnFailure/Destination").asText())
                .isEqualTo("arn:aws:sqs:us-east-2:111111111111:orders-dlq");
    }

    /** A Kinesis mapping as GetEventSourceMapping returns it (the API reference's response shape). */
    private static String configured(String uuid, String source, String state) {
        return """
                {"BatchSize": 500, "BisectBatchOnFunctionError": true,
                 "DestinationConfig": {"OnFailure": {"Destination": "arn:aws:sqs:us-east-2:111111111111:orders-dlq"}},
                 "EventSourceArn": "%s",
                 "EventSourceMappingArn": "arn:aws:lambda:us-east-2:111111111111:event-source-mapping:%s",
                 "FilterCriteria": {"Filters": [{"Pattern": "{\\"data\\":{\\"type\\":[\\"order\\"]}}"}]},
                 "FunctionArn": "arn:aws:lambda:us-east-2:111111111111:function:orders-consumer",
                 "FunctionResponseTypes": ["ReportBatchItemFailures"],
                 "LastModified": 1763712000.0, "LastProcessingResult": "OK",
                 "MaximumBatchingWindowInSeconds": 5, "MaximumRecordAgeInSeconds": 3600, "MaximumRetryAttempts": 3,
                 "ParallelizationFactor": 2, "StartingPosition": "LATEST", "State": "%s",
                 "StateTransitionReason": "User action", "TumblingWindowInSeconds": 0, "UUID": "%s"}
                """.formatted(source, uuid, state, uuid);
    }

    /** A mapping created at {@link #POSITION}, as CreateEventSourceMapping and the listing return it. */
    private static String mapping(String uuid, String state) {
        return "{\"UUID\":\"" + uuid + "\",\"State\":\"" + state + "\",\"EventSourceArn\":\"" + STREAM
                + "\",\"StartingPosition\":\"AT_TIMESTAMP\",\"StartingPositionTimestamp\":" + POSITION.getEpochSecond()
                + ",\"BatchSize\":100"
                + ",\"FunctionArn\":\"arn:aws:lambda:us-east-2:111111111111:function:orders-consumer\"}";
    }
}
