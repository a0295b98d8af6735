package io.kinesisha.controller.actions;

import io.kinesisha.controller.time.ControllerTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.EventSourceMappingConfiguration;
import software.amazon.awssdk.services.lambda.model.EventSourcePosition;
import software.amazon.awssdk.services.lambda.model.ResourceNotFoundException;

/**
 * Moves consumer Lambda functions by their Kinesis event source mappings. A mapping keeps its own checkpoint and
 * cannot take a new start position, so enabling an old one in the new region would resume wherever it last stopped
 * (a flood of duplicates, or a gap once that position is trimmed). Start therefore makes sure the function reads the
 * stream from a mapping created at {@code AT_TIMESTAMP} of the given time: a mapping already there is kept,
 * any other is deleted and created again with the same settings and the same event source (the stream, or the EFO
 * consumer it read through). Without a mapping in the region, the settings come from a template (the function's
 * mapping in the other region) or the defaults. Stop: every enabled mapping of the function to the stream is disabled.
 */
public final class ConsumerAction {
    private static final Set<String> OFF = Set.of("Disabled", "Disabling");
    static final Duration POLL = Duration.ofSeconds(2);
    static final Duration DELETION_TIMEOUT = Duration.ofMinutes(2);

    private ConsumerAction() {}

    /** As below, without a template and with the default deletion wait. */
    public static Action start(
            LambdaClient lambda,
            String region,
            String function,
            String streamArn,
            Instant startingTimestamp,
            int batchSize) {
        return start(
                lambda,
                region,
                function,
                streamArn,
                startingTimestamp,
                batchSize,
                Optional::empty,
                null,
                POLL,
                DELETION_TIMEOUT);
    }

    /**
     * @param template the settings to create with when the region has no mapping of the function to the stream
     *                 (read only then; empty: {@code batchSize} and the service defaults)
     * @param createdSince a mapping at {@code AT_TIMESTAMP} created (last modified) since then is this operation's
     *                     own, kept even when a re-run plans another timestamp ({@code null}: only the same one)
     * @param poll     how often to look whether a deleted mapping is gone (Lambda refuses a second mapping of the
     *                 same function and source until then)
     */
    public static Action start(
            LambdaClient lambda,
            String region,
            String function,
            String streamArn,
            Instant startingTimestamp,
            int batchSize,
            Supplier<Optional<EventSourceMappingConfiguration>> template,
            Instant createdSince,
            Duration poll,
            Duration deletionTimeout) {
        return start(
                lambda,
                region,
                function,
                streamArn,
                startingTimestamp,
                batchSize,
                template,
                createdSince,
                poll,
                deletionTimeout,
                ControllerTime.system());
    }

