package io.kinesisha.controller.statemachine;

import io.kinesisha.common.control.AuditEntry;
import io.kinesisha.common.control.AuditEntry.Kind;
import io.kinesisha.common.control.ControlRecord;
import io.kinesisha.common.control.ControlStore;
import io.kinesisha.common.control.ReplicationDirection;
import io.kinesisha.controller.statemachine.Outcome.Result;
import io.kinesisha.controller.time.ControllerTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;

/**
 * Applies events and step progress to a pair's control record. Every change is one conditional write of the record
 * on its version, carrying the audit item that explains it (see {@link ControlStore#replace}). A writer that loses the
 * race re-reads and returns {@link Result#LOST_RACE} with the winner's record, so two controllers never both act.
 */
public final class PairControl {
    /** Steps an abort undoes by itself: it clears the producers-paused flag in the same write. */
    private static final Set<Step> UNDONE_BY_ABORT = EnumSet.of(Step.PAUSE_PRODUCERS, Step.AWAIT_REPLICATION_DRAIN);
    /**
     * A failback may also be abandoned after its preparation (health, orphans, reverse replication, catch-up): the
     * secondary stays active and reverse replication keeps running, as after a switchover. Not once fenced.
     */
    private static final Set<Step> FAILBACK_ABORTABLE = EnumSet.of(
            Step.CHECK_PRIMARY_HEALTH,
            Step.RECONCILE_ORPHANS,
            Step.REPLICATE_FROM_ACTIVE,
            Step.AWAIT_REPLICATION_CATCH_UP,
            Step.PAUSE_PRODUCERS,
            Step.AWAIT_REPLICATION_DRAIN);

    private final ControlStore store;
    private final StateMachine machine;
    private final Clock clock;
    private final ControllerTime time;
    private final String actor;
    private final String runner;
    private final Duration leaseTtl;
    private final Map<String, OperationLease> leases = new HashMap<>();

    /** {@code actor} names this controller in the audit trail (e.g. {@code lambda:us-east-2} or {@code cli:alice}). */
    public PairControl(ControlStore store, StateMachine machine, Clock clock, String actor) {
        this(store, machine, clock, actor, OperationLease.DEFAULT_TTL);
    }

    /** As above; operations run under a runner lease held for {@code leaseTtl} between renewals. */
    public PairControl(ControlStore store, StateMachine machine, Clock clock, String actor, Duration leaseTtl) {
        this(store, machine, ControllerTime.of(clock), actor, leaseTtl);
    }

    /** As above, the runner lease waiting on {@code time}'s clock and sleeper. */
    public PairControl(ControlStore store, StateMachine machine, ControllerTime time, String actor, Duration leaseTtl) {
        this.store = Objects.requireNonNull(store, "store");
        this.machine = Objects.requireNonNull(machine, "machine");
        this.time = Objects.requireNonNull(time, "time");
        this.clock = time.clock();
        this.actor = Objects.requireNonNull(actor, "actor");
        this.runner = actor + "#" + UUID.randomUUID().toString().substring(0, 8);
        this.leaseTtl = Objects.requireNonNull(leaseTtl, "leaseTtl");
    }

    /**
     * The runner lease of {@code pair} as the calling thread of this controller holds it: a Lambda invocation or a
     * CLI command is one runner, and a loop thread beside a command in the same process is another one.
     */
    public synchronized OperationLease lease(String pair) {
        long thread = Thread.currentThread().getId();
        return leases.computeIfAbsent(
                pair + "\u0000" + thread, k -> new OperationLease(store, pair, runner + "/" + thread, leaseTtl, time));
    }

    public ControlRecord read(String pair) {
        return store.read(pair)
                .orElseThrow(() -> new IllegalStateException("no control record for pair '" + pair + "'"));
    }

    /** {@link #fire(String, PairEvent, Map, Map, String)} keeping the policy memory as it is. */
    public Outcome fire(String pair, PairEvent event, Map<String, String> parameters, Map<String, String> evidence) {
        return fire(pair, event, parameters, evidence, null);
    }

