package io.kinesisha.controller.lambda;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The events the controller Lambda accepts, checked field by field: a CloudWatch alarm state change as the alarm's
 * own Lambda action sends it ({@code source} aws.cloudwatch, {@code alarmArn}, {@code alarmData} - how the CDK app
 * wires the alarms) or as EventBridge delivers it (detail-type "CloudWatch Alarm State Change"), and an EventBridge
 * schedule. Anything else is rejected with the first field that is wrong, so a misrouted rule shows up in the log
 * instead of acting.
 *
 * <p>An alarm state change is identified by the alarm's ARN, the new state and the time of the change
 * ({@link #deliveryKey()}), the same in both delivery forms: that is what duplicate deliveries share.
 */
public record ControllerEvent(
        Kind kind,
        String id,
        Instant time,
        String alarmName,
        String alarmState,
        String previousState,
        String alarmArn,
        Instant stateChangedAt) {
    public enum Kind {
        ALARM_STATE_CHANGE,
        SCHEDULED
    }

    static final String ALARM_DETAIL_TYPE = "CloudWatch Alarm State Change";
    static final String SCHEDULED_DETAIL_TYPE = "Scheduled Event";
    static final Set<String> ALARM_STATES = Set.of("OK", "ALARM", "INSUFFICIENT_DATA");
    private static final Pattern ALARM_ARN = Pattern.compile("arn:[^:]+:cloudwatch:[^:]*:\\d{12}:alarm:.+");
    /**
     * CloudWatch writes alarm times as {@code 2019-10-02T17:04:40.989+0000}, EventBridge as
     * {@code 2019-10-02T17:04:40Z}; whitespace is dropped first (the documented Lambda action example has
     * {@code 2023-08-04T12: 36: 15.490+0000}).
     */
    private static final DateTimeFormatter TIMESTAMP = new DateTimeFormatterBuilder()
            .append(DateTimeFormatter.ISO_LOCAL_DATE_TIME)
            .appendPattern("[XXX][XX][X]")
            .toFormatter();

    /** Thrown for an event the controller does not act on; the message names the field. */
    public static final class InvalidEventException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        InvalidEventException(String message) {
            super(message);
        }
    }

    /** True for an alarm that may mean the primary is unhealthy (ALARM, INSUFFICIENT_DATA). */
    public boolean alarming() {
        return kind == Kind.ALARM_STATE_CHANGE && !"OK".equals(alarmState);
    }

    /** What every delivery of one alarm state change shares: alarm ARN, new state, time of the change. */
    public String deliveryKey() {
        return kind == Kind.ALARM_STATE_CHANGE ? alarmArn + "#" + alarmState + "#" + stateChangedAt : "schedule#" + id;
    }

    public static ControllerEvent parse(Map<String, Object> event) {
        if (event == null) {
            throw new InvalidEventException("event: missing (null)");
        }
        if (!event.containsKey("detail-type") && (event.containsKey("alarmData") || event.containsKey("alarmArn"))) {
            return alarmAction(event);
        }
        if (!event.containsKey("detail-type")) {
            throw new InvalidEventException("detail-type: missing (neither an EventBridge event nor an alarm action"
                    + " payload with alarmArn and alarmData)");
        }
        String detailType = string(event, "detail-type");
        String source = string(event, "source");
        String id = string(event, "id");
        Instant time = instant(event, "time");
        string(event, "region");
        account(event, "account");
        Object resources = event.get("resources");
        if (!(resources instanceof List)) {
            throw new InvalidEventException("resources: must be a list, was " + describe(resources));
        }
        Map<String, Object> detail = object(event, "detail", "detail");
        switch (detailType) {
            case ALARM_DETAIL_TYPE -> {
                expect("source", source, "aws.cloudwatch", "for detail-type '" + detailType + "'");
                String arn = ((List<?>) resources)
                        .stream()
                                .filter(r -> r instanceof String s && isAlarmArn(s))
                                .map(r -> normalise((String) r))
                                .findFirst()
                                .orElseThrow(() -> new InvalidEventException("resources: must hold the alarm's ARN"
                                        + " (arn:aws:cloudwatch:REGION:ACCOUNT:alarm:NAME), was " + resources));
                return alarm(id, time, arn, detail, "detail");
            }
            case SCHEDULED_DETAIL_TYPE -> {
                expect("source", source, "aws.events", "for detail-type '" + detailType + "'");
                return new ControllerEvent(Kind.SCHEDULED, id, time, null, null, null, null, null);
            }
            default ->
                throw new InvalidEventException("detail-type: must be '" + ALARM_DETAIL_TYPE + "' or '"
                        + SCHEDULED_DETAIL_TYPE + "', was '" + detailType + "'");
        }
    }

    /** The payload an alarm's Lambda action sends: no envelope, the alarm in {@code alarmData}. */
    private static ControllerEvent alarmAction(Map<String, Object> event) {
        expect("source", string(event, "source"), "aws.cloudwatch", "for an alarm action payload");
        String arn = string(event, "alarmArn");
        if (!isAlarmArn(arn)) {
            throw new InvalidEventException("alarmArn: must be a CloudWatch alarm ARN"
                    + " (arn:aws:cloudwatch:REGION:ACCOUNT:alarm:NAME), was '" + arn + "'");
        }
        account(event, "accountId");
        Instant time = instant(event, "time");
        string(event, "region");
        ControllerEvent parsed =
                alarm(null, time, normalise(arn), object(event, "alarmData", "alarmData"), "alarmData");
        return new ControllerEvent(
                parsed.kind(),
                parsed.deliveryKey(),
                time,
                parsed.alarmName(),
                parsed.alarmState(),
                parsed.previousState(),
                parsed.alarmArn(),
                parsed.stateChangedAt());
    }

    private static ControllerEvent alarm(String id, Instant time, String arn, Map<String, Object> data, String path) {
        String alarmName = string(data, path + ".alarmName", "alarmName");
        Map<String, Object> state = object(data, path + ".state", "state");
        String value = state(state, path + ".state");
        Instant changedAt = instant(state, path + ".state.timestamp", "timestamp");
        String previous = state(object(data, path + ".previousState", "previousState"), path + ".previousState");
        return new ControllerEvent(Kind.ALARM_STATE_CHANGE, id, time, alarmName, value, previous, arn, changedAt);
    }

    private static String state(Map<String, Object> state, String path) {
        String value = string(state, path + ".value", "value");
        if (!ALARM_STATES.contains(value)) {
            throw new InvalidEventException(path + ".value: must be one of "
                    + ALARM_STATES.stream().sorted().toList() + ", was '" + value + "'");
        }
        return value;
    }

    private static boolean isAlarmArn(String text) {
        return ALARM_ARN.matcher(normalise(text)).matches();
    }

    /** Without whitespace (the documented Lambda action example has a space inside its ARN). */
    private static String normalise(String text) {
        return text.replaceAll("\\s", "");
    }

    private static void account(Map<String, Object> map, String field) {
        String account = string(map, field);
        if (!account.matches("\\d{12}")) {
            throw new InvalidEventException(field + ": must be a 12-digit account id, was '" + account + "'");
        }
    }

    private static void expect(String field, String actual, String expected, String context) {
        if (!expected.equals(actual)) {
            throw new InvalidEventException(
                    field + ": must be '" + expected + "' " + context + ", was '" + actual + "'");
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> object(Map<String, Object> map, String path, String field) {
        Object v = map.get(field);
        if (!(v instanceof Map)) {
            throw new InvalidEventException(path + ": must be an object, was " + describe(v));
        }
        return (Map<String, Object>) v;
    }

    private static String string(Map<String, Object> map, String field) {
        return string(map, field, field);
    }

    private static String string(Map<String, Object> map, String path, String field) {
        Object v = map.get(field);
        if (v == null) {
            throw new InvalidEventException(path + ": missing");
        }
        if (!(v instanceof String s)) {
            throw new InvalidEventException(path + ": must be a string, was " + describe(v));
        }
        if (s.isBlank()) {
            throw new InvalidEventException(path + ": must not be blank");
        }
        return s;
    }

    private static Instant instant(Map<String, Object> map, String field) {
        return instant(map, field, field);
    }

    private static Instant instant(Map<String, Object> map, String path, String field) {
        String text = string(map, path, field);
        try {
            return OffsetDateTime.parse(normalise(text), TIMESTAMP).toInstant();
        } catch (DateTimeParseException e) {
            throw new InvalidEventException(path + ": must be an ISO-8601 instant like 2026-11-21T10:00:00Z or"
                    + " 2026-11-21T10:00:00.000+0000, was '" + text + "'");
        }
    }

    private static String describe(Object v) {
        return v == null ? "missing" : v.getClass().getSimpleName() + " " + v;
    }
}
