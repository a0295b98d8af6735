package io.kinesisha.testkit;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import software.amazon.awssdk.services.kinesis.KinesisClient;

/**
 * The regions a follower of the active region may use, each with its client (owned by the caller) and stream ARN:
 * what the load's and the consumer's builders collect and what they look the active region up in.
 */
final class RegionStreams {
    private final Map<String, KinesisClient> clients;
    private final Map<String, String> streams;

    RegionStreams() {
        this(new LinkedHashMap<>(), new LinkedHashMap<>());
    }

    private RegionStreams(Map<String, KinesisClient> clients, Map<String, String> streams) {
        this.clients = clients;
        this.streams = streams;
    }

    void add(String region, KinesisClient client, String streamArn) {
        clients.put(Objects.requireNonNull(region, "region"), Objects.requireNonNull(client, "client"));
        streams.put(region, Objects.requireNonNull(streamArn, "streamArn"));
    }

    /** An unmodifiable copy; at least one region must have been given. */
    RegionStreams frozen() {
        if (clients.isEmpty()) {
            throw new IllegalArgumentException("no region given: call region(name, client, streamArn)");
        }
        return new RegionStreams(Map.copyOf(clients), Map.copyOf(streams));
    }

    /** The client of {@code region}, or null when it was not given. */
    KinesisClient client(String region) {
        return clients.get(region);
    }

    String stream(String region) {
        return streams.get(region);
    }

    Set<String> regions() {
        return clients.keySet();
    }
}
