package io.kinesisha.controller.health;

import java.time.Instant;
import java.util.Locale;
import java.util.OptionalDouble;

/**
 * What CloudWatch says about one stream over [{@code from}, {@code to}): the primary's failed calls and records
 * against all of them (throttled ones kept apart: too little capacity is not an outage), per period as well for the
 * audit, and how far its readers are behind (their health, not the stream's).
 */
public record StreamSignals(
        String streamName, Instant from, Instant to, Counts window, Series errorRatePercent, Series iteratorAgeMillis) {

    /**
     * Calls and records over the window: {@code total} PutRecord, GetRecords and SubscribeToShard calls plus
     * PutRecords records; {@code failed} of them failed for other reasons than throttling; {@code throttled} were
     * refused for capacity (WriteProvisionedThroughputExceeded, ReadProvisionedThroughputExceeded).
     */
    public record Counts(double total, double failed, double throttled) {
        /** Failed as a percentage of all calls and records; empty when there were none (an idle stream). */
        public OptionalDouble errorRatePercent() {
            return total > 0 ? OptionalDouble.of(100 * failed / total) : OptionalDouble.empty();
        }

        @Override
        public String toString() {
            return String.format(
                    Locale.ROOT, "%.0f failed of %.0f calls and records, %.0f throttled", failed, total, throttled);
        }
    }
}
