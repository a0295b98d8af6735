package io.kinesisha.controller.lambda;

import static org.assertj.core.api.Assertions.assertThat;

import io.kinesisha.common.config.HealthThresholds;
import io.kinesisha.common.config.ReplicationPairConfig;
import io.kinesisha.common.control.DeliveryLog;
import io.kinesisha.controller.SimulatedClock;
import io.kinesisha.controller.health.Evidence;
import io.kinesisha.controller.health.HealthPolicy;
import io.kinesisha.controller.health.PolicyMemory;
import io.kinesisha.controller.health.PolicySettings;
import io.kinesisha.controller.health.ProbeResult;
import io.kinesisha.controller.health.Verdict;
import io.kinesisha.controller.runtime.ControllerTick;
import io.kinesisha.controller.runtime.ProbeWindow;
import io.kinesisha.controller.statemachine.PairState;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.PutItemResponse;

/**
 * The detection budget of docs/failover-budget.md, on a simulated clock: the handler invoked every minute by the
 * schedule (one invocation at a time, as reserved concurrency 1 makes it), the real {@link HealthPolicy} with the
 * default thresholds, and a primary that is blackholed at every second of the schedule's minute (each probe then
 * costs the whole probe timeout). The failover is decided within 30 s and producers write to the secondary within
 * 60 s, for every outage start; a single failed probe never fails over (anti-flap).
 */
class DetectionBudgetTest {
    static final Duration DECISION_BUDGET = Duration.ofSeconds(30);
    static final Duration PRODUCER_BUDGET = Duration.ofSeconds(60);
    /**
     * From the decision to producers writing to the secondary, besides the fence settle: MARK_CUT, ACTIVATE_SECONDARY
     * (a resolver refreshes every second), REDIRECT_PRODUCERS (UpdateFunctionConfiguration; the next invocations run
     * the new environment). The budget table's allowance.
     */
    static final Duration REDIRECT_ALLOWANCE = Duration.ofSeconds(15);

    static final Duration SCHEDULE = Duration.ofMinutes(1);
    static final Instant START = Instant.parse("2026-12-06T10:00:00Z");

    private static final ReplicationPairConfig CONFIG = ReplicationPairConfig.fromMap(Map.of(
            "pair.name", "orders",
            "primary.stream-arn", "arn:aws:kinesis:us-west-2:111111111111:stream/orders",
            "secondary.stream-arn", "arn:aws:kinesis:us-east-2:111111111111:stream/orders"));

    @Test
    void aBlackholedPrimaryIsDecidedWithin30sAndProducersMoveWithin60sWhereverTheOutageStarts() throws Exception {
        HealthThresholds h = CONFIG.health();
        Duration settle = CONFIG.failback().fenceSettle();
        Duration worstDecision = Duration.ZERO;
        Duration worstRedirect = Duration.ZERO;
        for (int offset = 0; offset < SCHEDULE.toSeconds(); offset++) {
            Instant outage =
                    START.plus(SCHEDULE.multipliedBy(3)).plusSeconds(offset).plusMillis(offset * 17L % 1000);
            Run run = new Run(outage, settle);
            run.scheduleUntilFailover();

            assertThat(run.decidedAt).as("outage at +%d s: decided", offset).isNotNull();
            Duration decision = Duration.between(outage, run.decidedAt);
            Duration producers = Duration.between(outage, run.producersMovedAt);
            assertThat(decision)
                    .as("outage at +%d s of the schedule's minute: decision", offset)
                    .isLessThanOrEqualTo(DECISION_BUDGET);
            assertThat(producers)
                    .as("outage at +%d s: producers on the secondary", offset)
                    .isLessThanOrEqualTo(PRODUCER_BUDGET);
            assertThat(run.failedProbesBeforeDecision)
                    .as("consecutive bad evaluations, distinct in time")
                    .isEqualTo(h.consecutiveBadEvaluations());
            assertThat(run.longestInvocation)
                    .as("every invocation ends well before the 120 s timeout")
                    .isLessThan(Duration.ofSeconds(120).minus(Duration.ofSeconds(30)));
            worstDecision = worstDecision.compareTo(decision) >= 0 ? worstDecision : decision;
            worstRedirect = worstRedirect.compareTo(producers) >= 0 ? worstRedirect : producers;
        }
        // the numbers the budget table states for the defaults
        assertThat(worstDecision).isLessThanOrEqualTo(Duration.ofSeconds(22));
        assertThat(worstRedirect).isLessThanOrEqualTo(worstDecision.plus(settle).plus(REDIRECT_ALLOWANCE));
    }

