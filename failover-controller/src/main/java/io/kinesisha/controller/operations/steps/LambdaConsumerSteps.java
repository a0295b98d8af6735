package io.kinesisha.controller.operations.steps;

import io.kinesisha.common.control.ControlRecord;
import io.kinesisha.common.control.ReplicationDirection;
import io.kinesisha.common.control.ShardProgress;
import io.kinesisha.controller.actions.ActionResult;
import io.kinesisha.controller.actions.ConsumerAction;
import io.kinesisha.controller.consumers.ConsumerKindReport;
import io.kinesisha.controller.consumers.ConsumerPosition;
import io.kinesisha.controller.consumers.LambdaProgress;
import io.kinesisha.controller.consumers.LambdaStart;
import io.kinesisha.controller.operations.PairContext;
import io.kinesisha.controller.statemachine.Operation;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.lambda.model.EventSourceMappingConfiguration;

/**
 * The Lambda consumers' part of a switch: each function's own position in the source (its IteratorAge in the
 * source region, read when consumers start, after producers moved, so a slow or unreachable CloudWatch in a failed
 * region costs no RTO) goes through the fenced direction's progress rows and the cut to an {@code AT_TIMESTAMP} per
 * function ({@link LambdaStart}), and the mapping is recreated there. A step run again keeps a mapping this
 * operation already created.
 */
final class LambdaConsumerSteps {
    /** How far back the IteratorAge is read: also where a function without a batch in it is taken to be. */
    static final Duration PROGRESS_WINDOW = Duration.ofMinutes(15);

    private final PairContext ctx;
    private final java.util.function.Consumer<String> before;

    /** @param before checks the operation's runner lease before each side effect (it throws when the lease is lost) */
    LambdaConsumerSteps(PairContext ctx, java.util.function.Consumer<String> before) {
        this.ctx = ctx;
        this.before = before;
    }

    /** Recreates every consumer function's mapping in the active region at its planned start; evidence per function. */
    Map<String, String> start(Operation op, ControlRecord record, ReplicationDirection from, long fromEpoch) {
        String active = record.activeRegion();
        List<ShardProgress> rows = from == null ? List.of() : ctx.store().readProgress(ctx.pair(), from, fromEpoch);
        Instant cut = cut(op, active, record.epoch());
        Map<String, String> evidence = new LinkedHashMap<>();
        List<LambdaStart> starts = new ArrayList<>();
        for (String fn : ctx.consumerFunctions()) {
            ConsumerPosition position = from == null
                    ? ConsumerPosition.unknown(fn, "no replication direction was fenced")
                    : new LambdaProgress(ctx.cloudWatch(from.sourceRegion()), ctx.clock(), PROGRESS_WINDOW)
                            .position(fn);
            LambdaStart start = LambdaStart.plan(position, rows, cut, LambdaStart.DEFAULT_MARGIN);
            starts.add(start);
            before.accept("start consumer " + fn + " in " + active);
            ActionResult r = ConsumerAction.start(
                            ctx.lambda(active),
                            active,
                            fn,
                            ctx.streamArn(active),
                            start.timestamp(),
                            StartConsumers.CONSUMER_BATCH_SIZE,
                            () -> template(from, active, fn),
                            op.startedAt(),
                            Duration.ofSeconds(2),
                            Duration.ofMinutes(2),
                            ctx.time())
                    .execute();
            evidence.put(
                    "consumer." + fn,
                    r.changed()
                            ? "mapping " + r.outputs().get("uuid") + " created at "
                                    + start.timestamp() + " on " + r.outputs().get("eventSource")
                                    + (r.outputs().containsKey("replaced")
                                            ? ", replacing " + r.outputs().get("replaced")
                                            : "")
                                    + ", settings " + r.outputs().get("settings")
                            : "mapping " + r.outputs().get("uuid") + " already at " + start.timestamp());
            evidence.put(
                    "consumer." + fn + ".position",
                    position.known()
                            ? position.processedUpTo() + " (" + position.basis() + ")"
                            : "unknown (" + position.basis() + ")");
            evidence.putAll(start.evidence("consumer." + fn + "."));
        }
        if (!starts.isEmpty()) {
            evidence.put(
                    "consumers.kind.lambda", ConsumerKindReport.lambda(starts).summary());
        }
        return evidence;
    }

    /** The cut of the newly active region (records written after it are new), else the fence time, else now. */
    private Instant cut(Operation op, String active, long epoch) {
        return ctx.ledger()
                .latestCut(ctx.pair(), active, epoch)
                .map(io.kinesisha.common.control.StreamCut::takenAt)
                .or(() -> Optional.ofNullable(StepParameters.FENCED_AT.in(op)))
                .orElseGet(() -> ctx.clock().instant());
    }

    /**
     * The function's mapping in the source region, for its settings, when the active region has none: best effort
     * (the source region may be down). An EFO consumer there becomes the consumer of the same name on the active
     * stream when that one is registered, else the stream itself.
     */
    private Optional<EventSourceMappingConfiguration> template(ReplicationDirection from, String active, String fn) {
        if (from == null || from.sourceRegion().equals(active)) {
            return Optional.empty();
        }
        String source = from.sourceRegion();
        try {
            Optional<EventSourceMappingConfiguration> m =
                    ConsumerAction.mappings(ctx.lambda(source), fn, ctx.streamArn(source)).stream()
                            .findFirst();
            return m.map(mapping -> mapping.toBuilder()
                    .eventSourceArn(onActive(mapping.eventSourceArn(), active))
                    .build());
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    private String onActive(String sourceArn, String active) {
        String stream = ctx.streamArn(active);
        int at = sourceArn.indexOf("/consumer/");
        if (at < 0) {
            return stream;
        }
        String name = sourceArn.substring(at + "/consumer/".length()).split(":")[0];
        try {
            return ctx.kinesis(active)
                    .describeStreamConsumer(b -> b.streamARN(stream).consumerName(name))
                    .consumerDescription()
                    .consumerARN();
        } catch (RuntimeException e) {
            return stream;
        }
    }
}