    /**
     * Applies {@code event} to the pair's current record. An allowed transition that enters a moving state starts
     * its operation with {@code parameters} (an escalation keeps the replaced operation's parameters underneath).
     * {@code policyMemory}, when not null, is written by the same conditional write. Rejections are audited too.
     */
    public Outcome fire(
            String pair,
            PairEvent event,
            Map<String, String> parameters,
            Map<String, String> evidence,
            String policyMemory) {
        return fire(read(pair), event, parameters, evidence, policyMemory);
    }

    /**
     * Applies {@code event} to {@code judged}, the record a decision was made on, not to whatever the record is now:
     * the write is conditional on that version, so a change in between (the kill switch, another controller's
     * decision) makes it {@link Result#LOST_RACE} and the caller decides again on the new record.
     */
    public Outcome fire(
            ControlRecord judged,
            PairEvent event,
            Map<String, String> parameters,
            Map<String, String> evidence,
            String policyMemory) {
        ControlRecord current = judged;
        String pair = judged.pairName();
        PairState state = PairState.valueOf(current.state());
        Transition t = machine.on(state, event);
        Operation running = OperationCodec.fromJson(current.operation());
        String guard = t.allowed() ? guard(event, running) : t.rejection();
        Instant now = clock.instant();
        Map<String, String> audit = evidence(evidence, current);
        audit.put("event", event.name());
        if (guard != null) {
            store.appendAudit(AuditEntry.of(
                    pair, now, Kind.DECISION, "rejected " + event + " in " + state + ": " + guard, audit));
            return new Outcome(Result.REJECTED, current, guard);
        }
        Operation next = null;
        if (t.starts() != null) {
            Map<String, String> params = new LinkedHashMap<>(running == null ? Map.of() : running.parameters());
            params.putAll(parameters);
            next = Operation.start(t.starts(), params, now);
        } else if (!t.to().resting()) {
            next = running;
        }
        ControlRecord proposed = current.next(
                        current.activeRegion(), current.direction(), t.to().name(), current.automationPaused(), now)
                .withOperation(next == null ? null : OperationCodec.toJson(next));
        if (event == PairEvent.OPERATION_ABORTED) {
            proposed = proposed.withProducersPaused(false);
        }
        if (policyMemory != null) {
            proposed = proposed.withPolicyMemory(policyMemory);
        }
        audit.put("to", t.to().name());
        if (next != null) {
            audit.put("operation", next.type() + " " + next.id());
        }
        return write(current, proposed, AuditEntry.of(pair, now, Kind.DECISION, t.toString(), audit));
    }

    /**
     * Records that {@code completed}, the current step of operation {@code operationId}, is done, adding
     * {@code parameters} for later steps. Re-recording a step already passed is {@link Result#UNCHANGED}.
     */
    public Outcome completeStep(
            String pair,
            String operationId,
            Step completed,
            Map<String, String> parameters,
            Map<String, String> evidence) {
        ControlRecord current = read(pair);
        Operation op = OperationCodec.fromJson(current.operation());
        if (op == null || !op.id().equals(operationId)) {
            return new Outcome(
                    Result.REJECTED,
                    current,
                    "operation " + operationId + " is not running (running: "
                            + (op == null ? "none" : op.type() + " " + op.id()) + ")");
        }
        boolean isCurrent = !op.finished() && op.step() == completed;
        if (!isCurrent && op.steps().subList(0, op.currentStep()).contains(completed)) {
            return new Outcome(Result.UNCHANGED, current, completed + " was already recorded as done");
        }
        if (!isCurrent) {
            return new Outcome(
                    Result.REJECTED,
                    current,
                    "operation " + op.id() + " is at " + (op.finished() ? "its end" : op.step()) + ", not "
                            + completed);
        }
        Instant now = clock.instant();
        Operation advanced = op.advance(completed, now);
        for (Map.Entry<String, String> p : parameters.entrySet()) {
            advanced = advanced.withParameter(p.getKey(), p.getValue(), now);
        }
        ControlRecord proposed = current.next(
                        current.activeRegion(), current.direction(), current.state(), current.automationPaused(), now)
                .withOperation(OperationCodec.toJson(advanced));
        Map<String, String> audit = evidence(evidence, current);
        audit.put("operation", op.type() + " " + op.id());
        audit.put("step", (op.currentStep() + 1) + "/" + op.steps().size() + " " + completed);
        return write(current, proposed, AuditEntry.of(pair, now, Kind.ACTION, "completed step " + completed, audit));
    }

