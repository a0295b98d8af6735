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
 * <p>Unhealthy evidence: error rate above the threshold, iterator age above the threshold, a failed probe, and
 * any <em>missing</em> data from the primary (missing periods, no probe, CloudWatch unreachable) - a region that
 * went dark must never look healthy. Replicator lag is only a warning: failing over because the replicator is
 * behind would lose more data, not less.
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

    public Verdict evaluate(Evidence evidence, PairState state, boolean automationPaused, PolicyMemory memory) {
        Instant now = clock.instant();
        Map<String, String> inputs = new LinkedHashMap<>();
        List<String> reasons = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        assessCloudWatch(evidence, reasons, inputs);
        assessProbes(evidence.probes(), reasons, inputs);
        assessReplication(evidence.progress(), now, warnings, inputs);

        boolean healthy = reasons.isEmpty();
        int bad = healthy ? 0 : memory.consecutiveBad() + 1;
        List<Instant> recent = memory.automaticFailovers().stream()
                .filter(t -> t.isAfter(now.minus(settings.automaticFailoverWindow()))).collect(Collectors.toList());
        PolicyMemory kept = new PolicyMemory(bad, recent);
        inputs.put("state", state.name());
        inputs.put("automationPaused", Boolean.toString(automationPaused));
        inputs.put("consecutiveBad", bad + "/" + settings.consecutiveBadEvaluations());
        inputs.put("automaticFailoversInWindow", recent.size() + "/" + settings.maxAutomaticFailovers());
        if (healthy) {
            return new Verdict(true, Decision.NONE, reasons, null, warnings, kept, inputs);
        }
        String hold = holdReason(now, state, automationPaused, bad, recent, memory.lastAutomaticFailover());
        if (hold != null) {
            return new Verdict(false, Decision.HOLD, reasons, hold, warnings, kept, inputs);
        }
        List<Instant> withThis = new ArrayList<>(recent);
        withThis.add(now);
        return new Verdict(false, Decision.FAIL_OVER, reasons, null, warnings, new PolicyMemory(bad, withThis), inputs);
    }

    private String holdReason(Instant now, PairState state, boolean paused, int bad, List<Instant> recent,
                              Instant lastFailover) {
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
            return "dwell time: last automatic failover at " + lastFailover + ", less than " + settings.minDwell() + " ago";
        }
        if (recent.size() >= settings.maxAutomaticFailovers()) {
            return recent.size() + " automatic failover(s) within " + settings.automaticFailoverWindow()
                    + " already (max " + settings.maxAutomaticFailovers() + ")";
        }
        return null;
    }

    private void assessCloudWatch(Evidence evidence, List<String> reasons, Map<String, String> inputs) {
        StreamSignals cw = evidence.cloudWatch();
        if (!evidence.cloudWatchUsed()) {
            inputs.put("cloudWatch", Evidence.CLOUDWATCH_NOT_USED);
            return;
        }
        if (cw == null) {
            reasons.add("CloudWatch: no data (" + evidence.cloudWatchError() + "); missing primary data counts as unhealthy");
            inputs.put("cloudWatchError", String.valueOf(evidence.cloudWatchError()));
            return;
        }
        inputs.put("window", cw.from() + "/" + cw.to());
        Series errors = cw.errorRatePercent();
        inputs.put("errorRatePercent", errors.toString());
        missing(errors, "error rate", reasons);
        errors.mean().ifPresent(mean -> {
            if (mean > settings.errorRateThresholdPercent()) {
                reasons.add(String.format(Locale.ROOT, "error rate %.2f%% > %.2f%% over %s", mean,
                        settings.errorRateThresholdPercent(), Duration.between(cw.from(), cw.to())));
            }
        });
        Series age = cw.iteratorAgeMillis();
        inputs.put("iteratorAgeMillis", age.toString());
        missing(age, "iterator age", reasons);
        age.max().ifPresent(max -> {
            if (max > settings.iteratorAgeThreshold().toMillis()) {
                reasons.add(String.format(Locale.ROOT, "iterator age %.0f ms > %d ms", max,
                        settings.iteratorAgeThreshold().toMillis()));
            }
        });
    }

    private static void missing(Series s, String what, List<String> reasons) {
        if (s.missingCount() > 0) {
            reasons.add(what + ": " + s.missingCount() + " of " + s.values().size()
                    + " periods missing; missing primary data counts as unhealthy");
        }
    }

    private static void assessProbes(List<ProbeResult> probes, List<String> reasons, Map<String, String> inputs) {
        inputs.put("probes", probes.toString());
        if (probes.isEmpty()) {
            reasons.add("no probe result; missing primary data counts as unhealthy");
        }
        for (ProbeResult p : probes) {
            if (!p.healthy()) {
                reasons.add("probe of " + p.region() + " failed after " + p.latency().toMillis() + " ms: " + p.error());
            }
        }
    }

    private void assessReplication(List<ShardProgress> progress, Instant now, List<String> warnings,
                                   Map<String, String> inputs) {
        if (progress.isEmpty()) {
            warnings.add("no replication progress recorded");
            inputs.put("replicationLagMillis", "MISSING");
            return;
        }
        long behind = progress.stream().mapToLong(ShardProgress::millisBehindLatest).max().orElse(0);
        long newest = progress.stream().mapToLong(ShardProgress::updatedEpochMillis).max().orElse(0);
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
