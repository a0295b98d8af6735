package io.kinesisha.controller.operations;

import io.kinesisha.common.control.ControlRecord;
import io.kinesisha.common.control.ReplicationDirection;
import io.kinesisha.common.control.ShardProgress;
import io.kinesisha.common.kinesis.JobManagedConsumer;
import io.kinesisha.controller.actions.ActionResult;
import io.kinesisha.controller.actions.ApiCall;
import io.kinesisha.controller.actions.ConsumerAction;
import io.kinesisha.controller.actions.ProducerAction;
import io.kinesisha.controller.actions.ReplicationAction;
import io.kinesisha.controller.operations.ReplicationBarrier.Status;
import io.kinesisha.controller.statemachine.Operation;
import io.kinesisha.controller.statemachine.OperationRunner.StepResult;
import io.kinesisha.controller.statemachine.Outcome;
import io.kinesisha.controller.statemachine.Outcome.Result;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The step implementations failover and switchover share. Every one is idempotent (a resumed controller re-runs
 * the recorded step): control-record changes are no-ops when already made, Lambda actions find their work done.
 * Parameters a later step needs are returned as step parameters and persisted with the step's completion.
 */
final class StepActions {
    /** Operation parameters, set when the operation starts or by a step. */
    static final String FROM_DIRECTION = "from.direction";
    static final String FROM_EPOCH = "from.epoch";
    static final String DRAIN_TIMEOUT_MILLIS = "drain.timeoutMillis";
    static final String PAUSE_GRACE_MILLIS = "pause.graceMillis";
    static final String PAUSED_AT = "producers.pausedAt";
    static final String PREVIOUS_CONCURRENCY = "producer.previousConcurrency.";
    /** Audit evidence of a producer a failover could not resume: its saved concurrency, for the failback. */
    static final String PENDING_RESUME = "producer.pendingResume.";
    /** How far back the audit trail is searched for them (no evaluations are audited while the secondary is active). */
    static final int PENDING_RESUME_SEARCH = 500;
    static final String CONSUMER_START = "consumer.startTimestamp";
    static final String FENCED_AT = "fence.at";
    static final String SETTLE_MILLIS = "fence.settleMillis";
    static final String DWELL_MILLIS = "health.dwellMillis";
    static final String CATCH_UP_TIMEOUT_MILLIS = "catchUp.timeoutMillis";
    /** A reverse replication within this many records of the active stream's end counts as caught up. */
    static final int CAUGHT_UP_RECORDS = 200;
    /** Managed Flink applications take minutes to stop and start. */
    static final Duration APPLICATION_WAIT = Duration.ofMinutes(10);
    static final Duration APPLICATION_POLL = Duration.ofSeconds(5);

    static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(30);
    /** Resolver refresh (1 s) plus time for a write a producer started before it saw the pause. */
    static final Duration DEFAULT_PAUSE_GRACE = Duration.ofMillis(1500);
    static final int CONSUMER_BATCH_SIZE = 100;

    private final PairContext ctx;
    private final Consumer<String> progress;

    StepActions(PairContext ctx, Consumer<String> progress) {
        this.ctx = ctx;
        this.progress = progress;
    }

    /** The direction and epoch being replaced: from the record, or as saved when the operation started. */
    ReplicationDirection fromDirection(Operation op, ControlRecord record) {
        if (record.direction() != null) {
            return record.direction();
        }
        String saved = op.parameter(FROM_DIRECTION);
        return saved == null || saved.isEmpty() ? null : ReplicationDirection.parse(saved);
    }

    long fromEpoch(Operation op, ControlRecord record) {
        String saved = op.parameter(FROM_EPOCH);
        return record.direction() != null || saved == null ? record.epoch() : Long.parseLong(saved);
    }

