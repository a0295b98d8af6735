package io.kinesisha.controller.actions;

import static com.github.tomakehurst.wiremock.client.WireMock.*;
import static io.kinesisha.controller.actions.LambdaWireMock.REGION;
import static io.kinesisha.controller.actions.LambdaWireMock.body;
import static io.kinesisha.controller.actions.LambdaWireMock.error;
import static io.kinesisha.controller.actions.LambdaWireMock.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.lambda.model.PreconditionFailedException;

/** Producer moves against WireMock speaking the Lambda REST-JSON API. */
class ProducerActionTest {
    private static final String CONFIG = "/2015-03-31/functions/orders-producer/configuration";
    private static final Map<String, String> TO_SECONDARY = Map.of("KINESIS_HA_ACTIVE_REGION", "us-east-2");

    private final LambdaWireMock mock = new LambdaWireMock();

    @AfterEach
    void stop() {
        mock.close();
    }

    @Test
    void redirectRereadsAfterA412AndKeepsTheConcurrentChange() {
        mock.server.stubFor(get(CONFIG)
                .inScenario("deploy")
                .whenScenarioStateIs(Scenario.STARTED)
                .willReturn(json(200, config("r1", "\"DB_URL\":\"db\",\"KINESIS_HA_ACTIVE_REGION\":\"us-west-2\""))));
        mock.server.stubFor(put(CONFIG)
                .inScenario("deploy")
                .whenScenarioStateIs(Scenario.STARTED)
                .willReturn(error(
                        412,
                        "PreconditionFailedException",
                        "The Revision Id provided does not match the latest Revision Id."))
                .willSetStateTo("deployed meanwhile"));
        mock.server.stubFor(get(CONFIG)
                .inScenario("deploy")
                .whenScenarioStateIs("deployed meanwhile")
                .willReturn(json(
                        200,
                        config(
                                "r2",
                                "\"DB_URL\":\"db\",\"FEATURE\":\"on\",\"KINESIS_HA_ACTIVE_REGION\":\"us-west-2\""))));
        mock.server.stubFor(put(CONFIG)
                .inScenario("deploy")
                .whenScenarioStateIs("deployed meanwhile")
                .willReturn(json(
                        200,
                        config(
                                "r3",
                                "\"DB_URL\":\"db\",\"FEATURE\":\"on\",\"KINESIS_HA_ACTIVE_REGION\":\"us-east-2\""))));

        ActionResult r = ProducerAction.redirect(mock.lambda, REGION, "orders-producer", TO_SECONDARY)
                .execute();

        assertThat(r.changed()).isTrue();
        assertThat(r.outputs()).containsEntry("revisionId", "r3").containsEntry("attempts", "2");
        List<LoggedRequest> puts = mock.server.findAll(putRequestedFor(urlEqualTo(CONFIG)));
        assertThat(puts).hasSize(2);
        JsonNode first = body(puts.get(0));
        JsonNode second = body(puts.get(1));
        assertThat(first.get("RevisionId").asText()).isEqualTo("r1");
        assertThat(second.get("RevisionId").asText()).isEqualTo("r2");
        // the whole map is sent: nothing of the other writer's deploy is lost
        assertThat(fields(second.get("Environment").get("Variables")))
                .containsExactlyInAnyOrderEntriesOf(
                        Map.of("DB_URL", "db", "FEATURE", "on", "KINESIS_HA_ACTIVE_REGION", "us-east-2"));
        assertThat(r.calls())
                .singleElement()
                .asString()
                .contains(
                        "UpdateFunctionConfiguration",
                        "RevisionId=r2",
                        "{KINESIS_HA_ACTIVE_REGION=us-east-2} + 2 unchanged");
    }

    @Test
    void redirectGivesUpAfterRepeatedConflicts() {
        mock.server.stubFor(
                get(CONFIG).willReturn(json(200, config("r1", "\"KINESIS_HA_ACTIVE_REGION\":\"us-west-2\""))));
        mock.server.stubFor(put(CONFIG).willReturn(error(412, "PreconditionFailedException", "revision changed")));

        assertThatThrownBy(() -> ProducerAction.redirect(mock.lambda, REGION, "orders-producer", TO_SECONDARY)
                        .execute())
                .isInstanceOf(PreconditionFailedException.class);
        mock.server.verify(ProducerAction.MAX_REVISION_CONFLICTS, putRequestedFor(urlEqualTo(CONFIG)));
    }

