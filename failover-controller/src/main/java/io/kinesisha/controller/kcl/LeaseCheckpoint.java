package io.kinesisha.controller.kcl;

import io.kinesisha.common.kinesis.SequenceNumbers;

/**
 * A KCL lease's checkpoint read as "which records of its shard has the application finished": everything up to a
 * sequence number, the whole shard ({@code SHARD_END}), or nothing. The start sentinels (TRIM_HORIZON, LATEST,
 * AT_TIMESTAMP) count as nothing finished, which can only cause duplicates, never a skip. A checkpoint inside an
 * aggregated record ({@code partial}: a sub-sequence number above 0) leaves that record unfinished.
 */
public record LeaseCheckpoint(String value, boolean partial) {
    public static final String SHARD_END = "SHARD_END";
    public static final String TRIM_HORIZON = "TRIM_HORIZON";
    /** No lease for the shard: the application has not read it. */
    public static final LeaseCheckpoint NONE = new LeaseCheckpoint(TRIM_HORIZON);

    /** A checkpoint at a whole record (sub-sequence number 0) or a sentinel. */
    public LeaseCheckpoint(String value) {
        this(value, false);
    }

    /** True when the application has finished the record with {@code sequenceNumber}. */
    public boolean covers(String sequenceNumber) {
        if (SHARD_END.equals(value)) {
            return true;
        }
        if (!isSequenceNumber()) {
            return false;
        }
        int order = SequenceNumbers.compare(sequenceNumber, value);
        return partial ? order < 0 : order <= 0;
    }

    /** True when the checkpoint is at or after {@code sequenceNumber} of the same shard (or the shard is done). */
    public boolean atOrAfter(String sequenceNumber) {
        return sequenceNumber == null || covers(sequenceNumber);
    }

    public boolean isSequenceNumber() {
        return value != null && !value.isEmpty() && value.chars().allMatch(Character::isDigit);
    }
}
