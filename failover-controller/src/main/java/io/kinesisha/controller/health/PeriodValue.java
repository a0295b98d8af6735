package io.kinesisha.controller.health;

import java.time.Instant;
import java.util.Objects;

/** One period of a metric: its start and value, or explicitly missing (no datapoint in that period). */
public record PeriodValue(Instant start, Double value) {
    public PeriodValue {
        Objects.requireNonNull(start, "start");
    }

    public static PeriodValue missing(Instant start) {
        return new PeriodValue(start, null);
    }

    public boolean isMissing() {
        return value == null;
    }

    @Override
    public String toString() {
        return isMissing() ? "MISSING" : String.format(java.util.Locale.ROOT, "%.3f", value);
    }
}
