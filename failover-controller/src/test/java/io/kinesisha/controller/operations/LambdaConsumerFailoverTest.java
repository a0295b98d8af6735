package io.kinesisha.controller.operations;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.delete;
import static com.github.tomakehurst.wiremock.client.WireMock.deleteRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.putRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import io.kinesisha.common.control.AuditEntry;
import io.kinesisha.common.control.ControlRecord;
import io.kinesisha.common.control.ReplicationDirection;
import io.kinesisha.common.control.ShardProgress;
import io.kinesisha.controller.health.RecordedMetricData;
import io.kinesisha.testkit.LocalEnvironment;
import io.kinesisha.testkit.LocalEnvironmentExtension;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.PutRecordResponse;

/**
 * A failover moving a Lambda consumer that was two minutes behind, with an idle source shard: Kinesis and the control
 * table on the local environment, Lambda (REST-JSON) and CloudWatch (RPC v2 CBOR) on one WireMock. The mapping in
 * the secondary is recreated at the consumer's own position less the margin, not enabled at its old one.
 */
class LambdaConsumerFailoverTest {
    @RegisterExtension
    static final LocalEnvironmentExtension LOCAL = new LocalEnvironmentExtension();

    private static final String MAPPINGS = "/2015-03-31/event-source-mappings";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final WireMockServer aws = new WireMockServer(wireMockConfig().dynamicPort());
    private PairContext ctx;

    @AfterEach
    void close() {
        if (ctx != null) {
            ctx.close();
        }
        aws.stop();
    }

    @Test
    void aConsumerTwoMinutesBehindIsRecreatedAtItsOwnPositionAndAnIdleShardDoesNotDragItBack() throws Exception {
        aws.start();
        LocalEnvironment env = LOCAL.env();
        LocalPair pair = new LocalPair(
                env,
                "lfo",
                2,
                Map.of(
                        "consumers.lambda-functions",
                        "orders-consumer",
                        "replication.sink-request-timeout-ms",
                        "1000",
                        "failover.fence-settle-ms",
                        "4000"));
        ctx = PairContext.open(pair.config, "test", Clock.systemUTC(), URI.create(aws.baseUrl()));
        ctx.store().createTableIfMissing();
        ctx.store()
                .create(ControlRecord.initial(
                        "lfo", env.primary().name(), env.secondary().name(), Instant.now()));
        ReplicationDirection forward = new ReplicationDirection(ctx.primaryRegion(), ctx.secondaryRegion());
        KinesisClient secondary = ctx.kinesis(ctx.secondaryRegion());
        long now = System.currentTimeMillis();
        long[] lastArrival = {now - 2_000, now - Duration.ofHours(3).toMillis()};
        for (int shard = 0; shard < 2; shard++) {
            String sourceShard = "shardId-00000000000" + shard;
            PutRecordResponse copy = secondary.putRecord(b -> b.streamARN(ctx.streamArn(ctx.secondaryRegion()))
                    .partitionKey("k" + sourceShard)
                    .data(SdkBytes.fromUtf8String("copy")));
            ctx.store()
                    .putProgress(new ShardProgress(
                            "lfo",
                            forward,
                            1,
                            sourceShard,
                            "4960000000000000000000000000" + shard,
                            lastArrival[shard],
                            0,
                            copy.shardId(),
                            copy.sequenceNumber(),
                            10,
                            3,
                            false,
                            now));
        }
        Instant minute = Instant.now().truncatedTo(ChronoUnit.MINUTES);
        Instant position = minute.minusSeconds(120);
        aws.stubFor(post(urlEqualTo(RecordedMetricData.PATH))
                .willReturn(RecordedMetricData.ok(RecordedMetricData.cbor(JSON.readTree(
                        "{\"MetricDataResults\":[{\"Id\":\"iteratorAge\",\"Label\":\"IteratorAge\",\"Timestamps\":[\""
                                + minute + "\",\"" + minute.minusSeconds(60) + "\"],\"Values\":[120000.0,118000.0],"
                                + "\"StatusCode\":\"Complete\"}],\"Messages\":[]}")))));
        String stale = mapping("u-old", ctx.streamArn(ctx.secondaryRegion()), "Disabled");
        aws.stubFor(get(urlPathEqualTo(MAPPINGS))
                .inScenario("esm")
                .whenScenarioStateIs(Scenario.STARTED)
                .willReturn(json(200, "{\"EventSourceMappings\":[" + stale + "]}")));
        aws.stubFor(delete(urlEqualTo(MAPPINGS + "/u-old"))
                .inScenario("esm")
                .willReturn(json(202, stale.replace("Disabled", "Deleting")))
                .willSetStateTo("deleted"));
        aws.stubFor(get(urlEqualTo(MAPPINGS + "/u-old"))
                .inScenario("esm")
                .whenScenarioStateIs("deleted")
                .willReturn(json(404, "{\"Type\":\"User\",\"message\":\"The resource you requested does not exist.\"}")
                        .withHeader("X-Amzn-ErrorType", "ResourceNotFoundException")));
        aws.stubFor(get(urlPathEqualTo(MAPPINGS))
                .inScenario("esm")
                .whenScenarioStateIs("deleted")
                .willReturn(json(200, "{\"EventSourceMappings\":[]}")));
        aws.stubFor(post(urlEqualTo(MAPPINGS))
                .willReturn(json(202, mapping("u-new", ctx.streamArn(ctx.secondaryRegion()), "Creating"))));

        OperationDriver.Report report = new OperationDriver(ctx, l -> {}).failover("drill");

        assertThat(report.result()).as(report.message()).isEqualTo(OperationDriver.Result.COMPLETED);
        aws.verify(0, putRequestedFor(anyUrl()));
        aws.verify(1, deleteRequestedFor(urlEqualTo(MAPPINGS + "/u-old")));
        JsonNode created = JSON.readTree(
                aws.findAll(postRequestedFor(urlEqualTo(MAPPINGS))).get(0).getBodyAsString());
        assertThat(created.get("StartingPosition").asText()).isEqualTo("AT_TIMESTAMP");
        assertThat(Instant.ofEpochSecond(
                        created.get("StartingPositionTimestamp").asLong()))
                .as("its own position (09:58 when the outage is at 10:00) less the 5 s margin, not hours back")
                .isEqualTo(position.minusSeconds(5));
        assertThat(created.get("BatchSize").asInt())
                .as("the replaced mapping's batch size")
                .isEqualTo(500);
        AuditEntry started = ctx.store().readAudit("lfo", 100).stream()
                .filter(a -> a.message().equals("completed step START_CONSUMERS"))
                .findFirst()
                .orElseThrow();
        assertThat(started.evidence())
                .containsEntry("consumer.orders-consumer.marginMillis", "5000")
                .containsEntry(
                        "consumer.orders-consumer.startTimestamp",
                        position.minusSeconds(5).toString())
                .hasEntrySatisfying(
                        "consumer.orders-consumer.startMethod",
                        m -> assertThat(m).contains("behind on [shardId-000000000000]"))
                .hasEntrySatisfying("consumers.kind.lambda", k -> assertThat(k).contains("skips 0"));
    }

