package io.kinesisha.controller.lambda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The documented alarm payloads run a round; malformed and unexpected events are rejected with the field named,
 * logged, and never reach the controller.
 */
class ControllerHandlerTest {
    private final List<String> log = new ArrayList<>();
    private final AtomicInteger rounds = new AtomicInteger();

    static Map<String, Object> alarm(String state) {
        Map<String, Object> e = base("CloudWatch Alarm State Change", "aws.cloudwatch");
        e.put("resources", List.of("arn:aws:cloudwatch:us-west-2:111111111111:alarm:orders-primary-unhealthy"));
        Map<String, Object> stateMap = new HashMap<>(
                Map.of("value", state, "reason", "Threshold Crossed", "timestamp", "2026-11-21T09:59:59.871+0000"));
        e.put(
                "detail",
                new HashMap<>(Map.of(
                        "alarmName",
                        "orders-primary-unhealthy",
                        "state",
                        stateMap,
                        "previousState",
                        Map.of("value", "OK"))));
        return e;
    }

    static Map<String, Object> scheduled() {
        Map<String, Object> e = base("Scheduled Event", "aws.events");
        e.put("resources", List.of("arn:aws:events:us-east-2:111111111111:rule/kinesis-ha-orders-evaluate"));
        e.put("detail", new HashMap<>());
        return e;
    }

