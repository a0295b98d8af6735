package io.kinesisha.controller.consumers;

import java.time.Instant;
import java.util.Objects;

/**
 * How far one consumer had got in the source stream, by its own progress rather than replication's: every record
 * that arrived in the source at or before {@link #processedUpTo()} was processed. Unknown when its progress could
 * not be read (then {@link #basis()} says why).
 */
public record ConsumerPosition(String consumer, Instant processedUpTo, String basis) {
    public ConsumerPosition {
        Objects.requireNonNull(consumer, "consumer");
        Objects.requireNonNull(basis, "basis");
    }

    public static ConsumerPosition unknown(String consumer, String why) {
        return new ConsumerPosition(consumer, null, why);
    }

    public boolean known() {
        return processedUpTo != null;
    }
}
