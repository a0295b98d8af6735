package io.kinesisha.controller.health;

import io.kinesisha.common.control.ShardProgress;
import io.kinesisha.controller.health.Verdict.Decision;
import io.kinesisha.controller.statemachine.PairState;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Turns evidence about the primary into a verdict. Pure logic with an injected clock, so every rule is tested
 * without waiting.
 *
 * <p>Only evidence about the primary itself is unhealthy: a failed probe, no probe at all, and an error rate (failed
 * calls and records over all of them, throttling excluded) above the threshold. Everything else warns and never
 * fails over: replicator lag and readers' iterator age (failing over into the lagging side loses more data, not
 * less), throttling (capacity, not health), and CloudWatch without data or unreachable - its metrics are sparse and a
 * minute late, and a CloudWatch-only outage while every probe answers says nothing about Kinesis.
 *
 * <p>Bad evaluations count distinct observations: a failed probe counts when it was taken at least half a probe
 * interval after the last one counted, a bad error rate when its window ends after the last one counted, so
 * invocations judging the same probe or the same minute count it once. The count belongs to the record's epoch and
 * starts again after a failover or any other switch.
 *
 * <p>Safeguards against flapping, checked in this order after the primary looked bad: N consecutive bad
 * evaluations; the pair is in {@link PairState#ACTIVE_PRIMARY}; the automation kill switch; automatic failover
 * enabled (budget &gt; 0); the minimum dwell time since the last automatic failover; at most M automatic
 * failovers per window.
 */
public final class HealthPolicy {
    private final PolicySettings settings;
    private final Clock clock;

    public HealthPolicy(PolicySettings settings, Clock clock) {
        this.settings = settings;
        this.clock = clock;
    }

    /** {@link #evaluate(Evidence, PairState, boolean, PolicyMemory, long)} in the memory's own epoch. */
    public Verdict evaluate(Evidence evidence, PairState state, boolean automationPaused, PolicyMemory memory) {
        return evaluate(evidence, state, automationPaused, memory, memory.epoch());
    }

    /** Judges {@code evidence} for a pair in {@code state} at {@code epoch}, continuing {@code memory}'s count. */
    public Verdict evaluate(
            Evidence evidence, PairState state, boolean automationPaused, PolicyMemory memory, long epoch) {
        Instant now = clock.instant();
        Map<String, String> inputs = new LinkedHashMap<>();
        List<String> reasons = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        Instant badWindowEnd = assessCloudWatch(evidence, reasons, warnings, inputs);
        Instant failedProbe = assessProbes(evidence.probes(), reasons, inputs);
        assessReplication(evidence.progress(), now, warnings, inputs);

        List<Instant> recent = memory.automaticFailovers().stream()
                .filter(t -> t.isAfter(now.minus(settings.automaticFailoverWindow())))
                .collect(Collectors.toList());
        PolicyMemory kept = count(
                memory.epoch() == epoch ? memory : memory.reset(epoch, memory.automaticFailovers()),
                reasons.isEmpty(),
                failedProbe,
                badWindowEnd,
                epoch,
                recent);
        int bad = kept.consecutiveBad();
        inputs.put("state", state.name());
        inputs.put("automationPaused", Boolean.toString(automationPaused));
        inputs.put("consecutiveBad", bad + "/" + settings.consecutiveBadEvaluations());
        inputs.put("automaticFailoversInWindow", recent.size() + "/" + settings.maxAutomaticFailovers());
        if (reasons.isEmpty()) {
            return new Verdict(true, Decision.NONE, reasons, null, warnings, kept, inputs);
        }
        String hold = holdReason(now, state, automationPaused, bad, recent, memory.lastAutomaticFailover());
        if (hold != null) {
            return new Verdict(false, Decision.HOLD, reasons, hold, warnings, kept, inputs);
        }
        List<Instant> withThis = new ArrayList<>(recent);
        withThis.add(now);
        // the failover is a switch: the next count starts from zero
        return new Verdict(false, Decision.FAIL_OVER, reasons, null, warnings, kept.reset(epoch, withThis), inputs);
    }

    /** The memory after this evaluation: reset when healthy, one more only for an observation not counted yet. */
    private PolicyMemory count(
            PolicyMemory m,
            boolean healthy,
            Instant failedProbe,
            Instant badWindowEnd,
            long epoch,
            List<Instant> recent) {
        if (healthy) {
            return m.reset(epoch, recent);
        }
        boolean newProbe = failedProbe != null
                && (m.lastCountedProbe() == null
                        || !failedProbe.isBefore(m.lastCountedProbe().plus(settings.distinctProbeSpacing())));
        boolean newWindow = badWindowEnd != null
                && (m.lastCountedWindowEnd() == null || badWindowEnd.isAfter(m.lastCountedWindowEnd()));
        boolean nothingDated = failedProbe == null && badWindowEnd == null;
        int bad = newProbe || newWindow || nothingDated ? m.consecutiveBad() + 1 : m.consecutiveBad();
        return new PolicyMemory(
                bad,
                recent,
                epoch,
                newProbe ? failedProbe : m.lastCountedProbe(),
                newWindow ? badWindowEnd : m.lastCountedWindowEnd());
    }

    private String holdReason(
            Instant now, PairState state, boolean paused, int bad, List<Instant> recent, Instant lastFailover) {
        if (bad < settings.consecutiveBadEvaluations()) {
            return bad + " of " + settings.consecutiveBadEvaluations() + " consecutive bad evaluations";
        }
        if (state != PairState.ACTIVE_PRIMARY) {
            return "automatic failover applies only in ACTIVE_PRIMARY; the pair is " + state;
        }
        if (paused) {
            return "automation is paused (kill switch)";
        }
        if (settings.maxAutomaticFailovers() == 0) {
            return "automatic failover is disabled (max automatic failovers = 0)";
        }
        if (lastFailover != null && Duration.between(lastFailover, now).compareTo(settings.minDwell()) < 0) {
            return "dwell time: last automatic failover at " + lastFailover + ", less than " + settings.minDwell()
                    + " ago";
        }
        if (recent.size() >= settings.maxAutomaticFailovers()) {
            return recent.size() + " automatic failover(s) within " + settings.automaticFailoverWindow()
                    + " already (max " + settings.maxAutomaticFailovers() + ")";
        }
        return null;
    }

    /** Adds CloudWatch's reasons and warnings; the end of the window when its error rate was bad, else null. */
    private Instant assessCloudWatch(
            Evidence evidence, List<String> reasons, List<String> warnings, Map<String, String> inputs) {
        StreamSignals cw = evidence.cloudWatch();
        if (!evidence.cloudWatchUsed()) {
            inputs.put("cloudWatch", Evidence.CLOUDWATCH_NOT_USED);
            return null;
        }
        if (cw == null) {
            warnings.add("CloudWatch: no data (" + evidence.cloudWatchError() + "); the probes decide");
            inputs.put("cloudWatchError", String.valueOf(evidence.cloudWatchError()));
            return null;
        }
        StreamSignals.Counts counts = cw.window();
        inputs.put("window", cw.from() + "/" + cw.to());
        inputs.put(
                "errorRatePercent",
                counts.errorRatePercent().stream()
                        .mapToObj(r -> String.format(Locale.ROOT, "%.3f", r))
                        .findFirst()
                        .orElse("no calls"));
        inputs.put("callsAndRecords", String.format(Locale.ROOT, "%.0f", counts.total()));
        inputs.put("failed", String.format(Locale.ROOT, "%.0f", counts.failed()));
        inputs.put("throttled", String.format(Locale.ROOT, "%.0f", counts.throttled()));
        inputs.put("errorRateByPeriod", cw.errorRatePercent().toString());
        inputs.put("iteratorAgeMillis", cw.iteratorAgeMillis().toString());
        Instant bad = null;
        if (counts.errorRatePercent().isPresent()
                && counts.errorRatePercent().getAsDouble() > settings.errorRateThresholdPercent()) {
            reasons.add(String.format(
                    Locale.ROOT,
                    "error rate %.2f%% > %.2f%% over %s (%s)",
                    counts.errorRatePercent().getAsDouble(),
                    settings.errorRateThresholdPercent(),
                    Duration.between(cw.from(), cw.to()),
                    counts));
            bad = cw.to();
        }
        if (counts.throttled() > 0) {
            warnings.add(String.format(
                    Locale.ROOT,
                    "%.0f calls or records throttled over %s (capacity, not health: add"
                            + " shards or slow the writers)",
                    counts.throttled(),
                    Duration.between(cw.from(), cw.to())));
        }
        cw.iteratorAgeMillis().max().ifPresent(max -> {
            if (max > settings.iteratorAgeThreshold().toMillis()) {
                warnings.add(String.format(
                        Locale.ROOT,
                        "iterator age %.0f ms > %d ms (readers behind; a failover" + " now loses more data, not less)",
                        max,
                        settings.iteratorAgeThreshold().toMillis()));
            }
        });
        return bad;
    }

    /** Adds the probes' reasons; the time of the newest failed probe, else null. */
    private static Instant assessProbes(List<ProbeResult> probes, List<String> reasons, Map<String, String> inputs) {
        inputs.put("probes", probes.toString());
        if (probes.isEmpty()) {
            reasons.add("no probe result; missing primary data counts as unhealthy");
        }
        Instant newest = null;
        for (ProbeResult p : probes) {
            if (!p.healthy()) {
                reasons.add("probe of " + p.region() + " failed after "
                        + p.latency().toMillis() + " ms: " + p.error());
                newest = newest == null || p.at().isAfter(newest) ? p.at() : newest;
            }
        }
        return newest;
    }

    private void assessReplication(
            List<ShardProgress> progress, Instant now, List<String> warnings, Map<String, String> inputs) {
        if (progress.isEmpty()) {
            warnings.add("no replication progress recorded");
            inputs.put("replicationLagMillis", "MISSING");
            return;
        }
        long behind = progress.stream()
                .mapToLong(ShardProgress::millisBehindLatest)
                .max()
                .orElse(0);
        long newest = progress.stream()
                .mapToLong(ShardProgress::updatedEpochMillis)
                .max()
                .orElse(0);
        long stale = now.toEpochMilli() - newest;
        inputs.put("replicationLagMillis", Long.toString(behind));
        inputs.put("replicationProgressAgeMillis", Long.toString(stale));
        long limit = settings.replicationLagThreshold().toMillis();
        if (behind > limit) {
            warnings.add("replication lag " + behind + " ms > " + limit + " ms (a failover now loses more data)");
        }
        if (stale > limit) {
            warnings.add("replication progress last updated " + stale + " ms ago (> " + limit + " ms)");
        }
    }
}
