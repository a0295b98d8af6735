package io.kinesisha.controller.lambda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kinesisha.common.control.AuditEntry;
import io.kinesisha.common.control.DeliveryLog;
import io.kinesisha.controller.operations.LocalPair;
import io.kinesisha.controller.operations.LocalPairs;
import io.kinesisha.controller.operations.PairContext;
import io.kinesisha.controller.runtime.ControllerTick;
import io.kinesisha.controller.runtime.EvidenceCollector;
import io.kinesisha.testkit.LocalEnvironmentExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * CloudWatch and EventBridge deliver at least once, and Lambda retries asynchronous invocations: the same alarm
 * state change may reach two execution environments. It acts once; the record of it lives in the control table.
 */
class AlarmDeliveryTest {
    @RegisterExtension
    static final LocalEnvironmentExtension LOCAL = new LocalEnvironmentExtension("us-west-2", "us-east-2");

    @RegisterExtension
    static final LocalPairs PAIRS = new LocalPairs(LOCAL, "deliveries");

    private final List<String> log = new ArrayList<>();
    private final List<EvidenceCollector> collectors = new ArrayList<>();

    @AfterEach
    void closeCollectors() {
        collectors.forEach(EvidenceCollector::close);
        collectors.clear();
    }

    @Test
    void theSameStateChangeDeliveredThreeTimesToTwoExecutionEnvironmentsActsOnce() {
        LocalPair pair = PAIRS.create(1);
        ControllerHandler first = handler(pair);
        ControllerHandler second = handler(pair);
        Map<String, Object> event = ControllerHandlerTest.fixture("eventbridge-alarm-state-change-metric.json");

        List<Object> statuses = List.of(
                first.handleRequest(event, null).get("status"),
                second.handleRequest(event, null).get("status"),
                first.handleRequest(event, null).get("status"));

        assertThat(statuses).containsExactly("OK", "DUPLICATE", "DUPLICATE");
        assertThat(evaluations(pair)).as("one evaluation for one state change").hasSize(1);
    }

    @Test
    void theDirectAlarmActionAndTheEventBridgeFormOfOneStateChangeActOnce() {
        LocalPair pair = PAIRS.create(1);
        ControllerHandler handler = handler(pair);
        Map<String, Object> direct = ControllerHandlerTest.fixture("lambda-alarm-action-metric.json");
        Map<String, Object> envelope = ControllerHandlerTest.fixture("eventbridge-alarm-state-change-metric.json");
        // the same alarm and state change in EventBridge's form
        envelope.put("resources", List.of("arn:aws:cloudwatch:us-east-1:444455556666:alarm:lambda-demo-metric-alarm"));
        envelope.put("account", "444455556666");
        @SuppressWarnings("unchecked")
        Map<String, Object> detail = (Map<String, Object>) envelope.get("detail");
        detail.put("alarmName", "lambda-demo-metric-alarm");
        detail.put("state", Map.of("value", "ALARM", "timestamp", "2023-08-04T12:36:15.490+0000"));

        assertThat(handler.handleRequest(direct, null)).containsEntry("status", "OK");
        assertThat(handler.handleRequest(envelope, null)).containsEntry("status", "DUPLICATE");
        assertThat(evaluations(pair)).hasSize(1);
    }

    @Test
    void aNewStateChangeOfTheSameAlarmActsAgain() {
        LocalPair pair = PAIRS.create(1);
        ControllerHandler handler = handler(pair);
        Map<String, Object> first = ControllerHandlerTest.fixture("lambda-alarm-action-metric.json");
        Map<String, Object> later = ControllerHandlerTest.fixture("lambda-alarm-action-metric.json");
        @SuppressWarnings("unchecked")
        Map<String, Object> data = (Map<String, Object>) later.get("alarmData");
        data.put("state", Map.of("value", "ALARM", "timestamp", "2023-08-04T13:02:00.120+0000"));

        assertThat(handler.handleRequest(first, null)).containsEntry("status", "OK");
        assertThat(handler.handleRequest(later, null)).containsEntry("status", "OK");
        assertThat(evaluations(pair)).hasSize(2);
    }

    @Test
    void aDeliveryWhoseRoundFailedActsWhenRetried() {
        LocalPair pair = PAIRS.create(1);
        AtomicInteger rounds = new AtomicInteger();
        ControllerHandler handler = handler(pair, rounds, 1);
        Map<String, Object> event = ControllerHandlerTest.fixture("lambda-alarm-action-metric.json");
        String key = ControllerEvent.parse(event).deliveryKey();

        assertThatThrownBy(() -> handler.handleRequest(event, null))
                .as("the invocation fails: Lambda counts an error")
                .isInstanceOf(ControllerHandler.RoundFailedException.class)
                .hasRootCauseMessage("injected: the round fails after its evaluation");
        assertThat(PAIRS.open(pair).deliveries().status(pair.name, key))
                .as("recorded before the throw")
                .isEqualTo(DeliveryLog.Status.FAILED);
        assertThat(handler.handleRequest(event, null))
                .as("Lambda's retry of the failed invocation")
                .containsEntry("status", "OK");
        assertThat(handler.handleRequest(event, null)).containsEntry("status", "DUPLICATE");

        assertThat(rounds).hasValue(2);
        assertThat(PAIRS.open(pair).deliveries().status(pair.name, key)).isEqualTo(DeliveryLog.Status.DONE);
    }

    private List<AuditEntry> evaluations(LocalPair pair) {
        PairContext ctx = PAIRS.open(pair);
        return ctx.store().readAudit(pair.name, 50).stream()
                .filter(a -> a.kind() == AuditEntry.Kind.EVALUATION)
                .toList();
    }

    /** One execution environment: its own clients, the pair's control table. */
    private ControllerHandler handler(LocalPair pair) {
        return handler(pair, new AtomicInteger(), 0);
    }

    /** Counts rounds; the first {@code failing} rounds fail after evaluating. */
    private ControllerHandler handler(LocalPair pair, AtomicInteger rounds, int failing) {
        return new ControllerHandler(
                () -> {
                    PairContext ctx = PAIRS.open(pair);
                    EvidenceCollector evidence = new EvidenceCollector(ctx, false);
                    collectors.add(evidence);
                    ControllerTick tick =
                            new ControllerTick(ctx, evidence, line -> {}, ControllerTick.DEFAULT_STALE_OPERATION);
                    return new ControllerHandler.Services(
                            () -> {
                                ControllerTick.Result r = tick.tick();
                                if (rounds.incrementAndGet() <= failing) {
                                    throw new IllegalStateException("injected: the round fails after its evaluation");
                                }
                                return r;
                            },
                            ctx.deliveries(),
                            ctx.pair(),
                            ctx.clock());
                },
                log::add);
    }
}
