package io.kinesisha.controller.health;

import io.kinesisha.common.control.ShardProgress;
import java.util.List;

/**
 * Everything one evaluation looks at for the primary region. {@code cloudWatch} is null when GetMetricData itself
 * failed ({@code cloudWatchError} says why): no answer from CloudWatch is missing evidence, not good news.
 */
public record Evidence(
        StreamSignals cloudWatch, String cloudWatchError, List<ProbeResult> probes, List<ShardProgress> progress) {
    /** The {@code cloudWatchError} of evidence gathered where CloudWatch does not exist (local emulators). */
    public static final String CLOUDWATCH_NOT_USED = "CloudWatch not used (local endpoints)";

    public Evidence {
        probes = List.copyOf(probes);
        progress = List.copyOf(progress);
    }

    /** Probes and progress only: for local environments, which have no CloudWatch to ask. */
    public static Evidence withoutCloudWatch(List<ProbeResult> probes, List<ShardProgress> progress) {
        return new Evidence(null, CLOUDWATCH_NOT_USED, probes, progress);
    }

    /** False when CloudWatch was deliberately left out; its absence then is not missing evidence. */
    public boolean cloudWatchUsed() {
        return !(cloudWatch == null && CLOUDWATCH_NOT_USED.equals(cloudWatchError));
    }
}