    @Test
    void withoutAMappingInTheSecondaryThePrimarysEfoMappingIsTheTemplateOnTheSecondarysConsumerOfTheSameName()
            throws Exception {
        aws.start();
        LocalEnvironment env = LOCAL.env();
        LocalPair pair = new LocalPair(
                env,
                "lefo",
                1,
                Map.of(
                        "consumers.lambda-functions",
                        "orders-consumer",
                        "replication.sink-request-timeout-ms",
                        "1000",
                        "failover.fence-settle-ms",
                        "4000"));
        ctx = PairContext.open(pair.config, "test", Clock.systemUTC(), URI.create(aws.baseUrl()));
        ctx.store().createTableIfMissing();
        ctx.store()
                .create(ControlRecord.initial(
                        "lefo", env.primary().name(), env.secondary().name(), Instant.now()));
        String secondaryConsumer = ctx.kinesis(ctx.secondaryRegion())
                .registerStreamConsumer(
                        b -> b.streamARN(ctx.streamArn(ctx.secondaryRegion())).consumerName("orders-efo"))
                .consumer()
                .consumerARN();
        aws.stubFor(post(urlEqualTo(RecordedMetricData.PATH))
                .willReturn(RecordedMetricData.ok(
                        RecordedMetricData.cbor(JSON.readTree("{\"MetricDataResults\":[],\"Messages\":[]}")))));
        String primaryMapping =
                mapping("u-primary", ctx.streamArn(ctx.primaryRegion()) + "/consumer/orders-efo:1763715600", "Enabled");
        aws.stubFor(get(urlPathEqualTo(MAPPINGS))
                .willReturn(json(200, "{\"EventSourceMappings\":[" + primaryMapping + "]}")));
        aws.stubFor(post(urlEqualTo(MAPPINGS)).willReturn(json(202, mapping("u-new", secondaryConsumer, "Creating"))));
        aws.stubFor(com.github.tomakehurst.wiremock.client.WireMock.put(urlPathEqualTo(MAPPINGS + "/u-primary"))
                .willReturn(json(202, primaryMapping.replace("Enabled", "Disabling"))));

        OperationDriver.Report report = new OperationDriver(ctx, l -> {}).failover("drill");

        assertThat(report.result()).as(report.message()).isEqualTo(OperationDriver.Result.COMPLETED);
        JsonNode created = JSON.readTree(
                aws.findAll(postRequestedFor(urlEqualTo(MAPPINGS))).get(0).getBodyAsString());
        assertThat(created.get("EventSourceArn").asText())
                .as("the secondary's EFO consumer of the same name")
                .isEqualTo(secondaryConsumer);
        assertThat(created.get("BatchSize").asInt()).isEqualTo(500);
        assertThat(created.get("MaximumRetryAttempts").asInt()).isEqualTo(3);
        assertThat(created.get("StartingPosition").asText()).isEqualTo("AT_TIMESTAMP");
        aws.verify(0, deleteRequestedFor(anyUrl()));
        aws.verify(1, putRequestedFor(urlEqualTo(MAPPINGS + "/u-primary")));
    }

    private static com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder json(int status, String body) {
        return aResponse()
                .withStatus(status)
                .withHeader("Content-Type", "application/json")
                .withBody(body);
    }

    private static String mapping(String uuid, String stream, String state) {
        return "{\"UUID\":\"" + uuid + "\",\"State\":\"" + state + "\",\"EventSourceArn\":\"" + stream
                + "\",\"StartingPosition\":\"LATEST\",\"BatchSize\":500,\"MaximumRetryAttempts\":3,"
                + "\"BisectBatchOnFunctionError\":true,\"LastModified\":1763712000.0,"
                + "\"FunctionArn\":\"arn:aws:lambda:us-east-2:111111111111:function:orders-consumer\"}";
    }
}