    /** Stops replication (new epoch, no direction) after taking the RPO evidence and the consumer positions. */
    StepResult fence(Operation op, ControlRecord record) {
        Instant now = ctx.clock().instant();
        ReplicationDirection from = fromDirection(op, record);
        List<ShardProgress> rows = from == null ? List.of() : ctx.store().readProgress(ctx.pair(), from, fromEpoch(op, record));
        Map<String, String> evidence = new LinkedHashMap<>(ReplicationEvidence.rpo(rows, now));
        Map<String, String> parameters = new LinkedHashMap<>();
        String target = from == null ? ctx.secondaryRegion() : from.targetRegion();
        ConsumerStart start;
        try {
            start = ConsumerStart.translate(rows, ctx.kinesis(target), ctx.streamArn(target), now, ConsumerStart.DEFAULT_BUFFER);
        } catch (RuntimeException e) {
            start = new ConsumerStart(now.minus(ConsumerStart.DEFAULT_BUFFER), "fallback (" + e.getMessage() + ")", Map.of());
        }
        parameters.putAll(start.parameters());
        evidence.put("consumer.startTimestamp", start.timestamp().toString());
        evidence.put("consumer.startMethod", start.method());
        before("fence replication");
        ActionResult fenced = ReplicationAction.fence(ctx.control(), record).execute();
        evidence.put("fence", fenced.changed() ? "epoch " + fenced.outputs().get("epoch") + ", replication stopped"
                : "already fenced (epoch " + fenced.outputs().get("epoch") + ")");
        parameters.put(FENCED_AT, op.parameter(FENCED_AT) != null && !fenced.changed() ? op.parameter(FENCED_AT) : now.toString());
        return new StepResult(parameters, evidence);
    }

    /** Names {@code region} active in the control record: the resolver's answer for every SDK client. */
    StepResult activate(String region) {
        before("activate " + region);
        ActionResult r = new ReplicationAction(ctx.control(), ctx.pair(), region, null).execute();
        return StepResult.done(Map.of("activeRegion", region, "epoch", r.outputs().get("epoch"),
                "changed", Boolean.toString(r.changed())));
    }

    /** Points producer functions at the active stream; SDK producers already follow the record. */
    StepResult redirectProducers(ControlRecord record, boolean bestEffortInOldRegion) {
        String active = record.activeRegion();
        Map<String, String> evidence = new LinkedHashMap<>();
        evidence.put("producers.resolver", "SDK producers follow the control record: active " + active + ", epoch "
                + record.epoch());
        for (String fn : ctx.producerFunctions()) {
            String region = PairContext.regionOf(fn);
            before("redirect producer " + fn);
            try {
                ActionResult r = ProducerAction.redirect(ctx.lambda(region), region, fn, Map.of(
                        "KINESIS_HA_ACTIVE_REGION", active, "KINESIS_HA_STREAM_ARN", ctx.streamArn(active))).execute();
                evidence.put("producer." + fn, r.changed() ? "redirected to " + active : "already on " + active);
            } catch (RuntimeException e) {
                if (!bestEffortInOldRegion || region.equals(active)) {
                    throw e;
                }
                evidence.put("producer." + fn, "skipped: the failed region " + region + " did not answer, left as is ("
                        + e.getMessage() + "); redirected at failback");
            }
        }
        return StepResult.done(evidence);
    }

    /** Lambda consumers start at their own planned positions ({@link LambdaConsumerSteps}); SDK ones follow the record. */
    StepResult startConsumers(Operation op, ControlRecord record) {
        String saved = op.parameter(CONSUMER_START);
        Instant start = saved == null ? ctx.clock().instant().minus(ConsumerStart.DEFAULT_BUFFER) : Instant.parse(saved);
        Map<String, String> evidence = new LinkedHashMap<>();
        evidence.put("consumer.startTimestamp", start.toString());
        op.parameters().forEach((k, v) -> {
            if (k.startsWith("consumer.position.")) {
                evidence.put(k, v);
            }
        });
        evidence.putAll(new LambdaConsumerSteps(ctx, this::before).start(op, record, fromDirection(op, record),
                fromEpoch(op, record)));
        if (ctx.consumerFunctions().isEmpty()) {
            evidence.put("consumers", "no consumer functions configured; SDK consumers follow the control record and "
                    + "resume after consumer.position.<source shard> in the target");
        }
        evidence.putAll(new KclConsumers(ctx).start(record));
        return StepResult.done(evidence);
    }

