package io.kinesisha.controller.operations.steps;

import io.kinesisha.controller.actions.ApiCall;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** How a dry run shows the calls steps make: the control record write, and Lambda calls that may not be plannable. */
final class Plans {
    private Plans() {}

    /** The conditional write of the pair's control record that {@code change} makes, with its audit item. */
    static ApiCall controlRecord(String pair, String change) {
        return new ApiCall(
                "dynamodb",
                "PutItem",
                "control",
                Map.of(
                        "Put control record",
                        "pair#" + pair + "/control " + change,
                        "ConditionExpression",
                        "version = <current>",
                        "then PutItem audit item",
                        "ACTION (also embedded as lastAudit)"));
    }

    /** A function's planned calls, or a placeholder naming why they cannot be planned (its region does not answer). */
    static List<ApiCall> lambdaCalls(Supplier<List<ApiCall>> describe, String region, String fn) {
        try {
            return describe.get();
        } catch (RuntimeException e) {
            return List.of(new ApiCall(
                    "lambda",
                    "(cannot plan: " + e.getClass().getSimpleName() + ")",
                    region,
                    Map.of("FunctionName", fn)));
        }
    }
}
