package io.kinesisha.controller.health;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What the policy remembers between evaluations, stored in the control record so every controller instance
 * continues the same count: consecutive bad evaluations, the newest evidence already counted (a failed probe's time,
 * the end of a bad CloudWatch window) so that invocations judging the same observation count it once, the epoch the
 * count belongs to (a switch of region starts it again), and the times of recent automatic failovers (the last one
 * is what the dwell time is measured from).
 */
public record PolicyMemory(
        int consecutiveBad,
        List<Instant> automaticFailovers,
        long epoch,
        Instant lastCountedProbe,
        Instant lastCountedWindowEnd) {
    private static final ObjectMapper JSON = new ObjectMapper();
    public static final PolicyMemory EMPTY = new PolicyMemory(0, List.of());

    public PolicyMemory {
        automaticFailovers = List.copyOf(automaticFailovers);
    }

    /** A count with no evidence times and no epoch (as stored before they were recorded). */
    public PolicyMemory(int consecutiveBad, List<Instant> automaticFailovers) {
        this(consecutiveBad, automaticFailovers, 0, null, null);
    }

    public Instant lastAutomaticFailover() {
        return automaticFailovers.isEmpty() ? null : automaticFailovers.get(automaticFailovers.size() - 1);
    }

    /** The same memory with the count started again (after a switch of region, or a good evaluation). */
    public PolicyMemory reset(long newEpoch, List<Instant> failovers) {
        return new PolicyMemory(0, failovers, newEpoch, null, null);
    }

    public String toJson() {
        ObjectNode node = JSON.createObjectNode();
        node.put("consecutiveBad", consecutiveBad);
        automaticFailovers.forEach(t -> node.withArray("automaticFailovers").add(t.toString()));
        node.put("epoch", epoch);
        if (lastCountedProbe != null) {
            node.put("lastCountedProbe", lastCountedProbe.toString());
        }
        if (lastCountedWindowEnd != null) {
            node.put("lastCountedWindowEnd", lastCountedWindowEnd.toString());
        }
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
            return new PolicyMemory(
                    node.get("consecutiveBad").asInt(),
                    failovers,
                    node.has("epoch") ? node.get("epoch").asLong() : 0,
                    instant(node, "lastCountedProbe"),
                    instant(node, "lastCountedWindowEnd"));
        } catch (Exception e) {
            throw new IllegalArgumentException("not a policy memory: " + json, e);
        }
    }

    private static Instant instant(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : Instant.parse(v.asText());
    }
}
