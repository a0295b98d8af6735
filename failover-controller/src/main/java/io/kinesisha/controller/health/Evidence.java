package io.kinesisha.controller.health;

import io.kinesisha.common.control.ShardProgress;
import java.util.List;

/**
 * Everything one evaluation looks at for the primary region. {@code cloudWatch} is null when GetMetricData itself
 * failed ({@code cloudWatchError} says why): no answer from CloudWatch is missing evidence, not good news.
 */
public record Evidence(StreamSignals cloudWatch, String cloudWatchError, List<ProbeResult> probes,
                       List<ShardProgress> progress) {
    public Evidence {
        probes = List.copyOf(probes);
        progress = List.copyOf(progress);
    }
}
