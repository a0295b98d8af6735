package io.kinesisha.replicator.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.flink.api.common.JobID;

/** Reads of a Flink cluster's REST API the test checks against: where subtasks run, checkpoints, metrics. */
final class FlinkRestApi {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;

    FlinkRestApi(String base) {
        this.base = base;
    }

    JsonNode get(String path) {
        try {
            HttpResponse<String> response = http.send(
                    HttpRequest.newBuilder(URI.create(base + path))
                            .timeout(Duration.ofSeconds(10))
                            .GET()
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException(
                        "GET " + path + ": HTTP " + response.statusCode() + " " + response.body());
            }
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new IllegalStateException("GET " + path + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The job's vertex ids. */
    List<String> vertices(JobID job) {
        List<String> ids = new ArrayList<>();
        get("/jobs/" + job).get("vertices").forEach(v -> ids.add(v.get("id").asText()));
        return ids;
    }

    /** True when every subtask of every vertex is RUNNING. */
    boolean allRunning(JobID job) {
        JsonNode details = get("/jobs/" + job);
        if (!"RUNNING".equals(details.get("state").asText())) {
            return false;
        }
        for (JsonNode vertex : details.get("vertices")) {
            if (vertex.get("tasks").get("RUNNING").asInt()
                    != vertex.get("parallelism").asInt()) {
                return false;
            }
        }
        return true;
    }

    /** The TaskManagers (resource ids) running subtasks of the job. */
    Set<String> taskManagersOf(JobID job) {
        Set<String> ids = new TreeSet<>();
        for (String vertex : vertices(job)) {
            for (JsonNode tm : get("/jobs/" + job + "/vertices/" + vertex + "/taskmanagers")
                    .get("taskmanagers")) {
                if (tm.get("status").asText().equals("RUNNING")) {
                    ids.add(tm.get("taskmanager-id").asText());
                }
            }
        }
        return ids;
    }

    /** The TaskManager (resource id) running subtask {@code index} of the job's only vertex. */
    String taskManagerOfSubtask(JobID job, int index) {
        List<String> vertices = vertices(job);
        if (vertices.size() != 1) {
            throw new IllegalStateException("expected one chained vertex, found " + vertices);
        }
        for (JsonNode subtask :
                get("/jobs/" + job + "/vertices/" + vertices.get(0)).get("subtasks")) {
            if (subtask.get("subtask").asInt() == index) {
                return subtask.get("taskmanager-id").asText();
            }
        }
        throw new IllegalStateException("job " + job + " has no subtask " + index);
    }

    /** The completed-checkpoint count and the latest completed checkpoint's trigger time (0 for none). */
    long[] checkpoints(JobID job) {
        JsonNode stats = get("/jobs/" + job + "/checkpoints");
        JsonNode latest = stats.path("latest").path("completed");
        return new long[] {
            stats.get("counts").get("completed").asLong(),
            latest.isMissingNode() || latest.isNull()
                    ? 0
                    : latest.get("trigger_timestamp").asLong()
        };
    }

    /** A metric summed over all subtasks of all vertices, by the end of its name; -1 when no subtask has it. */
    long subtaskMetricSum(JobID job, String name) {
        long sum = -1;
        for (String vertex : vertices(job)) {
            String path = "/jobs/" + job + "/vertices/" + vertex + "/subtasks/metrics";
            for (JsonNode metric : get(path)) {
                String id = metric.get("id").asText();
                if (id.endsWith("." + name) || id.equals(name)) {
                    JsonNode values = get(path + "?agg=sum&get=" + URLEncoder.encode(id, StandardCharsets.UTF_8));
                    for (JsonNode value : values) {
                        sum = Math.max(sum, 0) + (long) value.get("sum").asDouble();
                    }
                }
            }
        }
        return sum;
    }
}