    StepResult stopConsumers(ControlRecord record, boolean bestEffort) {
        String old = ctx.other(record.activeRegion());
        Map<String, String> evidence = new LinkedHashMap<>();
        for (String fn : ctx.consumerFunctions()) {
            before("stop consumer " + fn + " in " + old);
            try {
                ActionResult r = ConsumerAction.stop(ctx.lambda(old), old, fn, ctx.streamArn(old)).execute();
                evidence.put("consumer." + fn, r.changed() ? "stopped in " + old : "already stopped in " + old);
            } catch (RuntimeException e) {
                if (!bestEffort) {
                    throw e;
                }
                evidence.put("consumer." + fn, "skipped: " + old + " did not answer, left as is (" + e.getMessage()
                        + "); failback sets consumers there again");
            }
        }
        if (evidence.isEmpty()) {
            evidence.put("consumers", "no consumer functions configured");
        }
        return StepResult.done(evidence);
    }

    StepResult pauseProducers(Operation op) {
        before("pause producers (control record)");
        Outcome o = ctx.control().setProducersPaused(ctx.pair(), op.id(), true, Map.of("reason", "switchover barrier"));
        if (o.result() == Result.REJECTED) {
            throw new io.kinesisha.controller.statemachine.OperationLease.LostException(o.reason());
        }
        requireWritten(o);
        Map<String, String> parameters = new LinkedHashMap<>();
        parameters.put(PAUSED_AT, o.record().updatedAt().toString());
        Map<String, String> evidence = new LinkedHashMap<>();
        evidence.put("producers.resolver", o.result() == Result.APPLIED ? "paused (control record)" : "already paused");
        for (String fn : ctx.producerFunctions()) {
            String region = PairContext.regionOf(fn);
            saveConcurrency(op, fn, ProducerAction.reservedConcurrency(ctx.lambda(region), fn));
            before("pause producer " + fn);
            ActionResult r = ProducerAction.pause(ctx.lambda(region), region, fn).execute();
            String previous = r.outputs().get(ProducerAction.PREVIOUS_CONCURRENCY);
            if (previous != null) {
                parameters.put(PREVIOUS_CONCURRENCY + fn, previous);
            }
            evidence.put("producer." + fn, r.changed() ? "paused (was " + previous + ")" : "already paused");
        }
        return new StepResult(parameters, evidence);
    }

    /**
     * Saves a producer's concurrency in the operation before it is paused (not when already paused: that 0 is not
     * its own), so a resume after an abort or a crash inside this step restores it. Stands down when it cannot.
     */
    private void saveConcurrency(Operation op, String fn, Integer current) {
        if (current != null && current == 0) {
            return;
        }
        Outcome saved = ctx.control().recordParameter(ctx.pair(), op.id(), op.step(), PREVIOUS_CONCURRENCY + fn,
                current == null ? "none" : current.toString());
        if (saved.result() == Result.REJECTED || saved.result() == Result.LOST_RACE) {
            throw new io.kinesisha.controller.statemachine.OperationLease.LostException("could not save the concurrency of "
                    + fn + " before pausing it: " + saved.reason());
        }
    }

    /**
     * Clears the producers-paused flag first (SDK producers follow it), then restores producer functions. A function
     * in {@code failedRegion} (the region a failover left; null otherwise) is best effort: when its Lambda API does
     * not answer it is skipped, audited with its saved concurrency ({@link #PENDING_RESUME}), and resumed at failback.
     */
    StepResult resumeProducers(Operation op, String failedRegion) {
        Map<String, String> evidence = new LinkedHashMap<>();
        before("resume producers (control record)");
        Outcome o = ctx.control().setProducersPaused(ctx.pair(), false, Map.of());
        requireWritten(o);
        evidence.put("producers.resolver", o.result() == Result.APPLIED ? "resumed (control record)" : "not paused");
        for (String fn : ctx.producerFunctions()) {
            String region = PairContext.regionOf(fn);
            String previous = op == null ? null : op.parameter(PREVIOUS_CONCURRENCY + fn);
            before("resume producer " + fn);
            try {
                ActionResult r = ProducerAction.resume(ctx.lambda(region), region, fn, previous).execute();
                evidence.put("producer." + fn, r.changed() ? "resumed" : "not paused");
            } catch (RuntimeException e) {
                if (!region.equals(failedRegion)) {
                    throw e;
                }
                evidence.put("producer." + fn, "skipped: the Lambda API of the failed region " + region
                        + " did not answer (" + e.getMessage() + "); resumed at failback");
                evidence.put(PENDING_RESUME + fn, previous == null ? "none" : previous);
            }
        }
        return StepResult.done(evidence);
    }

