package io.kinesisha.common.control;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * One line of a pair's audit trail: why the controller decided something (with the evidence it saw), what it did,
 * and what each health evaluation found. Stored beside the control record ({@code pair#<name>#audit} /
 * {@code <ISO instant>#<uuid>}), so the sort key orders the trail by time and never collides.
 */
public final class AuditEntry {
    /** What an entry records. */
    public enum Kind {
        /** A state transition was decided (or rejected), with the evidence behind it. */
        DECISION,
        /** An action changed (or found already changed) something outside the control store. */
        ACTION,
        /** A health evaluation, with every input the policy saw. */
        EVALUATION
    }

    private static final DateTimeFormatter SORTABLE_INSTANT =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.nnnnnnnnn'Z'").withZone(ZoneOffset.UTC);

    private final String pairName;
    private final Instant at;
    private final String id;
    private final Kind kind;
    private final String message;
    private final Map<String, String> evidence;

    public AuditEntry(String pairName, Instant at, String id, Kind kind, String message, Map<String, String> evidence) {
        this.pairName = Objects.requireNonNull(pairName, "pairName");
        this.at = Objects.requireNonNull(at, "at");
        this.id = Objects.requireNonNull(id, "id");
        this.kind = Objects.requireNonNull(kind, "kind");
        this.message = Objects.requireNonNull(message, "message");
        this.evidence = Collections.unmodifiableMap(new LinkedHashMap<>(evidence == null ? Map.of() : evidence));
    }

    /** A new entry with a random id. */
    public static AuditEntry of(String pairName, Instant at, Kind kind, String message, Map<String, String> evidence) {
        return new AuditEntry(pairName, at, UUID.randomUUID().toString(), kind, message, evidence);
    }

    public String pairName() {
        return pairName;
    }

    public Instant at() {
        return at;
    }

    public String id() {
        return id;
    }

    public Kind kind() {
        return kind;
    }

    public String message() {
        return message;
    }

    public Map<String, String> evidence() {
        return evidence;
    }

    /** The sort key: ISO instant with fixed nanosecond width (so string order is time order), then the id. */
    public String sortKey() {
        return SORTABLE_INSTANT.format(at) + "#" + id;
    }

    @Override
    public String toString() {
        return "AuditEntry{" + at + " " + kind + " " + message + " " + evidence + "}";
    }
}
