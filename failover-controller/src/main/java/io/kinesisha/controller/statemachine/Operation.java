package io.kinesisha.controller.statemachine;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.UUID;

/**
 * An operation in flight, persisted in the control record: its plan, how far it got ({@link #currentStep()} is
 * the index of the next step to run; equal to the number of steps when finished) and the parameters steps share
 * (target region, consumer starting timestamp, saved producer concurrency, ...). Immutable: each advance is a new
 * value written by one conditional write.
 */
public record Operation(
        String id,
        OperationType type,
        List<Step> steps,
        int currentStep,
        Instant startedAt,
        Instant updatedAt,
        Map<String, String> parameters) {
    public Operation {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(type, "type");
        steps = List.copyOf(steps);
        if (currentStep < 0 || currentStep > steps.size()) {
            throw new IllegalArgumentException("current step " + currentStep + " outside 0.." + steps.size());
        }
        Objects.requireNonNull(startedAt, "startedAt");
        Objects.requireNonNull(updatedAt, "updatedAt");
        parameters = Map.copyOf(parameters);
    }

    /** A new operation of {@code type} at its first step. */
    public static Operation start(OperationType type, Map<String, String> parameters, Instant now) {
        return new Operation(UUID.randomUUID().toString(), type, type.steps(), 0, now, now, parameters);
    }

    public boolean finished() {
        return currentStep == steps.size();
    }

    /** The step to run next. */
    public Step step() {
        if (finished()) {
            throw new IllegalStateException("operation " + id + " has no step left");
        }
        return steps.get(currentStep);
    }

    /** This operation with {@code completed} done; fails if that is not the current step (a stale runner). */
    public Operation advance(Step completed, Instant now) {
        if (step() != completed) {
            throw new IllegalStateException("operation " + id + " is at " + step() + ", not " + completed);
        }
        return new Operation(id, type, steps, currentStep + 1, startedAt, now, parameters);
    }

    public Operation withParameter(String key, String value, Instant now) {
        Map<String, String> p = new TreeMap<>(parameters);
        p.put(key, value);
        return new Operation(id, type, steps, currentStep, startedAt, now, p);
    }

    public String parameter(String key) {
        return parameters.get(key);
    }
}
