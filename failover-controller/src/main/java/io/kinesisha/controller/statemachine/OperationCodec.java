package io.kinesisha.controller.statemachine;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Operations as JSON in the control record's {@code operation} attribute: readable in the console, versionable. */
public final class OperationCodec {
    private static final ObjectMapper JSON = new ObjectMapper();

    private OperationCodec() {}

    public static String toJson(Operation op) {
        ObjectNode node = JSON.createObjectNode();
        node.put("id", op.id());
        node.put("type", op.type().name());
        op.steps().forEach(s -> node.withArray("steps").add(s.name()));
        node.put("currentStep", op.currentStep());
        node.put("startedAt", op.startedAt().toString());
        node.put("updatedAt", op.updatedAt().toString());
        ObjectNode params = node.putObject("parameters");
        new TreeMap<>(op.parameters()).forEach(params::put);
        return node.toString();
    }

    /** The operation in {@code json}; {@code null} for {@code null} (no operation). */
    public static Operation fromJson(String json) {
        if (json == null) {
            return null;
        }
        try {
            JsonNode node = JSON.readTree(json);
            List<Step> steps = new ArrayList<>();
            node.get("steps").forEach(s -> steps.add(Step.valueOf(s.asText())));
            Map<String, String> params = new TreeMap<>();
            node.get("parameters")
                    .fields()
                    .forEachRemaining(e -> params.put(e.getKey(), e.getValue().asText()));
            return new Operation(
                    node.get("id").asText(),
                    OperationType.valueOf(node.get("type").asText()),
                    steps,
                    node.get("currentStep").asInt(),
                    Instant.parse(node.get("startedAt").asText()),
                    Instant.parse(node.get("updatedAt").asText()),
                    params);
        } catch (JsonProcessingException | RuntimeException e) {
            throw new IllegalArgumentException("not an operation: " + json, e);
        }
    }
}
