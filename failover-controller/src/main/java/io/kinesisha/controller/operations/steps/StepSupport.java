package io.kinesisha.controller.operations.steps;

import io.kinesisha.common.control.ControlRecord;
import io.kinesisha.common.control.ReplicationDirection;
import io.kinesisha.common.control.StreamCut;
import io.kinesisha.controller.operations.PairContext;
import io.kinesisha.controller.operations.ReplicationBarrier;
import io.kinesisha.controller.statemachine.Operation;
import io.kinesisha.controller.statemachine.OperationLease;
import io.kinesisha.controller.statemachine.Outcome;
import io.kinesisha.controller.statemachine.Outcome.Result;
import io.kinesisha.controller.time.ControllerTime;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * What every step uses: the pair, the operator's progress lines, the controller's time, and the runner lease
 * checks around side effects and waits.
 */
public final class StepSupport {
    /** Where a step confirms it still runs the operation: before each side effect, and while it waits. */
    interface Guard {
        /** Renews the runner lease and confirms the step, or throws so the runner stands down. */
        void before(String sideEffect);

        /** Keeps the lease renewed and notices an abort or another runner's progress. */
        void waiting(String what);
    }

    private final PairContext ctx;
    private final Consumer<String> progress;
    private final Guard guard;

    /** {@code progress} receives lines for the operator while a step waits. */
    public StepSupport(PairContext ctx, Consumer<String> progress) {
        // the lease is looked up at each call: it belongs to the calling thread
        this(ctx, progress, new Guard() {
            @Override
            public void before(String sideEffect) {
                ctx.control().lease(ctx.pair()).check(sideEffect);
            }

            @Override
            public void waiting(String what) {
                ctx.control().lease(ctx.pair()).keepAlive("waiting for " + what);
            }
        });
    }

    /** With another guard than the runner lease (unit tests of a step). */
    StepSupport(PairContext ctx, Consumer<String> progress, Guard guard) {
        this.ctx = ctx;
        this.progress = progress;
        this.guard = guard;
    }

    public PairContext ctx() {
        return ctx;
    }

    public ControllerTime time() {
        return ctx.time();
    }

    void progress(String line) {
        progress.accept(line);
    }

    Consumer<String> progress() {
        return progress;
    }

    /** Immediately before a side effect: the runner lease is renewed and the step confirmed, or the runner stands down. */
    void before(String sideEffect) {
        guard.before(sideEffect);
    }

    /** While a step waits: the lease stays renewed and an abort or another runner's progress is noticed. */
    void waiting(String what) {
        guard.waiting(what);
    }

    /** The direction being replaced: from the record, or as saved when the operation started. */
    ReplicationDirection fromDirection(Operation op, ControlRecord record) {
        return record.direction() != null ? record.direction() : StepParameters.FROM_DIRECTION.in(op);
    }

    long fromEpoch(Operation op, ControlRecord record) {
        Long saved = StepParameters.FROM_EPOCH.in(op);
        return record.direction() != null || saved == null ? record.epoch() : saved;
    }

    /** A barrier on replication out of {@code source} at {@code epoch}: from its cut, without republished orphans. */
    ReplicationBarrier barrier(String source, long epoch) {
        return new ReplicationBarrier(ctx.store(), ctx.kinesis(source), ctx.streamArn(source), ctx.pair(), time())
                .withBase(cutTips(source, epoch))
                .withExcluded(republished(source, epoch));
    }

    /** Where orphans were copied into {@code region} after its cut: replication skips them. */
    private Set<String> republished(String region, long epoch) {
        Set<String> targets = new HashSet<>();
        ctx.ledger()
                .latestCut(ctx.pair(), region, epoch)
                .ifPresent(
                        cut -> ctx.ledger().batches(ctx.pair(), cut.epoch()).forEach(b -> targets.addAll(b.targets())));
        targets.remove(null);
        return targets;
    }

    /** The tips of {@code region}'s cut for {@code epoch}: where replication out of it started. */
    private Map<String, String> cutTips(String region, long epoch) {
        return ctx.ledger()
                .latestCut(ctx.pair(), region, epoch)
                .map(StreamCut::tips)
                .orElse(Map.of());
    }

    /** Throws when the control record was not written; a rejection means the runner lease was lost. */
    static void requireWritten(Outcome o) {
        if (o.result() == Result.LOST_RACE || o.result() == Result.REJECTED) {
            throw new IllegalStateException("control record not changed: " + o.reason());
        }
    }

    static OperationLease.LostException lost(String why) {
        return new OperationLease.LostException(why);
    }
}