    /**
     * Sets the producers-paused flag that SDK producers follow through the resolver (the switchover barrier), with
     * its audit item, in one conditional write; {@link Result#UNCHANGED} when it already has that value.
     */
    public Outcome setProducersPaused(String pair, boolean paused, Map<String, String> evidence) {
        return setProducersPaused(pair, null, paused, evidence);
    }

    /**
     * As above, on behalf of operation {@code operationId}: {@link Result#REJECTED} when that operation no longer
     * runs (an abort that cleared the flag won; pausing now would leave producers paused with nothing to resume them).
     */
    public Outcome setProducersPaused(String pair, String operationId, boolean paused, Map<String, String> evidence) {
        ControlRecord current = read(pair);
        Operation running = OperationCodec.fromJson(current.operation());
        if (operationId != null && (running == null || !running.id().equals(operationId))) {
            return new Outcome(
                    Result.REJECTED,
                    current,
                    "operation " + operationId + " is not running (state " + current.state() + "): producers left "
                            + (current.producersPaused() ? "paused" : "running"));
        }
        if (current.producersPaused() == paused) {
            return new Outcome(Result.UNCHANGED, current, "producers already " + (paused ? "paused" : "running"));
        }
        Instant now = clock.instant();
        ControlRecord proposed = current.next(
                        current.activeRegion(), current.direction(), current.state(), current.automationPaused(), now)
                .withProducersPaused(paused);
        return write(
                current,
                proposed,
                AuditEntry.of(
                        pair,
                        now,
                        Kind.ACTION,
                        (paused ? "paused" : "resumed") + " producers (control record)",
                        evidence(evidence, current)));
    }

    /**
     * Persists a parameter of {@code step} of operation {@code operationId} before the step's side effect (a
     * producer's concurrency before it is paused), so whoever undoes the step - a resumed runner, an abort - knows it
     * even if the step is never recorded as done. {@link Result#REJECTED} when the operation is not at that step.
     */
    public Outcome recordParameter(String pair, String operationId, Step step, String key, String value) {
        ControlRecord current = read(pair);
        Operation op = OperationCodec.fromJson(current.operation());
        if (op == null || !op.id().equals(operationId) || op.finished() || op.step() != step) {
            return new Outcome(Result.REJECTED, current, "operation " + operationId + " is not at step " + step);
        }
        if (value.equals(op.parameter(key))) {
            return new Outcome(Result.UNCHANGED, current, key + " already saved");
        }
        Instant now = clock.instant();
        ControlRecord proposed = current.next(
                        current.activeRegion(), current.direction(), current.state(), current.automationPaused(), now)
                .withOperation(OperationCodec.toJson(op.withParameter(key, value, now)));
        Map<String, String> audit = evidence(Map.of(key, value), current);
        audit.put("operation", op.type() + " " + op.id());
        audit.put("step", (op.currentStep() + 1) + "/" + op.steps().size() + " " + step);
        return write(
                current,
                proposed,
                AuditEntry.of(pair, now, Kind.ACTION, "saved " + key + " before its side effect", audit));
    }