    /**
     * The saved concurrency of producer functions a failover could not resume (newest failover first in the audit
     * trail), as failback parameters: the failback's own pause finds them paused already and saves nothing.
     */
    Map<String, String> pendingResumes() {
        Map<String, String> pending = new LinkedHashMap<>();
        ctx.store().readAudit(ctx.pair(), PENDING_RESUME_SEARCH).stream()
                .filter(a -> a.message().equals("completed step " + io.kinesisha.controller.statemachine.Step.RESUME_PRODUCERS))
                .findFirst()
                .ifPresent(a -> a.evidence().forEach((k, v) -> {
                    if (k.startsWith(PENDING_RESUME)) {
                        pending.put(PREVIOUS_CONCURRENCY + k.substring(PENDING_RESUME.length()), v);
                    }
                }));
        return pending;
    }

    /** Waits for the switchover barrier; throws {@link ReplicationBarrier.DrainTimeoutException} when it runs out. */
    StepResult awaitDrain(Operation op, ControlRecord record) throws InterruptedException {
        if (record.direction() == null) {
            throw new IllegalStateException("replication is fenced already; nothing can drain");
        }
        String source = record.direction().sourceRegion();
        Duration timeout = millis(op.parameter(DRAIN_TIMEOUT_MILLIS), DEFAULT_DRAIN_TIMEOUT);
        Duration grace = millis(op.parameter(PAUSE_GRACE_MILLIS), DEFAULT_PAUSE_GRACE);
        String pausedAt = op.parameter(PAUSED_AT);
        Instant notBefore = (pausedAt == null ? ctx.clock().instant() : Instant.parse(pausedAt)).plus(grace);
        ReplicationBarrier barrier = new ReplicationBarrier(ctx.store(), ctx.kinesis(source), ctx.streamArn(source),
                ctx.pair(), ctx.clock()).withBase(cutTips(source, record.epoch()))
                .withExcluded(republished(source, record.epoch()));
        long started = System.nanoTime();
        long[] lastReport = {0};
        Status done = barrier.await(record.direction(), record.epoch(), notBefore, timeout, Duration.ofMillis(200), s -> {
            waiting("replication to drain");
            long elapsed = Duration.ofNanos(System.nanoTime() - started).toMillis();
            if (elapsed - lastReport[0] >= 1000 || lastReport[0] == 0) {
                lastReport[0] = Math.max(elapsed, 1);
                progress.accept("waiting for replication to drain: " + s.summary() + " (" + elapsed + " ms of "
                        + timeout.toMillis() + " ms)");
            }
        });
        return StepResult.done(Map.of("drain.waitedMillis", Long.toString(Duration.ofNanos(System.nanoTime() - started).toMillis()),
                "drain.shards", Integer.toString(done.behind().size()), "drain.direction", record.direction().toString(),
                "drain.epoch", Long.toString(record.epoch())));
    }

