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
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The switchover barrier: waits until the replicator has copied every record of the old region and the pause grace
 * has passed; throws {@link ReplicationBarrier.DrainTimeoutException} when the bound runs out (the driver aborts).
 */
public final class AwaitReplicationDrain implements OperationStep {
    static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(30);
    /** Resolver refresh (1 s) plus time for a write a producer started before it saw the pause. */
    static final Duration DEFAULT_PAUSE_GRACE = Duration.ofMillis(1500);

    static final Duration POLL = Duration.ofMillis(200);
    private static final long REPORT_EVERY_MILLIS = 1000;

    private final StepSupport s;

    public AwaitReplicationDrain(StepSupport support) {
        this.s = support;
    }

    @Override
    public Step id() {
        return Step.AWAIT_REPLICATION_DRAIN;
    }

    @Override
    public StepResult run(Operation op, ControlRecord record) throws InterruptedException {
        if (record.direction() == null) {
            throw new IllegalStateException("replication is fenced already; nothing can drain");
        }
        String source = record.direction().sourceRegion();
        Duration timeout = StepParameters.DRAIN_TIMEOUT.in(op, DEFAULT_DRAIN_TIMEOUT);
        Duration grace = StepParameters.PAUSE_GRACE.in(op, DEFAULT_PAUSE_GRACE);
        Instant notBefore = StepParameters.PAUSED_AT.in(op, s.time().now()).plus(grace);
        ReplicationBarrier barrier = s.barrier(source, record.epoch());
        Stopwatch waited = s.time().stopwatch();
        long[] lastReport = {0};
        Status done = barrier.await(record.direction(), record.epoch(), notBefore, timeout, POLL, status -> {
            s.waiting("replication to drain");
            long elapsed = waited.elapsedMillis();
            if (elapsed - lastReport[0] >= REPORT_EVERY_MILLIS || lastReport[0] == 0) {
                lastReport[0] = Math.max(elapsed, 1);
                s.progress("waiting for replication to drain: " + status.summary() + " (" + elapsed + " ms of "
                        + timeout.toMillis() + " ms)");
            }
        });
        return StepResult.done(Map.of(
                "drain.waitedMillis",
                Long.toString(waited.elapsedMillis()),
                "drain.shards",
                Integer.toString(done.behind().size()),
                "drain.direction",
                record.direction().toString(),
                "drain.epoch",
                Long.toString(record.epoch())));
    }

    @Override
    public List<ApiCall> plan(ControlRecord record, String active) {
        return List.of(); // reads only
    }
}
