package io.kinesisha.replicator.source.split;

import java.io.Serializable;
import java.time.Instant;
import java.util.Objects;
import software.amazon.awssdk.services.kinesis.model.ShardIteratorType;
import software.amazon.awssdk.services.kinesis.model.StartingPosition;

/**
 * Where reading a shard starts: TRIM_HORIZON, LATEST, AT_TIMESTAMP, AT_ or AFTER_SEQUENCE_NUMBER. A split's
 * position moves to AFTER_SEQUENCE_NUMBER of the last record emitted, so a restore resumes exactly there.
 */
public final class ShardStartingPosition implements Serializable {
    private static final long serialVersionUID = 1L;

    private final ShardIteratorType type;
    private final String sequenceNumber;
    private final Instant timestamp;

    private ShardStartingPosition(ShardIteratorType type, String sequenceNumber, Instant timestamp) {
        this.type = Objects.requireNonNull(type, "type");
        this.sequenceNumber = sequenceNumber;
        this.timestamp = timestamp;
    }

    public static ShardStartingPosition trimHorizon() {
        return new ShardStartingPosition(ShardIteratorType.TRIM_HORIZON, null, null);
    }

    public static ShardStartingPosition latest() {
        return new ShardStartingPosition(ShardIteratorType.LATEST, null, null);
    }

    public static ShardStartingPosition atTimestamp(Instant timestamp) {
        return new ShardStartingPosition(ShardIteratorType.AT_TIMESTAMP, null, Objects.requireNonNull(timestamp));
    }

    public static ShardStartingPosition atSequenceNumber(String sequenceNumber) {
        return new ShardStartingPosition(
                ShardIteratorType.AT_SEQUENCE_NUMBER, Objects.requireNonNull(sequenceNumber), null);
    }

    public static ShardStartingPosition afterSequenceNumber(String sequenceNumber) {
        return new ShardStartingPosition(
                ShardIteratorType.AFTER_SEQUENCE_NUMBER, Objects.requireNonNull(sequenceNumber), null);
    }

    public ShardIteratorType type() {
        return type;
    }

    public String sequenceNumber() {
        return sequenceNumber;
    }

    public Instant timestamp() {
        return timestamp;
    }

    /** The SubscribeToShard form of this position. */
    public StartingPosition toStartingPosition() {
        return StartingPosition.builder()
                .type(type)
                .sequenceNumber(sequenceNumber)
                .timestamp(timestamp)
                .build();
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof ShardStartingPosition)) {
            return false;
        }
        ShardStartingPosition p = (ShardStartingPosition) o;
        return type == p.type
                && Objects.equals(sequenceNumber, p.sequenceNumber)
                && Objects.equals(timestamp, p.timestamp);
    }

    @Override
    public int hashCode() {
        return Objects.hash(type, sequenceNumber, timestamp);
    }

    @Override
    public String toString() {
        return type + (sequenceNumber != null ? " " + sequenceNumber : "") + (timestamp != null ? " " + timestamp : "");
    }
}
