package io.kinesisha.controller.health;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import io.kinesisha.common.aws.AwsClientFactory;
import io.kinesisha.common.aws.AwsTarget;
import io.kinesisha.common.aws.ClientTuning;
import io.kinesisha.common.control.AuditEntry;
import io.kinesisha.common.control.AuditEntry.Kind;
import io.kinesisha.common.control.ControlRecord;
import io.kinesisha.common.control.ControlStore;
import io.kinesisha.controller.SimulatedClock;
import io.kinesisha.controller.health.Verdict.Decision;
import io.kinesisha.controller.statemachine.PairControl;
import io.kinesisha.controller.statemachine.StateMachine;
import io.kinesisha.testkit.LocalEnvironmentExtension;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** Evaluations end in the control store: counted across controller instances, audited with their inputs. */
class HealthEvaluatorTest {
    private static final Instant NOW = Instant.parse("2026-11-21T10:00:00Z");
    private static final PolicySettings SETTINGS = new PolicySettings(
            1.0, Duration.ofMinutes(1), Duration.ofSeconds(30), 3, Duration.ofMinutes(30), 1, Duration.ofHours(24));

    @RegisterExtension
    static final LocalEnvironmentExtension LOCAL = new LocalEnvironmentExtension("us-west-2");

    private static DynamoDbClient dynamo;
    /** One clock for every controller instance of a test, so audit items have distinct, ordered times. */
    private final SimulatedClock clock = SimulatedClock.stepping(NOW);

    private ControlStore store;
    private String pair;

    @BeforeAll
    static void client() {
        dynamo = LOCAL.env().clients().dynamoDb(LOCAL.env().controlStoreTarget("us-west-2"));
    }

    @AfterAll
    static void close() {
        dynamo.close();
    }

    @BeforeEach
    void createPair() {
        pair = "orders-" + UUID.randomUUID().toString().substring(0, 8);
        store = new ControlStore(dynamo, "control-evaluations");
        store.createTableIfMissing();
        store.create(ControlRecord.initial(pair, "us-west-2", "us-east-2", NOW));
    }

    @Test
    void threeBadEvaluationsByDifferentControllerInstancesFailOverOnceWithTheEvidence() {
        List<Decision> decisions = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            // a fresh evaluator each round: the count lives in the control record, not in memory
            decisions.add(evaluator("lambda-" + i)
                    .evaluate(pair, failingProbe(i), Map.of("target", "us-east-2"))
                    .verdict()
                    .decision());
        }