    /** Replicates from the active region to the other one under a new epoch. */
    StepResult replicateFromActive(ControlRecord record) {
        String active = record.activeRegion();
        ReplicationDirection direction = new ReplicationDirection(active, ctx.other(active));
        Map<String, String> startEvidence = new LinkedHashMap<>();
        before("replicate " + direction);
        String epoch = Long.toString(ReplicationStarts.routeAndRecord(ctx, record, direction, () -> Long.parseLong(
                new ReplicationAction(ctx.control(), ctx.pair(), active, direction).execute().outputs().get("epoch")),
                startEvidence));
        String start = ctx.ledger().latestCut(ctx.pair(), active, Long.parseLong(epoch))
                .map(c -> "after the cut of " + active + " at epoch " + c.epoch() + " (" + c.takenAt() + ")")
                .orElse("at the configured starting position (no cut of " + active + ")");
        Map<String, String> evidence = new LinkedHashMap<>();
        evidence.put("direction", direction.toString());
        evidence.put("epoch", epoch);
        evidence.putAll(startEvidence);
        evidence.put("replicator", "a replicator for " + direction + " writes only under epoch " + epoch + " and starts "
                + start);
        ReplicationDirection opposite = new ReplicationDirection(direction.targetRegion(), direction.sourceRegion());
        java.util.Optional<String> app = ctx.replicatorApplication(direction);
        if (app.isPresent()) {
            String otherApp = ctx.replicatorApplication(opposite).orElseThrow();
            ActionResult stopped = new io.kinesisha.controller.actions.ReplicatorApplicationAction(
                    ctx.flink(opposite.targetRegion()), opposite.targetRegion(), otherApp,
                    io.kinesisha.controller.actions.ReplicatorApplicationAction.Goal.STOP, APPLICATION_WAIT,
                    APPLICATION_POLL, progress, JobManagedConsumer.of(ctx.config(), opposite),
                    () -> JobManagedConsumer.of(ctx.config(), opposite).orElseThrow()
                            .retire(ctx.kinesis(opposite.sourceRegion()))).withGuard(this::before).execute();
            evidence.put("application." + otherApp, stopped.changed() ? "stopped" : "not running");
            if (stopped.outputs().containsKey("consumer")) {
                evidence.put("application." + otherApp + ".consumer", stopped.outputs().get("consumer"));
            }
            ActionResult started = new io.kinesisha.controller.actions.ReplicatorApplicationAction(
                    ctx.flink(direction.targetRegion()), direction.targetRegion(), app.get(),
                    io.kinesisha.controller.actions.ReplicatorApplicationAction.Goal.START_FRESH, APPLICATION_WAIT,
                    APPLICATION_POLL, progress).withGuard(this::before).execute();
            evidence.put("application." + app.get(), "started without a snapshot in " + direction.targetRegion()
                    + (started.calls().size() > 1 ? " (was running under an older epoch: restarted)" : ""));
        } else {
            evidence.put("application", "no Managed Flink applications configured: run ./kinesis-ha replicate --follow");
        }
        // a later fence in the same operation replaces this direction, also when it runs again after a crash
        return new StepResult(Map.of(FROM_DIRECTION, direction.toString(), FROM_EPOCH, epoch), evidence);
    }

