package io.kinesisha.controller.statemachine;

import io.kinesisha.common.control.ControlRecord;
import io.kinesisha.common.control.ControlStore;
import io.kinesisha.common.control.RunnerLease;
import io.kinesisha.controller.time.ControllerTime;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Who runs a pair's operation now. Recording a step is fenced by the record's version, its side effects (Lambda
 * calls, orphan copies, application restarts) are not: two runners of one operation (overlapping Lambda
 * invocations, the CLI next to the schedule, an abort) would each make them. So a runner holds this lease (the
 * control store's conditional lease item, {@link ControlStore#acquireLease}) for the whole run, renews it
 * immediately before every side effect ({@link #check}) and while a step waits ({@link #keepAlive}), and there also
 * confirms that the operation is still at the step it runs; when either is no longer so it stands down with no
 * side effect ({@link LostException}). A second runner finds the lease held and stands down; an abort takes the
 * same lease before it resumes producers, so it never interleaves with a step.
 */
public final class OperationLease {
    /** The lease item's name; one per pair, since a pair runs one operation at a time. */
    public static final String NAME = "operation";
    /** The default hold time (see {@code failover.runner-lease-ms}). */
    public static final Duration DEFAULT_TTL = Duration.ofMinutes(1);

    /** The lease, or the step it was taken for, is gone: the runner must stand down without a side effect. */
    public static final class LostException extends RuntimeException {
        public LostException(String message) {
            super(message);
        }
    }

    private final ControlStore store;
    private final String pair;
    private final String owner;
    private final Duration ttl;
    private final ControllerTime time;
    private String operationId;
    private int stepIndex = -1;
    private Step step;
    private long renewedAt = Long.MIN_VALUE;
    private boolean held;

    public OperationLease(ControlStore store, String pair, String owner, Duration ttl, Clock clock) {
        this(store, pair, owner, ttl, ControllerTime.of(clock));
    }

    /** Renews and waits on {@code time}'s clock and sleeper. */
    public OperationLease(ControlStore store, String pair, String owner, Duration ttl, ControllerTime time) {
        this.store = Objects.requireNonNull(store, "store");
        this.pair = Objects.requireNonNull(pair, "pair");
        this.owner = Objects.requireNonNull(owner, "owner");
        this.ttl = Objects.requireNonNull(ttl, "ttl");
        this.time = Objects.requireNonNull(time, "time");
    }

    public String owner() {
        return owner;
    }

    public Duration ttl() {
        return ttl;
    }

    /** Takes the lease, or renews it if this runner holds it; false while another runner holds it. */
    public synchronized boolean acquire(String description) {
        long now = time.clock().millis();
        held = store.acquireLease(pair, NAME, owner, now, ttl.toMillis(), description);
        if (held) {
            renewedAt = now;
        }
        return held;
    }

    /**
     * Waits up to {@code max} for the lease (a runner that found its operation gone lets go at its next check, a
     * crashed one's lease expires), telling {@code progress} who holds it; false if it did not come free.
     */
    public boolean await(String description, Duration max, Duration poll, Consumer<String> progress)
            throws InterruptedException {
        ControllerTime.Stopwatch waited = time.stopwatch();
        boolean told = false;
        while (!acquire(description)) {
            if (waited.elapsed().compareTo(max) > 0) {
                return false;
            }
            if (!told) {
                progress.accept(
                        "waiting for " + holder().map(RunnerLease::toString).orElse("the runner") + " to stand down");
                told = true;
            }
            time.sleep(poll);
        }
        return true;
    }

    /** The lease as stored, whoever holds it. */
    public Optional<RunnerLease> holder() {
        return store.readLease(pair, NAME);
    }

    /** Binds later checks to {@code op} at its current step: they fail once the record shows anything else. */
    public synchronized void enter(Operation op) {
        operationId = op.id();
        stepIndex = op.currentStep();
        step = op.step();
    }

    /** Checks are no longer bound to a step (between steps, and for an abort). */
    public synchronized void leave() {
        operationId = null;
        stepIndex = -1;
        step = null;
    }

    /** Immediately before a side effect: renews the lease and confirms the step; throws {@link LostException}. */
    public synchronized void check(String sideEffect) {
        confirmStep(sideEffect);
        if (!acquire(describe(sideEffect))) {
            held = false;
            throw new LostException(owner + " lost the operation lease of " + pair + " to "
                    + holder().map(RunnerLease::toString).orElse("another runner") + "; standing down before "
                    + sideEffect);
        }
    }

    /** While a step waits: confirms the step every time, renews once a third of the hold time has passed. */
    public synchronized void keepAlive(String waitingFor) {
        if (time.clock().millis() - renewedAt >= ttl.toMillis() / 3) {
            check(waitingFor);
        } else {
            confirmStep(waitingFor);
        }
    }

    /** Gives the lease up if this runner holds it. */
    public synchronized void release() {
        if (held) {
            store.releaseLease(pair, NAME, owner, time.clock().millis());
            held = false;
        }
        leave();
    }

    private void confirmStep(String sideEffect) {
        if (operationId == null) {
            return;
        }
        ControlRecord record = store.read(pair).orElseThrow(() -> new LostException("no control record for " + pair));
        Operation now = OperationCodec.fromJson(record.operation());
        if (now == null || !now.id().equals(operationId)) {
            throw new LostException("operation " + operationId + " is no longer running ("
                    + (now == null
                            ? "aborted or finished, state " + record.state()
                            : "now " + now.type() + " " + now.id())
                    + "); standing down before " + sideEffect);
        }
        if (now.currentStep() != stepIndex) {
            throw new LostException("operation " + operationId + " moved on from step " + (stepIndex + 1) + " " + step
                    + " to " + (now.finished() ? "its end" : "step " + (now.currentStep() + 1) + " " + now.step())
                    + " under another runner; standing down before " + sideEffect);
        }
    }

    private String describe(String sideEffect) {
        return (operationId == null ? "" : "operation " + operationId + " step " + (stepIndex + 1) + " " + step + ": ")
                + sideEffect;
    }
}
