package io.kinesisha.controller.health;

import java.util.List;
import java.util.Map;

/**
 * The outcome of one evaluation: whether the primary looked healthy ({@code reasons} lists every bad signal),
 * what to do about it, why not when holding back, advisory {@code warnings}, the memory to store, and the inputs
 * as flat strings for the EVALUATION audit item.
 */
public record Verdict(
        boolean healthy,
        Decision decision,
        List<String> reasons,
        String holdReason,
        List<String> warnings,
        PolicyMemory memory,
        Map<String, String> inputs) {
    public enum Decision {
        /** The primary is healthy. */
        NONE,
        /** Unhealthy, but a safeguard (count, dwell, budget, kill switch, state) holds the failover back. */
        HOLD,
        /** Fire {@code PRIMARY_UNHEALTHY}. */
        FAIL_OVER
    }

    public Verdict {
        reasons = List.copyOf(reasons);
        warnings = List.copyOf(warnings);
        inputs = Map.copyOf(inputs);
    }
}