    /**
     * Records the cut of {@code region}: after an unplanned fence it first waits out the settle time (a fenced
     * replicator may still finish a write), so the tips are final before producers arrive.
     */
    StepResult markCut(Operation op, ControlRecord record, String region, boolean settle) throws InterruptedException {
        java.util.Optional<io.kinesisha.common.control.StreamCut> existing = ctx.ledger().cut(ctx.pair(), region, record.epoch());
        Map<String, String> evidence = new LinkedHashMap<>();
        io.kinesisha.common.control.StreamCut cut;
        if (existing.isPresent()) {
            cut = existing.get();
            evidence.put("cut", "already taken at " + cut.takenAt());
        } else {
            if (settle) {
                Duration wait = millis(op.parameter(SETTLE_MILLIS), ctx.config().failback().fenceSettle());
                String fencedAt = op.parameter(FENCED_AT);
                Instant until = (fencedAt == null ? ctx.clock().instant() : Instant.parse(fencedAt)).plus(wait);
                long left = Duration.between(ctx.clock().instant(), until).toMillis();
                if (left > 0) {
                    progress.accept("letting the fence settle for up to " + left + " ms (a fenced replicator may finish"
                            + " a write), less once every writer acknowledged the fence");
                    long[] lastKeepAlive = {System.nanoTime()};
                    FenceSettle.Ended ended = new FenceSettle(FenceSettle.Records.of(ctx.store(), ctx.pair()), ctx.clock(),
                            d -> {
                                Thread.sleep(d.toMillis());
                                if (System.nanoTime() - lastKeepAlive[0] >= 1_000_000_000L) {
                                    waiting("the fence to settle");
                                    lastKeepAlive[0] = System.nanoTime();
                                }
                            }).await(fromDirection(op, record), fromEpoch(op, record), until);
                    evidence.put("fence.acknowledged", Boolean.toString(ended.acknowledged()));
                    evidence.put("fence.waitedMillis", Long.toString(ended.waited().toMillis()));
                    evidence.put("fence.settleEnd", ended.detail());
                }
                evidence.put("fence.settledMillis", Long.toString(wait.toMillis()));
            }
            Map<String, String> tips = io.kinesisha.controller.reconcile.StreamTips.take(ctx.kinesis(region),
                    ctx.streamArn(region), ctx.clock());
            before("record the cut of " + region);
            cut = ctx.ledger().putCut(new io.kinesisha.common.control.StreamCut(ctx.pair(), region, record.epoch(),
                    ctx.clock().instant(), fromDirection(op, record), fromEpoch(op, record), tips));
        }
        evidence.put("cut.region", cut.region());
        evidence.put("cut.epoch", Long.toString(cut.epoch()));
        evidence.put("cut.fenced", cut.fencedDirection() + " epoch " + cut.fencedEpoch());
        cut.tips().forEach((shard, tip) -> evidence.put("cut." + shard, tip.isEmpty() ? "(empty)" : tip));
        return StepResult.done(evidence);
    }

    /** Probes {@code region} until it has answered every probe for the dwell time; fails at the first bad probe. */
    StepResult checkHealthy(Operation op, String region) throws InterruptedException {
        Duration dwell = millis(op.parameter(DWELL_MILLIS), ctx.config().failback().healthDwell());
        Duration interval = Duration.ofMillis(Math.max(100, Math.min(1000, dwell.toMillis() / 5)));
        long started = System.nanoTime();
        int probes = 0;
        long worstMillis = 0;
        try (io.kinesisha.controller.health.KinesisProbe probe = new io.kinesisha.controller.health.KinesisProbe(
                io.kinesisha.common.aws.AwsTargets.kinesis(ctx.config(), ctx.side(region)), ctx.streamArn(region),
                ctx.config().health().probeTimeout(), ctx.clock())) {
            while (true) {
                io.kinesisha.controller.health.ProbeResult r = probe.probe();
                probes++;
                if (!r.healthy()) {
                    throw new IllegalStateException("failback refused: " + region + " is not healthy (" + r.error()
                            + "); the failback waits at this step: run ./kinesis-ha failback --yes again once it is back");
                }
                worstMillis = Math.max(worstMillis, r.latency().toMillis());
                long elapsed = Duration.ofNanos(System.nanoTime() - started).toMillis();
                if (elapsed >= dwell.toMillis()) {
                    break;
                }
                waiting(region + " to stay healthy");
                if (probes % 5 == 1) {
                    progress.accept(region + " healthy for " + elapsed + " ms of " + dwell.toMillis() + " ms dwell");
                }
                Thread.sleep(interval.toMillis());
            }
        }
        return StepResult.done(Map.of("health.region", region, "health.probes", Integer.toString(probes),
                "health.dwellMillis", Long.toString(dwell.toMillis()), "health.worstLatencyMillis", Long.toString(worstMillis)));
    }

    /** Applies the orphan policy to what the switch that made the active region's cut left in the old primary. */
    StepResult reconcileOrphans(ControlRecord record) {
        before("reconcile orphans");
        io.kinesisha.controller.reconcile.Reconciliation.Result r = new io.kinesisha.controller.reconcile.Reconciliation(ctx, progress)
                .withHook(new io.kinesisha.controller.reconcile.OrphanRepublisher.BatchHook() {
                    @Override
                    public void afterPut(int batchNumber) {
                        // recorded by the ledger right after
                    }

                    @Override
                    public void beforePut(int batchNumber) {
                        before("republish orphan batch " + batchNumber);
                    }
                })
                .run(record, ctx.config().failback().orphanPolicy(), true);
        return StepResult.done(r.evidence());
    }

