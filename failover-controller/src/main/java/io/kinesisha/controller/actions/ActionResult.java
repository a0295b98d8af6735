package io.kinesisha.controller.actions;

import java.util.List;
import java.util.Map;

/**
 * What an action did: whether it changed anything ({@code false}: it found its work already done), the
 * mutating calls it made, and values later steps need (e.g. the concurrency a pause replaced).
 */
public record ActionResult(String action, boolean changed, List<ApiCall> calls, Map<String, String> outputs) {
    public ActionResult {
        calls = List.copyOf(calls);
        outputs = Map.copyOf(outputs);
    }

    static ActionResult unchanged(String action, Map<String, String> outputs) {
        return new ActionResult(action, false, List.of(), outputs);
    }
}
