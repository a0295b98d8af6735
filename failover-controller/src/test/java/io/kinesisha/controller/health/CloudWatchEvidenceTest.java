package io.kinesisha.controller.health;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.kinesisha.common.aws.ClientTuning;
import io.kinesisha.common.config.ReplicationPairConfig;
import io.kinesisha.common.control.ReplicationDirection;
import io.kinesisha.common.control.ShardProgress;
import io.kinesisha.controller.health.Verdict.Decision;
import io.kinesisha.controller.statemachine.PairState;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What the policy concludes from recorded GetMetricData answers (in the wire format the SDK reads) with the
 * configured defaults (1 % over 5 minutes): only failures of the primary fail over; throttling, idle APIs, sparse
 * or late metrics, lagging readers and an unreachable CloudWatch do not.
 */
class CloudWatchEvidenceTest {
    /** 10:07:30 with a 60 s publish delay: window [10:01, 10:06), the fixtures' five minutes. */
    private static final Instant NOW = Instant.parse("2026-11-21T10:07:30Z");

    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    private static final PolicySettings DEFAULTS = PolicySettings.from(ReplicationPairConfig.fromMap(Map.of(
                    "pair.name", "orders",
                    "primary.stream-arn", "arn:aws:kinesis:us-west-2:111111111111:stream/orders",
                    "secondary.stream-arn", "arn:aws:kinesis:us-east-2:111111111111:stream/orders"))
            .health());

    @RegisterExtension
    final CloudWatchStub stub = new CloudWatchStub(new ClientTuning(Duration.ofSeconds(10), Duration.ofSeconds(3), 2));

    private final WireMockServer wireMock = stub.wireMock;
    private final CloudWatchSignals signals =
            new CloudWatchSignals(stub.client, CLOCK, Duration.ofMinutes(1), Duration.ofMinutes(1));

    @Test
    void aBusyHealthyStreamWithSparseAndLateMetricsIsHealthy() {
        Verdict v = evaluate("healthy-busy.json");

        assertThat(v.healthy()).as(v.reasons().toString()).isTrue();
        assertThat(v.warnings()).isEmpty();
        assertThat(v.inputs()).containsEntry("errorRatePercent", "0.000").containsEntry("callsAndRecords", "5602");
    }

    @Test
    void putRecordsPerRecordFailuresAreCounted() {
        Verdict v = evaluate("putrecords-partial-failures.json");

        // 150 failed records of 5,000 records + 500 PutRecord + 1,500 GetRecords + 2 SubscribeToShard calls
        assertThat(v.healthy()).isFalse();
        assertThat(v.reasons())
                .singleElement()
                .asString()
                .startsWith("error rate 2.14% > 1.00% over PT5M (150 failed of 7002");
    }

    @Test
    void throttlingIsCapacityNotHealth() {
        Verdict v = evaluate("throttled.json");

        assertThat(v.healthy()).as(v.reasons().toString()).isTrue();
        assertThat(v.inputs()).containsEntry("errorRatePercent", "0.000").containsEntry("throttled", "1150");
        assertThat(v.warnings()).singleElement().asString().contains("1150 calls or records throttled");
    }

    @Test
    void failuresAreWeightedByCallsSoANearlyIdleApiDoesNotDominate() {
        Verdict v = evaluate("few-failures-among-many.json");

        // 10 failed PutRecord calls of 10 + 5,000 + 1,500 + 2: 0.15 %, where the mean of per-API ratios said 25 %
        assertThat(v.healthy()).as(v.reasons().toString()).isTrue();
        assertThat(v.inputs()).containsEntry("errorRatePercent", "0.154");
    }

    @Test
    void failingReadsOfThePrimaryAreUnhealthy() {
        Verdict v = evaluate("getrecords-failing.json");

        assertThat(v.healthy()).isFalse();
        assertThat(v.reasons()).singleElement().asString().startsWith("error rate 10.71% > 1.00%");
    }

    @Test
    void readersBehindWarnButNeverFailOver() {
        PolicyMemory memory = PolicyMemory.EMPTY;
        List<Decision> decisions = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Verdict v = evaluate("consumer-behind.json", memory);
            decisions.add(v.decision());
            memory = v.memory();
            assertThat(v.warnings()).anySatisfy(w -> assertThat(w).contains("iterator age 120000 ms > 60000 ms"));
        }

