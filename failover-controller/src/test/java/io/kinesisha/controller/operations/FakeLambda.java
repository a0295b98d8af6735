package io.kinesisha.controller.operations;

import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.WireMock;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.Request;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Lambda API's producer calls (reserved concurrency, function configuration) with state, on WireMock, recording
 * every mutating call: tests count side effects per function. A region can be taken down (its functions' calls
 * answer 503, as an unavailable regional endpoint does).
 */
final class FakeLambda implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern PATH =
            Pattern.compile("/(\\d{4}-\\d{2}-\\d{2})/functions/([^/]+)/(concurrency|configuration)");

    /** A mutating call as the fake received it. */
    record Call(String function, String operation, String value) {}

    private final Map<String, Integer> reserved = new ConcurrentHashMap<>();
    private final Map<String, Map<String, String>> environments = new ConcurrentHashMap<>();
    private final Map<String, Integer> revisions = new ConcurrentHashMap<>();
    private final Set<String> down = ConcurrentHashMap.newKeySet();
    private final List<Call> calls = new CopyOnWriteArrayList<>();
    private volatile java.util.function.Consumer<Call> beforeMutation = call -> {};
    private final WireMockServer server;

    FakeLambda() {
        server = new WireMockServer(wireMockConfig().dynamicPort().extensions(new Api()));
        server.start();
        server.stubFor(WireMock.any(WireMock.anyUrl()).willReturn(WireMock.ok()));
    }

    URI endpoint() {
        return URI.create(server.baseUrl());
    }

    /** A function with this reserved concurrency ({@code null}: unset) and an empty environment. */
    void function(String arn, Integer concurrency) {
        if (concurrency == null) {
            reserved.remove(arn);
        } else {
            reserved.put(arn, concurrency);
        }
        environments.put(arn, new TreeMap<>());
        revisions.put(arn, 1);
    }

    Integer reservedConcurrency(String arn) {
        return reserved.get(arn);
    }

    void down(String region) {
        down.add(region);
    }

    void up(String region) {
        down.remove(region);
    }

    List<Call> calls() {
        return List.copyOf(calls);
    }

    long count(String function, String operation, String value) {
        return calls.stream()
                .filter(c -> c.function().equals(function)
                        && c.operation().equals(operation)
                        && (value == null || value.equals(c.value())))
                .count();
    }

    /** Runs before a mutating call takes effect (while the caller waits for its answer). */
    void beforeMutation(java.util.function.Consumer<Call> hook) {
        this.beforeMutation = hook;
    }

    void clearCalls() {
        calls.clear();
    }

    @Override
    public void close() {
        server.stop();
    }

    private final class Api implements ResponseDefinitionTransformerV2 {
        @Override
        public String getName() {
            return "fake-lambda";
        }

        @Override
        public ResponseDefinition transform(ServeEvent event) {
            Request request = event.getRequest();
            Matcher m = PATH.matcher(request.getUrl());
            if (!m.matches()) {
                return error(404, "ResourceNotFoundException", "no such path " + request.getUrl());
            }
            String fn = URLDecoder.decode(m.group(2), StandardCharsets.UTF_8);
            if (down.contains(PairContext.regionOf(fn))) {
                return error(
                        503, "ServiceException", "the Lambda API of " + PairContext.regionOf(fn) + " is unavailable");
            }
            if (!environments.containsKey(fn)) {
                return error(404, "ResourceNotFoundException", "Function not found: " + fn);
            }
            String method = request.getMethod().getName();
            if (!method.equals("GET")) {
                beforeMutation.accept(new Call(
                        fn,
                        m.group(3).equals("concurrency")
                                ? (method.equals("PUT") ? "PutFunctionConcurrency" : "DeleteFunctionConcurrency")
                                : "UpdateFunctionConfiguration",
                        method.equals("PUT") && m.group(3).equals("concurrency")
                                ? body(request)
                                        .get("ReservedConcurrentExecutions")
                                        .asText()
                                : null));
            }
            synchronized (FakeLambda.this) {
                if (m.group(3).equals("concurrency")) {
                    return concurrency(fn, method, request);
                }
                return configuration(fn, method, request);
            }
        }

        private ResponseDefinition concurrency(String fn, String method, Request request) {
            switch (method) {
                case "GET" -> {
                    Integer n = reserved.get(fn);
                    return json(200, n == null ? "{}" : "{\"ReservedConcurrentExecutions\":" + n + "}");
                }
                case "PUT" -> {
                    int n = body(request).get("ReservedConcurrentExecutions").asInt();
                    reserved.put(fn, n);
                    calls.add(new Call(fn, "PutFunctionConcurrency", Integer.toString(n)));
                    return json(200, "{\"ReservedConcurrentExecutions\":" + n + "}");
                }
                case "DELETE" -> {
                    reserved.remove(fn);
                    calls.add(new Call(fn, "DeleteFunctionConcurrency", null));
                    return WireMock.aResponse().withStatus(204).build();
                }
                default -> {
                    return error(400, "InvalidRequestContentException", method);
                }
            }
        }

        private ResponseDefinition configuration(String fn, String method, Request request) {
            if (method.equals("PUT")) {
                JsonNode body = body(request);
                String expected = "r" + revisions.get(fn);
                if (body.has("RevisionId") && !body.get("RevisionId").asText().equals(expected)) {
                    return error(412, "PreconditionFailedException", "revision changed");
                }
                Map<String, String> env = new TreeMap<>();
                body.path("Environment")
                        .path("Variables")
                        .fields()
                        .forEachRemaining(e -> env.put(e.getKey(), e.getValue().asText()));
                environments.put(fn, env);
                revisions.merge(fn, 1, Integer::sum);
                calls.add(new Call(fn, "UpdateFunctionConfiguration", env.toString()));
            }
            Map<String, Object> config = new HashMap<>();
            config.put("FunctionName", fn);
            config.put("FunctionArn", fn);
            config.put("RevisionId", "r" + revisions.get(fn));
            config.put("Environment", Map.of("Variables", environments.get(fn)));
            try {
                return json(200, JSON.writeValueAsString(config));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        private JsonNode body(Request request) {
            try {
                return JSON.readTree(request.getBodyAsString());
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        private ResponseDefinition json(int status, String body) {
            return WireMock.aResponse()
                    .withStatus(status)
                    .withHeader("Content-Type", "application/json")
                    .withBody(body)
                    .build();
        }

        private ResponseDefinition error(int status, String type, String message) {
            return WireMock.aResponse()
                    .withStatus(status)
                    .withHeader("Content-Type", "application/json")
                    .withHeader("X-Amzn-ErrorType", type)
                    .withBody("{\"Type\":\"User\",\"message\":\"" + message + "\"}")
                    .build();
        }
    }
}