        assertThat(decisions).containsExactly(Decision.HOLD, Decision.HOLD, Decision.FAIL_OVER, Decision.HOLD);
        ControlRecord r = store.read(pair).orElseThrow();
        assertThat(r.state()).isEqualTo("FAILING_OVER");
        assertThat(PolicyMemory.fromJson(r.policyMemory()).automaticFailovers()).hasSize(1);
        List<AuditEntry> audit = store.readAudit(pair, 10);
        assertThat(audit)
                .extracting(AuditEntry::kind)
                .containsExactly(Kind.EVALUATION, Kind.DECISION, Kind.EVALUATION, Kind.EVALUATION);
        AuditEntry decision = audit.get(1);
        assertThat(decision.message()).contains("ACTIVE_PRIMARY --PRIMARY_UNHEALTHY--> FAILING_OVER");
        assertThat(decision.evidence())
                .containsEntry("consecutiveBad", "3/3")
                .containsEntry("decision", "FAIL_OVER")
                .hasEntrySatisfying("reasons", v -> assertThat(v).contains("probe of us-west-2 failed"));
        assertThat(audit.get(0).evidence())
                .as("the count started again with the failover")
                .containsEntry("holdReason", "1 of 3 consecutive bad evaluations")
                .containsEntry("state", "FAILING_OVER");
        assertThat(audit.get(3).evidence())
                .containsEntry("consecutiveBad", "1/3")
                .containsKey("errorRatePercent");
    }

    @Test
    void withTheKillSwitchOnEvaluationsAreRecordedButNeverActedOn() {
        PairControl control = new PairControl(store, new StateMachine(), clock, "cli");
        control.setAutomationPaused(pair, true, "maintenance");
        for (int i = 0; i < 5; i++) {
            evaluator("lambda").evaluate(pair, failingProbe(i), Map.of());
        }

        ControlRecord r = store.read(pair).orElseThrow();
        assertThat(r.state()).isEqualTo("ACTIVE_PRIMARY");
        assertThat(PolicyMemory.fromJson(r.policyMemory()).consecutiveBad()).isEqualTo(5);
        assertThat(store.readAudit(pair, 3)).allSatisfy(a -> {
            assertThat(a.kind()).isEqualTo(Kind.EVALUATION);
            assertThat(a.message()).isEqualTo("primary unhealthy, holding: automation is paused (kill switch)");
        });
    }

    @Test
    void theSameBadObservationEvaluatedFiveTimesCountsOnce() {
        for (int i = 0; i < 5; i++) {
            // five invocations (alarm deliveries, the schedule, retries) judging the same probe and the same minute
            evaluator("lambda-" + i).evaluate(pair, failingProbe(0), Map.of("target", "us-east-2"));
        }

        ControlRecord r = store.read(pair).orElseThrow();
        assertThat(r.state()).isEqualTo("ACTIVE_PRIMARY");
        assertThat(PolicyMemory.fromJson(r.policyMemory()).consecutiveBad()).isEqualTo(1);
    }

    @Test
    void theCountStartsAgainAfterAFailover() {
        for (int i = 0; i < 3; i++) {
            evaluator("lambda").evaluate(pair, failingProbe(i), Map.of("target", "us-east-2"));
        }

        ControlRecord r = store.read(pair).orElseThrow();
        assertThat(r.state()).isEqualTo("FAILING_OVER");
        assertThat(PolicyMemory.fromJson(r.policyMemory()).consecutiveBad())
                .as("bad rounds before the switch do not count after it")
                .isZero();
        assertThat(PolicyMemory.fromJson(r.policyMemory()).automaticFailovers()).hasSize(1);
    }

    @Test
    void aPauseLandingBetweenTheJudgementAndTheFailoverStopsIt() {
        PairControl operator = new PairControl(store, new StateMachine(), clock, "cli:operator");
        evaluator("lambda").evaluate(pair, failingProbe(0), Map.of());
        evaluator("lambda").evaluate(pair, failingProbe(1), Map.of());
        AtomicBoolean paused = new AtomicBoolean();
        // the policy reads its clock after the evaluator read the record and before it fires: the operator pauses then
        Clock pausesOnFirstReading = new Clock() {
            @Override
            public Instant instant() {
                if (paused.compareAndSet(false, true)) {
                    operator.setAutomationPaused(pair, true, "incident: hold everything");
                }
                return NOW;
            }

            @Override
            public ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(ZoneId zone) {
                throw new UnsupportedOperationException();
            }
        };
        HealthEvaluator racing = new HealthEvaluator(
                new PairControl(store, new StateMachine(), clock, "lambda"),
                new HealthPolicy(SETTINGS, pausesOnFirstReading));

        HealthEvaluator.Result result = racing.evaluate(pair, failingProbe(2), Map.of("target", "us-east-2"));

        ControlRecord r = store.read(pair).orElseThrow();
        assertThat(paused).isTrue();
        assertThat(r.state()).as("the kill switch wins").isEqualTo("ACTIVE_PRIMARY");
        assertThat(r.automationPaused()).isTrue();
        assertThat(result.verdict().decision()).isEqualTo(Decision.HOLD);
        assertThat(result.verdict().holdReason()).isEqualTo("automation is paused (kill switch)");
        assertThat(store.readAudit(pair, 10)).noneMatch(a -> a.message().contains("PRIMARY_UNHEALTHY"));
    }

    @Test
    void aReplicatedWriteConflictIsALostRaceThatIsDecidedAgain() {
        WireMockServer proxy = new WireMockServer(wireMockConfig().dynamicPort());
        proxy.start();
        AwsTarget direct = LOCAL.env().controlStoreTarget("us-west-2");
        String dynamoUrl = direct.endpoint().orElseThrow().toString();
        // every attempt the SDK makes at the record's conditional write is answered with the conflict (the
        // exception is retryable: 3 attempts), then requests reach DynamoDB Local again
        proxy.stubFor(any(anyUrl()).atPriority(10).willReturn(aResponse().proxiedFrom(dynamoUrl)));
        String state = Scenario.STARTED;
        for (int attempt = 1; attempt <= 3; attempt++) {
            String next = "conflict-" + attempt;
            proxy.stubFor(post(anyUrl())
                    .atPriority(1)
                    .inScenario("conflict")
                    .whenScenarioStateIs(state)
                    .withHeader("X-Amz-Target", equalTo("DynamoDB_20120810.PutItem"))
                    .withRequestBody(containing("version = :expected"))
                    .willReturn(aResponse()
                            .withStatus(400)
                            .withHeader("Content-Type", "application/x-amz-json-1.0")
                            .withBody(
                                    "{\"__type\":\"com.amazonaws.dynamodb.v20120810#ReplicatedWriteConflictException\","
                                            + "\"message\":\"Replicated write conflict\"}"))
                    .willSetStateTo(next));
            state = next;
        }
        try (DynamoDbClient viaProxy = new AwsClientFactory(
                        new ClientTuning(Duration.ofSeconds(20), Duration.ofSeconds(5), 3))
                .dynamoDb(direct.withEndpoint(URI.create(proxy.baseUrl())))) {
            ControlStore conflicted = new ControlStore(viaProxy, "control-evaluations");
            HealthEvaluator evaluator = new HealthEvaluator(
                    new PairControl(conflicted, new StateMachine(), clock, "lambda"),
                    new HealthPolicy(SETTINGS, Clock.fixed(NOW, ZoneOffset.UTC)));

            HealthEvaluator.Result result = evaluator.evaluate(pair, failingProbe(0), Map.of());

            assertThat(result.outcome().applied()).isTrue();
            ControlRecord r = store.read(pair).orElseThrow();
            assertThat(r.version()).as("written once").isEqualTo(2);
            assertThat(PolicyMemory.fromJson(r.policyMemory()).consecutiveBad()).isEqualTo(1);
            assertThat(proxy.findAll(postRequestedFor(anyUrl())
                            .withHeader("X-Amz-Target", equalTo("DynamoDB_20120810.PutItem"))
                            .withRequestBody(containing("version = :expected"))))
                    .hasSize(4);
        } finally {
            proxy.stop();
        }
    }

    @Test
    void theAuditTrailReadsNewestFirstWithALimit() {
        for (int i = 0; i < 5; i++) {
            store.appendAudit(new AuditEntry(
                    pair,
                    NOW.plusMillis(i * 100L + (i == 2 ? 1 : 0)),
                    "id-" + i,
                    Kind.ACTION,
                    "action " + i,
                    Map.of("n", Integer.toString(i))));
        }

        List<AuditEntry> newest = store.readAudit(pair, 3);

        assertThat(newest).extracting(AuditEntry::message).containsExactly("action 4", "action 3", "action 2");
        assertThat(newest.get(2).at()).isEqualTo(NOW.plusMillis(201));
        assertThat(newest.get(0).evidence()).containsEntry("n", "4");
        assertThat(store.readAudit(pair, 0)).isEmpty();
    }

    private HealthEvaluator evaluator(String actor) {
        return new HealthEvaluator(
                new PairControl(store, new StateMachine(), clock, actor),
                new HealthPolicy(SETTINGS, Clock.fixed(NOW, ZoneOffset.UTC)));
    }

    /** A failed probe taken {@code round} probe intervals (5 s) after NOW: each round is a new observation. */
    private static Evidence failingProbe(int round) {
        Instant from = NOW.minusSeconds(360);
        List<PeriodValue> zeros = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            zeros.add(new PeriodValue(from.plusSeconds(60L * i), 0.0));
        }
        Series s = new Series("x", zeros, "Complete");
        return new Evidence(
                new StreamSignals("orders", from, from.plusSeconds(300), new StreamSignals.Counts(1000, 0, 0), s, s),
                null,
                List.of(new ProbeResult(
                        NOW.plusSeconds(5L * round),
                        "us-west-2",
                        false,
                        Duration.ofMillis(2000),
                        null,
                        "ApiCallTimeoutException")),
                List.of());
    }
}
