package io.kinesisha.controller.actions;

import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** One AWS API call an action makes (or, in a dry run, would make): service, operation, region, parameters. */
public record ApiCall(String service, String operation, String region, Map<String, String> parameters) {
    public ApiCall {
        parameters = Map.copyOf(parameters);
    }

    @Override
    public String toString() {
        return service + ":" + operation + " [" + region + "] "
                + new TreeMap<>(parameters)
                        .entrySet().stream()
                                .map(e -> e.getKey() + "=" + e.getValue())
                                .collect(Collectors.joining(", "));
    }
}
