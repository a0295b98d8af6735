package io.kinesisha.controller.actions;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.GetFunctionConfigurationResponse;
import software.amazon.awssdk.services.lambda.model.PreconditionFailedException;

/**
 * Moves producer Lambda functions. Redirect sets environment variables: UpdateFunctionConfiguration replaces the
 * whole environment map, so it is a read-modify-write guarded by the RevisionId (another deploy between read and
 * write makes Lambda answer 412; we re-read and merge again). Pause sets reserved concurrency 0; resume puts back
 * what was there (or deletes the setting if there was none).
 */
public final class ProducerAction {
    /** How often a redirect re-reads after losing to a concurrent configuration change. */
    static final int MAX_REVISION_CONFLICTS = 5;
    /** Output of {@link #pause}: the reserved concurrency before pausing ({@code none} if unset). */
    public static final String PREVIOUS_CONCURRENCY = "previousReservedConcurrency";

    private ProducerAction() {}

    /** Sets {@code variables} in the function's environment, keeping every other variable. */
    public static Action redirect(LambdaClient lambda, String region, String function, Map<String, String> variables) {
        return new Action() {
            @Override
            public String name() {
                return "redirect producer " + function + " " + variables;
            }

            @Override
            public List<ApiCall> describe() {
                GetFunctionConfigurationResponse config =
                        lambda.getFunctionConfiguration(b -> b.functionName(function));
                Map<String, String> merged = merged(config, variables);
                return merged == null
                        ? List.of()
                        : List.of(update(region, function, variables, merged, config.revisionId()));
            }

            @Override
            public ActionResult execute() {
                for (int attempt = 1; ; attempt++) {
                    GetFunctionConfigurationResponse config =
                            lambda.getFunctionConfiguration(b -> b.functionName(function));
                    Map<String, String> merged = merged(config, variables);
                    if (merged == null) {
                        return ActionResult.unchanged(name(), Map.of("revisionId", config.revisionId()));
                    }
                    try {
                        String revision = lambda.updateFunctionConfiguration(b -> b.functionName(function)
                                        .environment(e -> e.variables(merged))
                                        .revisionId(config.revisionId()))
                                .revisionId();
                        return new ActionResult(
                                name(),
                                true,
                                List.of(update(region, function, variables, merged, config.revisionId())),
                                Map.of("revisionId", revision, "attempts", Integer.toString(attempt)));
                    } catch (PreconditionFailedException changedMeanwhile) {
                        if (attempt >= MAX_REVISION_CONFLICTS) {
                            throw changedMeanwhile;
                        }
                    }
                }
            }
        };
    }

    /** Reserved concurrency 0: the function stops being invoked; its output says what to restore. */
    public static Action pause(LambdaClient lambda, String region, String function) {
        return new Action() {
            @Override
            public String name() {
                return "pause producer " + function;
            }

            @Override
            public List<ApiCall> describe() {
                Integer current = reserved(lambda, function);
                return current != null && current == 0 ? List.of() : List.of(put(region, function, 0));
            }

            @Override
            public ActionResult execute() {
                Integer current = reserved(lambda, function);
                if (current != null && current == 0) {
                    return ActionResult.unchanged(name(), Map.of());
                }
                lambda.putFunctionConcurrency(b -> b.functionName(function).reservedConcurrentExecutions(0));
                return new ActionResult(
                        name(),
                        true,
                        List.of(put(region, function, 0)),
                        Map.of(PREVIOUS_CONCURRENCY, current == null ? "none" : current.toString()));
            }
        };
    }

    /**
     * Undoes {@link #pause}: {@code previous} is its {@link #PREVIOUS_CONCURRENCY} output ({@code none}: delete
     * the setting). Does nothing unless the function is at 0, so it never overrides a setting made since.
     */
    public static Action resume(LambdaClient lambda, String region, String function, String previous) {
        boolean delete = previous == null || previous.equals("none");
        return new Action() {
            @Override
            public String name() {
                return "resume producer " + function + " (reserved concurrency " + (delete ? "unset" : previous) + ")";
            }

            @Override
            public List<ApiCall> describe() {
                Integer current = reserved(lambda, function);
                return current == null || current != 0 ? List.of() : List.of(call());
            }

            @Override
            public ActionResult execute() {
                Integer current = reserved(lambda, function);
                if (current == null || current != 0) {
                    return ActionResult.unchanged(name(), Map.of());
                }
                if (delete) {
                    lambda.deleteFunctionConcurrency(b -> b.functionName(function));
                } else {
                    lambda.putFunctionConcurrency(
                            b -> b.functionName(function).reservedConcurrentExecutions(Integer.parseInt(previous)));
                }
                return new ActionResult(name(), true, List.of(call()), Map.of());
            }

            private ApiCall call() {
                return delete
                        ? new ApiCall("lambda", "DeleteFunctionConcurrency", region, Map.of("FunctionName", function))
                        : put(region, function, Integer.parseInt(previous));
            }
        };
    }

    /** The merged environment, or null if every variable already has its value. */
    private static Map<String, String> merged(GetFunctionConfigurationResponse config, Map<String, String> variables) {
        Map<String, String> current =
                config.environment() == null || config.environment().variables() == null
                        ? Map.of()
                        : config.environment().variables();
        Map<String, String> merged = new HashMap<>(current);
        merged.putAll(variables);
        return merged.equals(current) ? null : merged;
    }

    /** The function's reserved concurrency now ({@code null}: unset): what {@link #pause} saves and resume restores. */
    public static Integer reservedConcurrency(LambdaClient lambda, String function) {
        return reserved(lambda, function);
    }

    private static Integer reserved(LambdaClient lambda, String function) {
        return lambda.getFunctionConcurrency(b -> b.functionName(function)).reservedConcurrentExecutions();
    }

    /** Shows the variables set and only the number of those kept: environments often hold secrets. */
    private static ApiCall update(
            String region, String function, Map<String, String> set, Map<String, String> all, String revision) {
        return new ApiCall(
                "lambda",
                "UpdateFunctionConfiguration",
                region,
                Map.of(
                        "FunctionName",
                        function,
                        "Environment.Variables",
                        new TreeMap<>(set) + " + " + (all.size() - set.size()) + " unchanged",
                        "RevisionId",
                        revision));
    }

    private static ApiCall put(String region, String function, int concurrency) {
        return new ApiCall(
                "lambda",
                "PutFunctionConcurrency",
                region,
                Map.of("FunctionName", function, "ReservedConcurrentExecutions", Integer.toString(concurrency)));
    }
}