    @Test
    void redirectIsIdempotentAndItsDryRunNeverWrites() {
        mock.server.stubFor(
                get(CONFIG).willReturn(json(200, config("r7", "\"KINESIS_HA_ACTIVE_REGION\":\"us-west-2\""))));
        Action toWest = ProducerAction.redirect(
                mock.lambda, REGION, "orders-producer", Map.of("KINESIS_HA_ACTIVE_REGION", "us-west-2"));
        Action toEast = ProducerAction.redirect(mock.lambda, REGION, "orders-producer", TO_SECONDARY);

        ActionResult again = toWest.execute();
        List<ApiCall> dryRun = toEast.describe();

        assertThat(again.changed()).isFalse();
        assertThat(toWest.describe()).isEmpty();
        assertThat(dryRun).singleElement().satisfies(c -> {
            assertThat(c.operation()).isEqualTo("UpdateFunctionConfiguration");
            assertThat(c.region()).isEqualTo(REGION);
            assertThat(c.parameters())
                    .containsEntry("FunctionName", "orders-producer")
                    .containsEntry("RevisionId", "r7");
        });
        mock.server.verify(0, putRequestedFor(anyUrl()));
    }

    @Test
    void pauseSavesTheReservedConcurrencyAndResumeRestoresIt() {
        String get = "/2019-09-30/functions/orders-producer/concurrency";
        String set = "/2017-10-31/functions/orders-producer/concurrency";
        mock.server.stubFor(get(get).inScenario("c")
                .whenScenarioStateIs(Scenario.STARTED)
                .willReturn(json(200, "{\"ReservedConcurrentExecutions\":7}")));
        mock.server.stubFor(put(set).withRequestBody(equalToJson("{\"ReservedConcurrentExecutions\":0}"))
                .inScenario("c")
                .willReturn(json(200, "{\"ReservedConcurrentExecutions\":0}"))
                .willSetStateTo("paused"));
        mock.server.stubFor(get(get).inScenario("c")
                .whenScenarioStateIs("paused")
                .willReturn(json(200, "{\"ReservedConcurrentExecutions\":0}")));
        mock.server.stubFor(put(set).withRequestBody(equalToJson("{\"ReservedConcurrentExecutions\":7}"))
                .inScenario("c")
                .willReturn(json(200, "{\"ReservedConcurrentExecutions\":7}"))
                .willSetStateTo(Scenario.STARTED));

        Action pause = ProducerAction.pause(mock.lambda, REGION, "orders-producer");
        assertThat(pause.describe())
                .singleElement()
                .asString()
                .contains("PutFunctionConcurrency", "ReservedConcurrentExecutions=0");
        ActionResult paused = pause.execute();
        ActionResult pausedAgain = pause.execute();
        String previous = paused.outputs().get(ProducerAction.PREVIOUS_CONCURRENCY);
        ActionResult resumed = ProducerAction.resume(mock.lambda, REGION, "orders-producer", previous)
                .execute();
        ActionResult resumedAgain = ProducerAction.resume(mock.lambda, REGION, "orders-producer", previous)
                .execute();

        assertThat(previous).isEqualTo("7");
        assertThat(paused.changed()).isTrue();
        assertThat(pausedAgain.changed()).isFalse();
        assertThat(resumed.changed()).isTrue();
        assertThat(resumedAgain.changed()).as("7 is not 0: nothing to resume").isFalse();
        mock.server.verify(
                1,
                putRequestedFor(urlEqualTo(set)).withRequestBody(equalToJson("{\"ReservedConcurrentExecutions\":0}")));
        mock.server.verify(
                1,
                putRequestedFor(urlEqualTo(set)).withRequestBody(equalToJson("{\"ReservedConcurrentExecutions\":7}")));
    }

    @Test
    void resumeWithoutASavedValueDeletesTheSetting() {
        mock.server.stubFor(get("/2019-09-30/functions/orders-producer/concurrency")
                .willReturn(json(200, "{\"ReservedConcurrentExecutions\":0}")));
        mock.server.stubFor(delete("/2017-10-31/functions/orders-producer/concurrency")
                .willReturn(aResponse().withStatus(204)));

        ActionResult r = ProducerAction.resume(mock.lambda, REGION, "orders-producer", "none")
                .execute();

        assertThat(r.calls()).singleElement().asString().startsWith("lambda:DeleteFunctionConcurrency [us-east-2]");
        mock.server.verify(1, deleteRequestedFor(urlEqualTo("/2017-10-31/functions/orders-producer/concurrency")));
    }

    private static String config(String revision, String variables) {
        return "{\"FunctionName\":\"orders-producer\",\"RevisionId\":\"" + revision
                + "\",\"Environment\":{\"Variables\":{" + variables + "}}}";
    }

    private static Map<String, String> fields(JsonNode node) {
        Map<String, String> m = new java.util.TreeMap<>();
        node.fields().forEachRemaining(e -> m.put(e.getKey(), e.getValue().asText()));
        return m;
    }
}
