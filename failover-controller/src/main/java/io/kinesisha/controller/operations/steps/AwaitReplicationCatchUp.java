package io.kinesisha.controller.operations.steps;

import io.kinesisha.common.control.ControlRecord;
import io.kinesisha.controller.actions.ApiCall;
import io.kinesisha.controller.operations.ReplicationBarrier;
import io.kinesisha.controller.operations.ReplicationBarrier.Status;
import io.kinesisha.controller.statemachine.Operation;
import io.kinesisha.controller.statemachine.OperationRunner.StepResult;
import io.kinesisha.controller.statemachine.Step;
import io.kinesisha.controller.time.ControllerTime.Stopwatch;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The failback precondition: waits until replication out of the active region is within {@link #CAUGHT_UP_RECORDS}
 * of its end (producers still write there, so not zero); fails after the catch-up timeout, and the failback resumes
 * at this step.
 */
public final class AwaitReplicationCatchUp implements OperationStep {
    /** A reverse replication within this many records of the active stream's end counts as caught up. */
    static final int CAUGHT_UP_RECORDS = 200;

    static final Duration POLL = Duration.ofMillis(500);
    private static final long REPORT_EVERY_MILLIS = 2000;

    /** How far replication of the record's direction is behind, looked at once per poll. */
    @FunctionalInterface
    interface Lag {
        Status check();
    }

    private final StepSupport s;
    private final Function<ControlRecord, Lag> lagOf;

    public AwaitReplicationCatchUp(StepSupport support) {
        this(support, record -> {
            ReplicationBarrier barrier = support.barrier(record.direction().sourceRegion(), record.epoch());
            return () -> barrier.check(record.direction(), record.epoch());
        });
    }

    /** With the lag of a record's direction read through {@code lagOf} (tests read a fake). */
    AwaitReplicationCatchUp(StepSupport support, Function<ControlRecord, Lag> lagOf) {
        this.s = support;
        this.lagOf = lagOf;
    }

    @Override
    public Step id() {
        return Step.AWAIT_REPLICATION_CATCH_UP;
    }

    @Override
    public StepResult run(Operation op, ControlRecord record) throws InterruptedException {
        if (record.direction() == null) {
            throw new IllegalStateException("no replication direction is set: nothing can catch up");
        }
        Duration timeout = StepParameters.CATCH_UP_TIMEOUT.in(
                op, s.ctx().config().failback().catchUpTimeout());
        Lag lag = lagOf.apply(record);
        Stopwatch waited = s.time().stopwatch();
        long lastReport = -1;
        while (true) {
            Status status = lag.check();
            long elapsed = waited.elapsedMillis();
            if (status.behind().values().stream().allMatch(n -> n <= CAUGHT_UP_RECORDS)) {
                return StepResult.done(Map.of(
                        "catchUp.waitedMillis",
                        Long.toString(elapsed),
                        "catchUp.recordsBehind",
                        Integer.toString(status.recordsBehind()),
                        "catchUp.direction",
                        record.direction().toString(),
                        "catchUp.epoch",
                        Long.toString(record.epoch())));
            }
            if (elapsed > timeout.toMillis()) {
                throw new IllegalStateException(
                        record.direction() + " (epoch " + record.epoch() + ") did not catch up within "
                                + timeout.toMillis() + " ms: " + status.summary()
                                + "; is its replicator running (./kinesis-ha replicate"
                                + " --follow, or the application of that direction)? The failback resumes at this step");
            }
            if (lastReport < 0 || elapsed - lastReport >= REPORT_EVERY_MILLIS) {
                lastReport = elapsed;
                s.progress("waiting for " + record.direction() + " to catch up: " + status.summary());
            }
            s.waiting(record.direction() + " to catch up");
            s.time().sleep(POLL);
        }
    }

    @Override
    public List<ApiCall> plan(ControlRecord record, String active) {
        return List.of(); // reads only
    }
}
