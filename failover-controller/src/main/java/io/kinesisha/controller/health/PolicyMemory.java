package io.kinesisha.controller.health;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What the policy remembers between evaluations, stored in the control record so every controller instance
 * continues the same count: consecutive bad evaluations and the times of recent automatic failovers (the last
 * one is what the dwell time is measured from).
 */
public record PolicyMemory(int consecutiveBad, List<Instant> automaticFailovers) {
    private static final ObjectMapper JSON = new ObjectMapper();
    public static final PolicyMemory EMPTY = new PolicyMemory(0, List.of());

    public PolicyMemory {
        automaticFailovers = List.copyOf(automaticFailovers);
    }

    public Instant lastAutomaticFailover() {
        return automaticFailovers.isEmpty() ? null : automaticFailovers.get(automaticFailovers.size() - 1);
    }

    public String toJson() {
        ObjectNode node = JSON.createObjectNode();
        node.put("consecutiveBad", consecutiveBad);
        automaticFailovers.forEach(t -> node.withArray("automaticFailovers").add(t.toString()));
        return node.toString();
    }

    /** The memory in {@code json}; {@link #EMPTY} for {@code null}. */
    public static PolicyMemory fromJson(String json) {
        if (json == null || json.isEmpty()) {
            return EMPTY;
        }
        try {
            JsonNode node = JSON.readTree(json);
            List<Instant> failovers = new ArrayList<>();
            JsonNode list = node.get("automaticFailovers");
            if (list != null) {
                list.forEach(t -> failovers.add(Instant.parse(t.asText())));
            }
            return new PolicyMemory(node.get("consecutiveBad").asInt(), failovers);
        } catch (Exception e) {
            throw new IllegalArgumentException("not a policy memory: " + json, e);
        }
    }
}