        assertThat(decisions).containsOnly(Decision.NONE);
    }

    @Test
    void anIdleStreamIsNotMissingData() {
        Verdict v = evaluate("idle.json");

        assertThat(v.healthy()).as(v.reasons().toString()).isTrue();
        assertThat(v.inputs()).containsEntry("errorRatePercent", "0.000").containsEntry("callsAndRecords", "1");
    }

    @Test
    void aCloudWatchOnlyOutageWithEveryProbeHealthyDoesNotFailOver() {
        wireMock.stubFor(
                post(urlEqualTo(RecordedMetricData.PATH)).willReturn(aResponse().withStatus(503)));
        PolicyMemory memory = PolicyMemory.EMPTY;
        List<Decision> decisions = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            Evidence e = collect(i);
            Verdict v = policy().evaluate(e, PairState.ACTIVE_PRIMARY, false, memory);
            decisions.add(v.decision());
            memory = v.memory();
            assertThat(v.warnings()).anySatisfy(w -> assertThat(w).startsWith("CloudWatch: no data"));
        }

        assertThat(decisions).containsOnly(Decision.NONE);
    }

    @Test
    void oneBadMinuteJudgedByFiveInvocationsCountsOnceAndTheNextMinuteCountsAgain() {
        wireMock.stubFor(post(urlEqualTo(RecordedMetricData.PATH))
                .willReturn(RecordedMetricData.response("putrecords-partial-failures.json")));
        PolicyMemory memory = PolicyMemory.EMPTY;
        List<Decision> decisions = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            Verdict v = policy().evaluate(collect(i), PairState.ACTIVE_PRIMARY, false, memory);
            decisions.add(v.decision());
            memory = v.memory();
        }
        CloudWatchSignals aMinuteLater = new CloudWatchSignals(
                stub.client,
                Clock.fixed(NOW.plusSeconds(60), ZoneOffset.UTC),
                Duration.ofMinutes(1),
                Duration.ofMinutes(1));
        Verdict next = new HealthPolicy(DEFAULTS, Clock.fixed(NOW.plusSeconds(60), ZoneOffset.UTC))
                .evaluate(
                        new Evidence(
                                aMinuteLater.read("orders", List.of("kinesis-ha-replicator"), Duration.ofMinutes(5)),
                                null,
                                collect(6).probes(),
                                collect(6).progress()),
                        PairState.ACTIVE_PRIMARY,
                        false,
                        memory);

        assertThat(decisions).containsOnly(Decision.HOLD);
        assertThat(memory.consecutiveBad()).isEqualTo(1);
        assertThat(next.memory().consecutiveBad()).isEqualTo(2);
    }

    private Verdict evaluate(String fixture) {
        return evaluate(fixture, PolicyMemory.EMPTY);
    }

    private Verdict evaluate(String fixture, PolicyMemory memory) {
        wireMock.resetAll();
        wireMock.stubFor(post(urlEqualTo(RecordedMetricData.PATH)).willReturn(RecordedMetricData.response(fixture)));
        return policy().evaluate(collect(0), PairState.ACTIVE_PRIMARY, false, memory);
    }

    /** As the EvidenceCollector does: one healthy probe, replication progress, and what CloudWatch answers. */
    private Evidence collect(int round) {
        List<ProbeResult> probes = List.of(
                new ProbeResult(NOW.plusSeconds(5L * round), "us-west-2", true, Duration.ofMillis(15), "ACTIVE", null));
        List<ShardProgress> progress = List.of(new ShardProgress(
                "orders",
                new ReplicationDirection("us-west-2", "us-east-2"),
                1,
                "shardId-000000000000",
                "49590338271490256608559692538361571095921575989136588898",
                0,
                200,
                null,
                null,
                10,
                7,
                false,
                NOW.toEpochMilli()));
        try {
            return new Evidence(
                    signals.read("orders", List.of("kinesis-ha-replicator"), Duration.ofMinutes(5)),
                    null,
                    probes,
                    progress);
        } catch (RuntimeException e) {
            return new Evidence(null, e.getClass().getSimpleName() + ": " + e.getMessage(), probes, progress);
        }
    }

    private static HealthPolicy policy() {
        return new HealthPolicy(DEFAULTS, CLOCK);
    }
}
