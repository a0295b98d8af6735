package io.kinesisha.controller.operations.steps;

import io.kinesisha.common.config.ReplicationPairConfig;
import io.kinesisha.common.control.ControlRecord;
import io.kinesisha.common.control.ReplicationDirection;
import io.kinesisha.controller.SimulatedClock;
import io.kinesisha.controller.operations.PairContext;
import io.kinesisha.controller.statemachine.Operation;
import io.kinesisha.controller.statemachine.OperationType;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A step's surroundings without any service: a pair whose clients are never called, a simulated clock whose
 * sleeper moves it, and a guard that records the lease checks instead of writing the lease.
 */
final class StepFixture implements AutoCloseable {
    static final Instant START = Instant.parse("2026-12-07T03:00:00Z");
    static final ReplicationPairConfig CONFIG = ReplicationPairConfig.fromMap(Map.of(
            "pair.name", "orders",
            "primary.stream-arn", "arn:aws:kinesis:us-west-2:111111111111:stream/orders",
            "secondary.stream-arn", "arn:aws:kinesis:us-east-2:111111111111:stream/orders"));

    final SimulatedClock clock = new SimulatedClock(START);
    final List<String> waits = new CopyOnWriteArrayList<>();
    final List<String> progress = new CopyOnWriteArrayList<>();
    final PairContext ctx = PairContext.open(CONFIG, "test", clock.time());
    final StepSupport support = new StepSupport(ctx, progress::add, new StepSupport.Guard() {
        @Override
        public void before(String sideEffect) {
            throw new AssertionError("no side effect expected: " + sideEffect);
        }

        @Override
        public void waiting(String what) {
            waits.add(what);
        }
    });

    /** The pair as failed over: the secondary active, replicating back into the primary at epoch 4. */
    static ControlRecord failedOver() {
        return record(new ReplicationDirection("us-east-2", "us-west-2"), 4);
    }

    /** The secondary active, failing back, replicating {@code direction} (null: fenced) at {@code epoch}. */
    static ControlRecord record(ReplicationDirection direction, long epoch) {
        return new ControlRecord("orders", "us-east-2", direction, epoch, "FAILING_BACK", false, 9, START);
    }

    static Operation failback(Map<String, String> parameters) {
        return Operation.start(OperationType.FAILBACK, parameters, START);
    }

    @Override
    public void close() {
        ctx.close();
    }
}