    /** Waits until replication out of the active region is within {@link #CAUGHT_UP_RECORDS} of its end. */
    StepResult awaitCatchUp(Operation op, ControlRecord record) throws InterruptedException {
        if (record.direction() == null) {
            throw new IllegalStateException("no replication direction is set: nothing can catch up");
        }
        String source = record.direction().sourceRegion();
        Duration timeout = millis(op.parameter(CATCH_UP_TIMEOUT_MILLIS), ctx.config().failback().catchUpTimeout());
        ReplicationBarrier barrier = new ReplicationBarrier(ctx.store(), ctx.kinesis(source), ctx.streamArn(source),
                ctx.pair(), ctx.clock()).withBase(cutTips(source, record.epoch()))
                .withExcluded(republished(source, record.epoch()));
        long started = System.nanoTime();
        long lastReport = -1;
        while (true) {
            Status s = barrier.check(record.direction(), record.epoch());
            long elapsed = Duration.ofNanos(System.nanoTime() - started).toMillis();
            if (s.behind().values().stream().allMatch(n -> n <= CAUGHT_UP_RECORDS)) {
                return StepResult.done(Map.of("catchUp.waitedMillis", Long.toString(elapsed), "catchUp.recordsBehind",
                        Integer.toString(s.recordsBehind()), "catchUp.direction", record.direction().toString(),
                        "catchUp.epoch", Long.toString(record.epoch())));
            }
            if (elapsed > timeout.toMillis()) {
                throw new IllegalStateException(record.direction() + " (epoch " + record.epoch() + ") did not catch up within "
                        + timeout.toMillis() + " ms: " + s.summary() + "; is its replicator running (./kinesis-ha replicate"
                        + " --follow, or the application of that direction)? The failback resumes at this step");
            }
            if (lastReport < 0 || elapsed - lastReport >= 2000) {
                lastReport = elapsed;
                progress.accept("waiting for " + record.direction() + " to catch up: " + s.summary());
            }
            waiting(record.direction() + " to catch up");
            Thread.sleep(500);
        }
    }

    /** Where orphans were copied into {@code region} after its cut: replication skips them. */
    java.util.Set<String> republished(String region, long epoch) {
        java.util.Set<String> targets = new java.util.HashSet<>();
        ctx.ledger().latestCut(ctx.pair(), region, epoch).ifPresent(cut -> ctx.ledger().batches(ctx.pair(), cut.epoch())
                .forEach(b -> targets.addAll(b.targets())));
        targets.remove(null);
        return targets;
    }

    /** The tips of {@code region}'s cut for {@code epoch}: where replication out of it started. */
    Map<String, String> cutTips(String region, long epoch) {
        return ctx.ledger().latestCut(ctx.pair(), region, epoch).map(io.kinesisha.common.control.StreamCut::tips)
                .orElse(Map.of());
    }

