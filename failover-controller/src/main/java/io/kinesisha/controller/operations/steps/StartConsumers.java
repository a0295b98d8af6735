package io.kinesisha.controller.operations.steps;

import io.kinesisha.common.control.ControlRecord;
import io.kinesisha.controller.actions.ApiCall;
import io.kinesisha.controller.actions.ConsumerAction;
import io.kinesisha.controller.operations.PairContext;
import io.kinesisha.controller.statemachine.Operation;
import io.kinesisha.controller.statemachine.OperationRunner.StepResult;
import io.kinesisha.controller.statemachine.Step;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Starts consumers in the active region: Lambda consumers at their own planned positions ({@link LambdaConsumerSteps}),
 * KCL applications from their translated checkpoints ({@link KclConsumers}); SDK consumers follow the record.
 */
public final class StartConsumers implements OperationStep {
    static final int CONSUMER_BATCH_SIZE = 100;

    private final StepSupport s;
    private final String target;

    /** {@code target}: the region the operation activates (for the plan; the run follows the record). */
    public StartConsumers(StepSupport support, String target) {
        this.s = support;
        this.target = target;
    }

    @Override
    public Step id() {
        return Step.START_CONSUMERS;
    }

    @Override
    public StepResult run(Operation op, ControlRecord record) {
        PairContext ctx = s.ctx();
        Instant start = StepParameters.CONSUMER_START.in(op, s.time().now().minus(ConsumerStart.DEFAULT_BUFFER));
        Map<String, String> evidence = new LinkedHashMap<>();
        StepParameters.CONSUMER_START.put(evidence, start);
        op.parameters().forEach((k, v) -> {
            if (StepParameters.CONSUMER_POSITION.function(k) != null) {
                evidence.put(k, v);
            }
        });
        evidence.putAll(new LambdaConsumerSteps(ctx, s::before)
                .start(op, record, s.fromDirection(op, record), s.fromEpoch(op, record)));
        if (ctx.consumerFunctions().isEmpty()) {
            evidence.put(
                    "consumers",
                    "no consumer functions configured; SDK consumers follow the control record and "
                            + "resume after consumer.position.<source shard> in the target");
        }
        evidence.putAll(new KclConsumers(ctx).start(record));
        return StepResult.done(evidence);
    }

    @Override
    public List<ApiCall> plan(ControlRecord record, String active) {
        PairContext ctx = s.ctx();
        List<ApiCall> calls = new ArrayList<>();
        for (String fn : ctx.consumerFunctions()) {
            calls.addAll(Plans.lambdaCalls(
                    () -> ConsumerAction.start(
                                    ctx.lambda(target),
                                    target,
                                    fn,
                                    ctx.streamArn(target),
                                    s.time().now(),
                                    CONSUMER_BATCH_SIZE)
                            .describe(),
                    target,
                    fn));
        }
        calls.addAll(new KclConsumers(ctx).describe(target, record.epoch()));
        return calls;
    }
}
