package io.kinesisha.controller.health;

import java.time.Instant;

/** What CloudWatch says about one stream over [{@code from}, {@code to}): error rate in percent and iterator age. */
public record StreamSignals(String streamName, Instant from, Instant to, Series errorRatePercent,
                            Series iteratorAgeMillis) {
}