    /** The mutating calls a step would make now, for a dry run (reads are allowed, writes never). */
    List<ApiCall> describe(io.kinesisha.controller.statemachine.Step step, ControlRecord record, String target,
                           String activeAtStep) {
        List<ApiCall> calls = new ArrayList<>();
        String pk = "pair#" + ctx.pair() + "/control";
        switch (step) {
            case FENCE_REPLICATION -> calls.add(record("direction=none epoch=" + (record.epoch() + 1), pk));
            case ACTIVATE_SECONDARY, ACTIVATE_PRIMARY -> calls.add(record("activeRegion=" + target, pk));
            case PAUSE_PRODUCERS, RESUME_PRODUCERS -> {
                boolean pause = step == io.kinesisha.controller.statemachine.Step.PAUSE_PRODUCERS;
                calls.add(record("producersPaused=" + pause, pk));
                for (String fn : ctx.producerFunctions()) {
                    String region = PairContext.regionOf(fn);
                    calls.addAll(describeSafely(() -> pause ? ProducerAction.pause(ctx.lambda(region), region, fn).describe()
                            : ProducerAction.resume(ctx.lambda(region), region, fn, null).describe(), region, fn));
                }
            }
            case REDIRECT_PRODUCERS -> {
                for (String fn : ctx.producerFunctions()) {
                    String region = PairContext.regionOf(fn);
                    calls.addAll(describeSafely(() -> ProducerAction.redirect(ctx.lambda(region), region, fn, Map.of(
                            "KINESIS_HA_ACTIVE_REGION", target, "KINESIS_HA_STREAM_ARN", ctx.streamArn(target))).describe(),
                            region, fn));
                }
            }
            case START_CONSUMERS -> {
                for (String fn : ctx.consumerFunctions()) {
                    calls.addAll(describeSafely(() -> ConsumerAction.start(ctx.lambda(target), target, fn,
                            ctx.streamArn(target), ctx.clock().instant(), CONSUMER_BATCH_SIZE).describe(), target, fn));
                }
                calls.addAll(new KclConsumers(ctx).describe(target, record.epoch()));
            }
            case STOP_CONSUMERS -> {
                String old = ctx.other(target);
                for (String fn : ctx.consumerFunctions()) {
                    calls.addAll(describeSafely(() -> ConsumerAction.stop(ctx.lambda(old), old, fn, ctx.streamArn(old))
                            .describe(), old, fn));
                }
            }
            case REPLICATE_FROM_ACTIVE -> calls.add(record("direction=" + activeAtStep + "->" + ctx.other(activeAtStep)
                    + " epoch+1", pk));
            case MARK_CUT -> calls.add(new ApiCall("dynamodb", "PutItem", "control", Map.of("Put cut item",
                    "pair#" + ctx.pair() + "#cut " + target + "#<epoch>: last sequence number per shard of "
                            + ctx.streamArn(target), "ConditionExpression", "attribute_not_exists(pk)")));
            case RECONCILE_ORPHANS -> {
                calls.add(new ApiCall("kinesis", "PutRecords", activeAtStep, Map.of("StreamARN", ctx.streamArn(activeAtStep),
                        "Records", "the orphans of " + ctx.other(activeAtStep) + " (policy "
                                + ctx.config().failback().orphanPolicy() + "; see ./kinesis-ha orphans)")));
                calls.add(new ApiCall("dynamodb", "PutItem", "control", Map.of("Put republish batch",
                        "pair#" + ctx.pair() + "#republish <cut epoch>#<batch>: INTENDED before, COPIED after each PutRecords")));
            }
            default -> {
                // read-only steps (the drain barrier) make no mutating call
            }
        }
        return calls;
    }

    private static ApiCall record(String change, String key) {
        return new ApiCall("dynamodb", "PutItem", "control", Map.of("Put control record", key + " " + change,
                "ConditionExpression", "version = <current>", "then PutItem audit item", "ACTION (also embedded as lastAudit)"));
    }

    private static List<ApiCall> describeSafely(java.util.function.Supplier<List<ApiCall>> describe, String region,
                                                String fn) {
        try {
            return describe.get();
        } catch (RuntimeException e) {
            return List.of(new ApiCall("lambda", "(cannot plan: " + e.getClass().getSimpleName() + ")", region,
                    Map.of("FunctionName", fn)));
        }
    }

    /** Immediately before a side effect: the runner lease is renewed and the step confirmed, or the runner stands down. */
    private void before(String sideEffect) {
        ctx.control().lease(ctx.pair()).check(sideEffect);
    }

    /** While a step waits: the lease stays renewed and an abort or another runner's progress is noticed. */
    private void waiting(String what) {
        ctx.control().lease(ctx.pair()).keepAlive("waiting for " + what);
    }

    private static void requireWritten(Outcome o) {
        if (o.result() == Result.LOST_RACE || o.result() == Result.REJECTED) {
            throw new IllegalStateException("control record not changed: " + o.reason());
        }
    }

    private static Duration millis(String value, Duration otherwise) {
        return value == null ? otherwise : Duration.ofMillis(Long.parseLong(value));
    }
}