    @Test
    void oneFailedProbeInAnInvocationDoesNotFailOver() throws Exception {
        Run run = new Run(START.plusSeconds(20), CONFIG.failback().fenceSettle());
        run.recoverAt = START.plusSeconds(20).plus(CONFIG.health().probeInterval());
        run.scheduleUntil(START.plus(SCHEDULE.multipliedBy(5)));

        assertThat(run.decidedAt).as("a blip of one probe is not an outage").isNull();
        assertThat(run.failedProbesBeforeDecision).isEqualTo(1);
        assertThat(run.rounds)
                .as("the primary was probed every interval for most of each minute")
                .isGreaterThanOrEqualTo(5
                        * (int) (ControllerHandler.INVOCATION_WINDOW.toMillis()
                                / CONFIG.health().probeInterval().toMillis()));
    }

    /** One simulated deployment: the schedule, the handler, a probe that fails from {@code outage} on. */
    private static final class Run {
        final SimulatedClock clock = new SimulatedClock(START);
        final Instant outage;
        final Duration settle;
        final HealthPolicy policy = new HealthPolicy(PolicySettings.from(CONFIG.health()), clock);
        Instant recoverAt = Instant.MAX;
        PolicyMemory memory = PolicyMemory.EMPTY;
        Instant decidedAt;
        Instant producersMovedAt;
        int failedProbesBeforeDecision;
        int rounds;
        int invocations;
        Duration longestInvocation = Duration.ZERO;
        final ControllerHandler handler;

        Run(Instant outage, Duration settle) {
            this.outage = outage;
            this.settle = settle;
            ProbeWindow window =
                    new ProbeWindow(CONFIG.health().probeInterval(), ControllerHandler.INVOCATION_WINDOW, clock.time());
            this.handler = new ControllerHandler(
                    () -> new ControllerHandler.Services(this::round, acceptingDeliveries(), "orders", clock, window),
                    line -> {});
        }

        void scheduleUntilFailover() {
            scheduleUntil(outage.plus(Duration.ofMinutes(10)));
        }

        void scheduleUntil(Instant end) {
            Instant next = START;
            while (decidedAt == null && next.isBefore(end)) {
                if (clock.instant().isBefore(next)) {
                    clock.set(next);
                }
                Instant started = clock.instant();
                Map<String, Object> result = handler.handleRequest(scheduled(++invocations), null);
                assertThat(result).containsEntry("status", "OK");
                Duration took = Duration.between(started, clock.instant());
                longestInvocation = took.compareTo(longestInvocation) > 0 ? took : longestInvocation;
                next = next.plus(SCHEDULE);
            }
        }

        private ControllerTick.Result round() {
            rounds++;
            Instant at = clock.instant();
            boolean down = !at.isBefore(outage) && at.isBefore(recoverAt);
            Duration latency = down ? CONFIG.health().probeTimeout() : Duration.ofMillis(40);
            clock.advance(latency);
            ProbeResult probe = new ProbeResult(
                    at,
                    "us-west-2",
                    !down,
                    latency,
                    down ? null : "ACTIVE",
                    down ? "ApiCallTimeoutException: blackholed" : null);
            if (down) {
                failedProbesBeforeDecision++;
            }
            Verdict v = policy.evaluate(
                    Evidence.withoutCloudWatch(List.of(probe), List.of()), PairState.ACTIVE_PRIMARY, false, memory);
            memory = v.memory();
            if (v.decision() != Verdict.Decision.FAIL_OVER) {
                return new ControllerTick.Result("evaluated", v.decision().name(), v.decision(), null);
            }
            decidedAt = clock.instant();
            clock.advance(settle.plus(REDIRECT_ALLOWANCE));
            producersMovedAt = clock.instant();
            return new ControllerTick.Result("failed-over", "simulated failover", v.decision(), null);
        }
    }

    static Map<String, Object> scheduled(int n) {
        Map<String, Object> e = ControllerHandlerTest.scheduled();
        e.put("id", "schedule-" + n);
        return e;
    }

    /** A control table that takes every claim (each scheduled event has its own id). */
    static DeliveryLog acceptingDeliveries() {
        DynamoDbClient dynamo = (DynamoDbClient) Proxy.newProxyInstance(
                DetectionBudgetTest.class.getClassLoader(),
                new Class<?>[] {DynamoDbClient.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("putItem")) {
                        return PutItemResponse.builder().build();
                    }
                    if (method.getName().equals("close")) {
                        return null;
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
        return new DeliveryLog(dynamo, "kinesis-ha-test");
    }
}
