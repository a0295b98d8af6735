package io.kinesisha.controller.lambda;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The two events the controller Lambda accepts, checked field by field: a CloudWatch alarm state change
 * ({@code source} aws.cloudwatch) and an EventBridge schedule ({@code source} aws.events). Anything else is
 * rejected with the first field that is wrong, so a misrouted rule shows up in the log instead of acting.
 */
public record ControllerEvent(Kind kind, String id, Instant time, String alarmName, String alarmState) {
    public enum Kind { ALARM_STATE_CHANGE, SCHEDULED }

    static final String ALARM_DETAIL_TYPE = "CloudWatch Alarm State Change";
    static final String SCHEDULED_DETAIL_TYPE = "Scheduled Event";
    static final Set<String> ALARM_STATES = Set.of("OK", "ALARM", "INSUFFICIENT_DATA");

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

    public static ControllerEvent parse(Map<String, Object> event) {
        if (event == null) {
            throw new InvalidEventException("event: missing (null)");
        }
        String detailType = string(event, "detail-type");
        String source = string(event, "source");
        String id = string(event, "id");
        Instant time = instant(event, "time");
        string(event, "region");
        String account = string(event, "account");
        if (!account.matches("\\d{12}")) {
            throw new InvalidEventException("account: must be a 12-digit account id, was '" + account + "'");
        }
        Object resources = event.get("resources");
        if (!(resources instanceof List)) {
            throw new InvalidEventException("resources: must be a list, was " + describe(resources));
        }
        Object detail = event.get("detail");
        if (!(detail instanceof Map)) {
            throw new InvalidEventException("detail: must be an object, was " + describe(detail));
        }
        switch (detailType) {
            case ALARM_DETAIL_TYPE -> {
                expect("source", source, "aws.cloudwatch", detailType);
                @SuppressWarnings("unchecked")
                Map<String, Object> d = (Map<String, Object>) detail;
                String alarmName = string(d, "detail.alarmName", "alarmName");
                Object state = d.get("state");
                if (!(state instanceof Map)) {
                    throw new InvalidEventException("detail.state: must be an object, was " + describe(state));
                }
                @SuppressWarnings("unchecked")
                String value = string((Map<String, Object>) state, "detail.state.value", "value");
                if (!ALARM_STATES.contains(value)) {
                    throw new InvalidEventException("detail.state.value: must be one of " + ALARM_STATES.stream().sorted().toList()
                            + ", was '" + value + "'");
                }
                return new ControllerEvent(Kind.ALARM_STATE_CHANGE, id, time, alarmName, value);
            }
            case SCHEDULED_DETAIL_TYPE -> {
                expect("source", source, "aws.events", detailType);
                return new ControllerEvent(Kind.SCHEDULED, id, time, null, null);
            }
            default -> throw new InvalidEventException("detail-type: must be '" + ALARM_DETAIL_TYPE + "' or '"
                    + SCHEDULED_DETAIL_TYPE + "', was '" + detailType + "'");
        }
    }

    private static void expect(String field, String actual, String expected, String detailType) {
        if (!expected.equals(actual)) {
            throw new InvalidEventException(field + ": must be '" + expected + "' for detail-type '" + detailType
                    + "', was '" + actual + "'");
        }
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
        String text = string(map, field);
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw new InvalidEventException(field + ": must be an ISO-8601 instant like 2026-11-21T10:00:00Z, was '"
                    + text + "'");
        }
    }

    private static String describe(Object v) {
        return v == null ? "missing" : v.getClass().getSimpleName() + " " + v;
    }
}