    private static Map<String, Object> base(String detailType, String source) {
        Map<String, Object> e = new HashMap<>();
        e.put("version", "0");
        e.put("id", "c4c1c1c9-6542-e61b-6ef0-8c4d36933a92");
        e.put("detail-type", detailType);
        e.put("source", source);
        e.put("account", "111111111111");
        e.put("time", "2026-11-21T10:00:00Z");
        e.put("region", "us-east-2");
        return e;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> detail(Map<String, Object> e) {
        return (Map<String, Object>) e.get("detail");
    }

    private static Map<String, Object> with(Map<String, Object> e, Consumer<Map<String, Object>> change) {
        change.accept(e);
        return e;
    }

    static Stream<Arguments> malformed() {
        return Stream.of(
                Arguments.of("null event", null, "event: missing"),
                Arguments.of("empty event", new HashMap<>(), "detail-type: missing"),
                Arguments.of(
                        "unknown detail-type",
                        with(scheduled(), e -> e.put("detail-type", "EC2 Instance State-change Notification")),
                        "detail-type: must be 'CloudWatch Alarm State Change' or 'Scheduled Event', was 'EC2 Instance State-change Notification'"),
                Arguments.of(
                        "detail-type not a string",
                        with(scheduled(), e -> e.put("detail-type", 42)),
                        "detail-type: must be a string"),
                Arguments.of("source missing", with(alarm("ALARM"), e -> e.remove("source")), "source: missing"),
                Arguments.of(
                        "alarm from another source",
                        with(alarm("ALARM"), e -> e.put("source", "aws.events")),
                        "source: must be 'aws.cloudwatch' for detail-type 'CloudWatch Alarm State Change', was 'aws.events'"),
                Arguments.of(
                        "schedule from another source",
                        with(scheduled(), e -> e.put("source", "custom.app")),
                        "source: must be 'aws.events' for detail-type 'Scheduled Event', was 'custom.app'"),
                Arguments.of("id blank", with(scheduled(), e -> e.put("id", " ")), "id: must not be blank"),
                Arguments.of(
                        "time not an instant",
                        with(scheduled(), e -> e.put("time", "yesterday")),
                        "time: must be an ISO-8601 instant"),
                Arguments.of("region missing", with(scheduled(), e -> e.remove("region")), "region: missing"),
                Arguments.of(
                        "account malformed",
                        with(scheduled(), e -> e.put("account", "1234")),
                        "account: must be a 12-digit account id, was '1234'"),
                Arguments.of(
                        "resources not a list",
                        with(scheduled(), e -> e.put("resources", "arn:aws:events:x")),
                        "resources: must be a list"),
                Arguments.of(
                        "detail missing",
                        with(scheduled(), e -> e.remove("detail")),
                        "detail: must be an object, was missing"),
                Arguments.of(
                        "detail not an object",
                        with(alarm("ALARM"), e -> e.put("detail", "ALARM")),
                        "detail: must be an object"),
                Arguments.of(
                        "alarm name missing",
                        with(alarm("ALARM"), e -> detail(e).remove("alarmName")),
                        "detail.alarmName: missing"),
                Arguments.of(
                        "alarm state missing",
                        with(alarm("ALARM"), e -> detail(e).remove("state")),
                        "detail.state: must be an object, was missing"),
                Arguments.of(
                        "alarm state value missing",
                        with(alarm("ALARM"), e -> detail(e).put("state", Map.of("reason", "x"))),
                        "detail.state.value: missing"),
                Arguments.of(
                        "alarm state value unknown",
                        alarm("RED"),
                        "detail.state.value: must be one of [ALARM, INSUFFICIENT_DATA, OK], was 'RED'"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void rejectsWithTheFieldNamedAndNoAction(String name, Map<String, Object> event, String expected) {
        Map<String, Object> result = handler().handleRequest(event, null);

        assertThat(result).containsEntry("status", "REJECTED");
        assertThat((String) result.get("error")).contains(expected);
        assertThat(log)
                .singleElement()
                .asString()
                .startsWith("kinesis-ha controller: rejected event, no action taken: ")
                .contains(expected);
        assertThat(rounds).as("the controller never ran").hasValue(0);
    }

    /**
     * A payload as AWS documents it (src/test/resources/events): the alarm action's own (how the CDK app wires the
     * alarms) or EventBridge's "CloudWatch Alarm State Change".
     */
    static Map<String, Object> fixture(String name) {
        try (InputStream in = ControllerHandlerTest.class.getResourceAsStream("/events/" + name)) {
            return new ObjectMapper().readValue(in, new TypeReference<Map<String, Object>>() {});
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(
            strings = {
                "lambda-alarm-action-metric.json",
                "eventbridge-alarm-state-change-metric.json",
                "eventbridge-alarm-state-change-math.json"
            })
    void theDocumentedAlarmPayloadsRunOneRound(String file) {
        assertThatThrownBy(() -> handler().handleRequest(fixture(file), null))
                .isInstanceOf(ControllerHandler.RoundFailedException.class)
                .hasMessageContaining("ALARM_STATE_CHANGE");
        assertThat(rounds).as("a round was tried").hasValue(1);
    }

    static Stream<Arguments> malformedDirect() {
        return Stream.of(
                Arguments.of(
                        "alarmData missing",
                        with(fixture("lambda-alarm-action-metric.json"), e -> e.remove("alarmData")),
                        "alarmData: must be an object, was missing"),
                Arguments.of(
                        "alarmArn missing",
                        with(fixture("lambda-alarm-action-metric.json"), e -> e.remove("alarmArn")),
                        "alarmArn: missing"),
                Arguments.of(
                        "alarmArn not an alarm",
                        with(
                                fixture("lambda-alarm-action-metric.json"),
                                e -> e.put("alarmArn", "arn:aws:sns:us-east-1:444455556666:topic")),
                        "alarmArn: must be a CloudWatch alarm ARN"),
                Arguments.of(
                        "source wrong",
                        with(fixture("lambda-alarm-action-metric.json"), e -> e.put("source", "aws.events")),
                        "source: must be 'aws.cloudwatch' for an alarm action payload, was 'aws.events'"),
                Arguments.of(
                        "account malformed",
                        with(fixture("lambda-alarm-action-metric.json"), e -> e.put("accountId", "x")),
                        "accountId: must be a 12-digit account id, was 'x'"),
                Arguments.of(
                        "state value unknown",
                        with(
                                fixture("lambda-alarm-action-metric.json"),
                                e -> alarmData(e)
                                        .put(
                                                "state",
                                                Map.of("value", "RED", "timestamp", "2023-08-04T12:36:15.490+0000"))),
                        "alarmData.state.value: must be one of [ALARM, INSUFFICIENT_DATA, OK], was 'RED'"),
                Arguments.of(
                        "state timestamp missing",
                        with(
                                fixture("lambda-alarm-action-metric.json"),
                                e -> alarmData(e).put("state", Map.of("value", "ALARM"))),
                        "alarmData.state.timestamp: missing"),
                Arguments.of(
                        "state timestamp garbage",
                        with(
                                fixture("lambda-alarm-action-metric.json"),
                                e -> alarmData(e).put("state", Map.of("value", "ALARM", "timestamp", "soon"))),
                        "alarmData.state.timestamp: must be an ISO-8601 instant"),
                Arguments.of(
                        "previous state missing",
                        with(
                                fixture("lambda-alarm-action-metric.json"),
                                e -> alarmData(e).remove("previousState")),
                        "alarmData.previousState: must be an object, was missing"),
                Arguments.of(
                        "envelope state timestamp missing",
                        with(
                                fixture("eventbridge-alarm-state-change-metric.json"),
                                e -> detail(e).put("state", Map.of("value", "ALARM"))),
                        "detail.state.timestamp: missing"),
                Arguments.of(
                        "envelope without the alarm's ARN",
                        with(fixture("eventbridge-alarm-state-change-metric.json"), e -> e.put("resources", List.of())),
                        "resources: must hold the alarm's ARN"));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> alarmData(Map<String, Object> e) {
        return (Map<String, Object>) e.get("alarmData");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedDirect")
    void malformedAlarmPayloadsAreRejectedWithTheFieldNamed(String name, Map<String, Object> event, String expected) {
        rejectsWithTheFieldNamedAndNoAction(name, event, expected);
    }

    @Test
    void anAlarmBackToOkIsIgnored() {
        Map<String, Object> result = handler().handleRequest(alarm("OK"), null);

        assertThat(result).containsEntry("status", "IGNORED").containsEntry("trigger", "ALARM_STATE_CHANGE");
        assertThat(rounds).hasValue(0);
    }

    @Test
    void validAlarmAndScheduleEventsRunOneRound() {
        ControllerHandler handler = handler();

        // the round itself fails here (no control store): the invocation fails, so Lambda's Errors metric and
        // the alarm on it see it, and an asynchronous invocation is retried
        assertThatThrownBy(() -> handler.handleRequest(alarm("ALARM"), null))
                .isInstanceOf(ControllerHandler.RoundFailedException.class)
                .hasMessageContaining("ALARM_STATE_CHANGE")
                .hasRootCauseMessage("no control store in this test");
        assertThatThrownBy(() -> handler.handleRequest(scheduled(), null))
                .isInstanceOf(ControllerHandler.RoundFailedException.class)
                .hasMessageContaining("SCHEDULED");
        assertThat(rounds).as("a round was tried for both events").hasValue(2);
        assertThat(log).hasSize(2).allMatch(l -> l.contains("round failed"));
    }

    private ControllerHandler handler() {
        return new ControllerHandler(
                () -> {
                    rounds.incrementAndGet();
                    throw new IllegalStateException("no control store in this test");
                },
                log::add);
    }
}