    /** As above, waiting for a deleted mapping on {@code time}'s clock and sleeper. */
    public static Action start(
            LambdaClient lambda,
            String region,
            String function,
            String streamArn,
            Instant startingTimestamp,
            int batchSize,
            Supplier<Optional<EventSourceMappingConfiguration>> template,
            Instant createdSince,
            Duration poll,
            Duration deletionTimeout,
            ControllerTime time) {
        return new Action() {
            @Override
            public String name() {
                return "start consumer " + function + " on " + streamArn + " at " + startingTimestamp;
            }

            @Override
            public List<ApiCall> describe() {
                List<EventSourceMappingConfiguration> existing = mappings(lambda, function, streamArn);
                if (existing.stream().anyMatch(this::current)) {
                    return List.of();
                }
                List<ApiCall> calls = new ArrayList<>();
                existing.forEach(m -> calls.add(new ApiCall(
                        "lambda",
                        "DeleteEventSourceMapping",
                        region,
                        Map.of("UUID", m.uuid(), "why", "a mapping cannot take a new start position"))));
                String source = existing.isEmpty() ? streamArn : existing.get(0).eventSourceArn();
                calls.add(new ApiCall(
                        "lambda",
                        "CreateEventSourceMapping",
                        region,
                        Map.of(
                                "FunctionName",
                                function,
                                "EventSourceArn",
                                source,
                                "StartingPosition",
                                "AT_TIMESTAMP",
                                "StartingPositionTimestamp",
                                startingTimestamp.toString(),
                                "Enabled",
                                "true",
                                "settings",
                                existing.isEmpty()
                                        ? "from the other region's mapping, else BatchSize " + batchSize
                                        : "those of " + existing.get(0).uuid())));
                return calls;
            }

            @Override
            public ActionResult execute() {
                List<EventSourceMappingConfiguration> existing = mappings(lambda, function, streamArn);
                Optional<EventSourceMappingConfiguration> current =
                        existing.stream().filter(this::current).findFirst();
                if (current.isPresent()) {
                    return ActionResult.unchanged(
                            name(), Map.of("uuid", current.get().uuid()));
                }
                Map<String, String> outputs = new LinkedHashMap<>();
                List<ApiCall> calls = new ArrayList<>();
                EventSourceMappingConfiguration settings;
                String source;
                if (existing.isEmpty()) {
                    Optional<EventSourceMappingConfiguration> t = template.get();
                    settings = t.orElse(null);
                    source = t.map(EventSourceMappingConfiguration::eventSourceArn)
                            .filter(a -> reads(a, streamArn))
                            .orElse(streamArn);
                    outputs.put("settings", t.map(m -> "from " + m.uuid()).orElse("defaults, BatchSize " + batchSize));
                } else {
                    settings = existing.get(0);
                    source = settings.eventSourceArn();
                    outputs.put("settings", "from " + settings.uuid());
                    for (EventSourceMappingConfiguration m : existing) {
                        lambda.deleteEventSourceMapping(b -> b.uuid(m.uuid()));
                        calls.add(new ApiCall("lambda", "DeleteEventSourceMapping", region, Map.of("UUID", m.uuid())));
                    }
                    for (EventSourceMappingConfiguration m : existing) {
                        awaitGone(m.uuid());
                    }
                    outputs.put(
                            "replaced",
                            String.join(
                                    ",",
                                    existing.stream()
                                            .map(EventSourceMappingConfiguration::uuid)
                                            .toList()));
                }
                String uuid = lambda.createEventSourceMapping(b -> {
                            b.functionName(function)
                                    .eventSourceArn(source)
                                    .enabled(true)
                                    .startingPosition(EventSourcePosition.AT_TIMESTAMP)
                                    .startingPositionTimestamp(startingTimestamp);
                            if (settings == null) {
                                b.batchSize(batchSize);
                            } else {
                                MappingSettings.copy(settings, b);
                            }
                        })
                        .uuid();
                calls.add(new ApiCall(
                        "lambda",
                        "CreateEventSourceMapping",
                        region,
                        Map.of(
                                "FunctionName",
                                function,
                                "EventSourceArn",
                                source,
                                "StartingPosition",
                                "AT_TIMESTAMP",
                                "StartingPositionTimestamp",
                                startingTimestamp.toString(),
                                "Enabled",
                                "true")));
                outputs.put("uuid", uuid);
                outputs.put("eventSource", source);
                return new ActionResult(name(), true, calls, outputs);
            }

            /**
             * Ours already, not switched off: created at this very timestamp (to the second, as the API keeps it),
             * or at {@code AT_TIMESTAMP} since {@code createdSince}.
             */
            private boolean current(EventSourceMappingConfiguration m) {
                if (m.startingPosition() != EventSourcePosition.AT_TIMESTAMP
                        || m.startingPositionTimestamp() == null
                        || OFF.contains(m.state())
                        || "Deleting".equals(m.state())) {
                    return false;
                }
                return m.startingPositionTimestamp().getEpochSecond() == startingTimestamp.getEpochSecond()
                        || (createdSince != null
                                && m.lastModified() != null
                                && !m.lastModified().isBefore(createdSince));
            }

            private void awaitGone(String uuid) {
                ControllerTime.Stopwatch waited = time.stopwatch();
                while (true) {
                    try {
                        String state =
                                lambda.getEventSourceMapping(b -> b.uuid(uuid)).state();
                        if (waited.elapsed().compareTo(deletionTimeout) > 0) {
                            throw new IllegalStateException("event source mapping " + uuid + " of " + function
                                    + " is still " + state + " after " + deletionTimeout.toSeconds()
                                    + " s; the step creates its replacement when run again");
                        }
                    } catch (ResourceNotFoundException gone) {
                        return;
                    }
                    try {
                        time.sleep(poll);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException("interrupted while mapping " + uuid + " was being deleted", e);
                    }
                }
            }
        };
    }

    public static Action stop(LambdaClient lambda, String region, String function, String streamArn) {
        return new Action() {
            @Override
            public String name() {
                return "stop consumer " + function + " on " + streamArn;
            }

            @Override
            public List<ApiCall> describe() {
                return plan(mappings(lambda, function, streamArn));
            }

            @Override
            public ActionResult execute() {
                List<ApiCall> calls = plan(mappings(lambda, function, streamArn));
                for (ApiCall call : calls) {
                    lambda.updateEventSourceMapping(
                            b -> b.uuid(call.parameters().get("UUID")).enabled(false));
                }
                return calls.isEmpty()
                        ? ActionResult.unchanged(name(), Map.of())
                        : new ActionResult(name(), true, calls, Map.of());
            }

            private List<ApiCall> plan(List<EventSourceMappingConfiguration> existing) {
                List<ApiCall> calls = new ArrayList<>();
                for (EventSourceMappingConfiguration m : existing) {
                    if (!OFF.contains(m.state()) && !"Deleting".equals(m.state())) {
                        calls.add(enable(region, m.uuid(), false));
                    }
                }
                return calls;
            }
        };
    }

    /**
     * Every mapping of {@code function} that reads {@code streamArn}, directly or through one of its EFO consumers
     * (their ARNs extend the stream's: {@code .../stream/NAME/consumer/CONSUMER:CREATED}), following pagination.
     * Listed by function only: a filter on the event source would miss the EFO mappings.
     */
    public static List<EventSourceMappingConfiguration> mappings(
            LambdaClient lambda, String function, String streamArn) {
        List<EventSourceMappingConfiguration> all = new ArrayList<>();
        lambda.listEventSourceMappingsPaginator(b -> b.functionName(function))
                .eventSourceMappings()
                .forEach(m -> {
                    if (reads(m.eventSourceArn(), streamArn)) {
                        all.add(m);
                    }
                });
        return all;
    }

    /** True for the stream's ARN and those of its EFO consumers. */
    public static boolean reads(String eventSourceArn, String streamArn) {
        return eventSourceArn != null
                && (eventSourceArn.equals(streamArn) || eventSourceArn.startsWith(streamArn + "/consumer/"));
    }

    private static ApiCall enable(String region, String uuid, boolean enabled) {
        return new ApiCall(
                "lambda",
                "UpdateEventSourceMapping",
                region,
                Map.of("UUID", uuid, "Enabled", Boolean.toString(enabled)));
    }
}
