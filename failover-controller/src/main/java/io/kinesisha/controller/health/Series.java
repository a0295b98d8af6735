package io.kinesisha.controller.health;

import java.util.List;
import java.util.OptionalDouble;

/**
 * A metric over the evaluation window, one {@link PeriodValue} per period in time order, with CloudWatch's status
 * code for it ({@code Complete}, {@code PartialData}, ...).
 */
public record Series(String name, List<PeriodValue> values, String statusCode) {
    public Series {
        values = List.copyOf(values);
    }

    public long missingCount() {
        return values.stream().filter(PeriodValue::isMissing).count();
    }

    public OptionalDouble mean() {
        return values.stream()
                .filter(v -> !v.isMissing())
                .mapToDouble(PeriodValue::value)
                .average();
    }

    public OptionalDouble max() {
        return values.stream()
                .filter(v -> !v.isMissing())
                .mapToDouble(PeriodValue::value)
                .max();
    }

    @Override
    public String toString() {
        return values.toString();
    }
}
