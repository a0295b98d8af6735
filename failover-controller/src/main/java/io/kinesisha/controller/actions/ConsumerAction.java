package io.kinesisha.controller.actions;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.EventSourceMappingConfiguration;
import software.amazon.awssdk.services.lambda.model.EventSourcePosition;

/**
 * Moves consumer Lambda functions by their Kinesis event source mappings. Start: an existing mapping of the
 * function to the stream is enabled (its position is the one it kept); without one, a mapping is created at
 * {@code AT_TIMESTAMP} of the translated position, so consumers in the new region resume where the old ones
 * stopped rather than at LATEST (loss) or TRIM_HORIZON (a flood of duplicates). Stop: every enabled mapping of
 * the function to the stream is disabled.
 */
public final class ConsumerAction {
    private static final Set<String> ON = Set.of("Enabled", "Enabling", "Creating");
    private static final Set<String> OFF = Set.of("Disabled", "Disabling");

    private ConsumerAction() {
    }

    public static Action start(LambdaClient lambda, String region, String function, String streamArn,
                               Instant startingTimestamp, int batchSize) {
        return new Action() {
            @Override
            public String name() {
                return "start consumer " + function + " on " + streamArn;
            }

            @Override
            public List<ApiCall> describe() {
                return plan(mappings(lambda, function, streamArn));
            }

            @Override
            public ActionResult execute() {
                List<EventSourceMappingConfiguration> existing = mappings(lambda, function, streamArn);
                List<ApiCall> calls = plan(existing);
                if (calls.isEmpty()) {
                    return ActionResult.unchanged(name(), Map.of("uuid", existing.get(0).uuid()));
                }
                String uuid;
                if (existing.isEmpty()) {
                    uuid = lambda.createEventSourceMapping(b -> b.functionName(function).eventSourceArn(streamArn)
                            .startingPosition(EventSourcePosition.AT_TIMESTAMP).startingPositionTimestamp(startingTimestamp)
                            .batchSize(batchSize).enabled(true)).uuid();
                } else {
                    uuid = existing.get(0).uuid();
                    lambda.updateEventSourceMapping(b -> b.uuid(uuid).enabled(true));
                }
                return new ActionResult(name(), true, calls, Map.of("uuid", uuid));
            }

            private List<ApiCall> plan(List<EventSourceMappingConfiguration> existing) {
                if (existing.isEmpty()) {
                    return List.of(new ApiCall("lambda", "CreateEventSourceMapping", region, Map.of("FunctionName", function,
                            "EventSourceArn", streamArn, "StartingPosition", "AT_TIMESTAMP",
                            "StartingPositionTimestamp", startingTimestamp.toString(),
                            "BatchSize", Integer.toString(batchSize), "Enabled", "true")));
                }
                if (existing.stream().anyMatch(m -> ON.contains(m.state()))) {
                    return List.of();
                }
                return List.of(enable(region, existing.get(0).uuid(), true));
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
                    lambda.updateEventSourceMapping(b -> b.uuid(call.parameters().get("UUID")).enabled(false));
                }
                return calls.isEmpty() ? ActionResult.unchanged(name(), Map.of())
                        : new ActionResult(name(), true, calls, Map.of());
            }

            private List<ApiCall> plan(List<EventSourceMappingConfiguration> existing) {
                List<ApiCall> calls = new ArrayList<>();
                for (EventSourceMappingConfiguration m : existing) {
                    if (!OFF.contains(m.state())) {
                        calls.add(enable(region, m.uuid(), false));
                    }
                }
                return calls;
            }
        };
    }

    /** Every mapping of {@code function} to {@code streamArn}, following pagination. */
    static List<EventSourceMappingConfiguration> mappings(LambdaClient lambda, String function, String streamArn) {
        List<EventSourceMappingConfiguration> all = new ArrayList<>();
        lambda.listEventSourceMappingsPaginator(b -> b.functionName(function).eventSourceArn(streamArn))
                .eventSourceMappings().forEach(all::add);
        return all;
    }

    private static ApiCall enable(String region, String uuid, boolean enabled) {
        return new ApiCall("lambda", "UpdateEventSourceMapping", region, Map.of("UUID", uuid, "Enabled",
                Boolean.toString(enabled)));
    }
}