    /** The automation kill switch: while paused, health verdicts are recorded but never acted on. */
    public Outcome setAutomationPaused(String pair, boolean paused, String reason) {
        ControlRecord current = read(pair);
        if (current.automationPaused() == paused) {
            return new Outcome(Result.UNCHANGED, current, "automation already " + (paused ? "paused" : "running"));
        }
        Instant now = clock.instant();
        ControlRecord proposed =
                current.next(current.activeRegion(), current.direction(), current.state(), paused, now);
        Map<String, String> audit = evidence(Map.of("reason", reason), current);
        return write(
                current,
                proposed,
                AuditEntry.of(pair, now, Kind.DECISION, (paused ? "paused" : "resumed") + " automation", audit));
    }

    /** Writes the policy memory after an evaluation, with the evaluation's audit item, in one conditional write. */
    public Outcome recordEvaluation(
            ControlRecord evaluated, String policyMemory, String message, Map<String, String> evidence) {
        Instant now = clock.instant();
        ControlRecord proposed = evaluated
                .next(
                        evaluated.activeRegion(),
                        evaluated.direction(),
                        evaluated.state(),
                        evaluated.automationPaused(),
                        now)
                .withPolicyMemory(policyMemory);
        return write(
                evaluated,
                proposed,
                AuditEntry.of(evaluated.pairName(), now, Kind.EVALUATION, message, evidence(evidence, evaluated)));
    }

    /** Changes active region and/or replication direction (a new epoch when either changes), audited as an action. */
    public Outcome route(
            ControlRecord expected,
            String activeRegion,
            ReplicationDirection direction,
            String message,
            Map<String, String> evidence) {
        Instant now = clock.instant();
        ControlRecord proposed =
                expected.next(activeRegion, direction, expected.state(), expected.automationPaused(), now);
        Map<String, String> audit = evidence(evidence, expected);
        audit.put("newEpoch", Long.toString(proposed.epoch()));
        return write(expected, proposed, AuditEntry.of(expected.pairName(), now, Kind.ACTION, message, audit));
    }

    /** Audits an action that did not change the record (e.g. a Lambda call, or a step that failed). */
    public void auditAction(ControlRecord current, String message, Map<String, String> evidence) {
        store.appendAudit(
                AuditEntry.of(current.pairName(), clock.instant(), Kind.ACTION, message, evidence(evidence, current)));
    }

    private Outcome write(ControlRecord current, ControlRecord proposed, AuditEntry audit) {
        if (store.replace(current, proposed, audit)) {
            return new Outcome(Result.APPLIED, proposed, null);
        }
        ControlRecord winner = read(current.pairName());
        return new Outcome(
                Result.LOST_RACE,
                winner,
                "version " + current.version() + " was replaced by another writer (now " + winner.version() + ", state "
                        + winner.state() + "); standing down");
    }

    private static String guard(PairEvent event, Operation running) {
        if (event == PairEvent.OPERATION_COMPLETED && (running == null || !running.finished())) {
            return running == null
                    ? "no operation is recorded"
                    : "operation " + running.type() + " is at step " + (running.currentStep() + 1) + "/"
                            + running.steps().size() + " (" + running.step() + ")";
        }
        Set<Step> abortable =
                running != null && running.type() == OperationType.FAILBACK ? FAILBACK_ABORTABLE : UNDONE_BY_ABORT;
        if (event == PairEvent.OPERATION_ABORTED
                && running != null
                && !abortable.containsAll(running.steps().subList(0, running.currentStep()))) {
            return "operation " + running.type() + " already completed " + running.currentStep()
                    + " step(s) (" + running.steps().get(running.currentStep() - 1) + " last); "
                    + (running.type() == OperationType.FAILBACK
                            ? "a failback can be abandoned only before it fences " + "replication"
                            : "only pausing producers and waiting for the drain can be undone")
                    + ", let it finish";
        }
        return null;
    }

    private Map<String, String> evidence(Map<String, String> given, ControlRecord current) {
        Map<String, String> e = new LinkedHashMap<>(given);
        e.put("actor", actor);
        e.put("from", current.state());
        e.put("version", Long.toString(current.version()));
        e.put("epoch", Long.toString(current.epoch()));
        e.put("activeRegion", current.activeRegion());
        return e;
    }
}
