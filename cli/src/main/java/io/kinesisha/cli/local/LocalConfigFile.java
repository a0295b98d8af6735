package io.kinesisha.cli.local;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import io.kinesisha.testkit.LocalRegion;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Writes the replication-pair config file for a local environment, ready for replicate, status, failover. */
final class LocalConfigFile {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS));

    private LocalConfigFile() {}

    static void write(
            Path file,
            String pairName,
            LocalRegion primary,
            LocalRegion secondary,
            String stream,
            String controlEndpoint) {
        Map<String, String> keys = new LinkedHashMap<>();
        keys.put("pair.name", pairName);
        region(keys, "primary", primary, stream);
        region(keys, "secondary", secondary, stream);
        keys.put("control.endpoint", controlEndpoint);
        keys.put("aws.credentials", "static");
        keys.put("aws.access-key-id", primary.accountId());
        keys.put("aws.secret-access-key", "local-secret");
        // the emulator can take seconds for a 500-record PutRecords under load (AWS: tens of milliseconds); the
        // fence settle time must cover the fence lease (3 s) plus a request's longest life (checked at config load)
        keys.put("replication.sink-request-timeout-ms", "10000");
        keys.put("failover.fence-settle-ms", "13000");
        try {
            Files.writeString(
                    file,
                    "# kinesis-ha config for the local environment '" + pairName + "' (written by 'local up')\n"
                            + YAML.writeValueAsString(nest(keys)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    private static void region(Map<String, String> keys, String role, LocalRegion region, String stream) {
        keys.put(role + ".region", region.name());
        keys.put(role + ".stream-arn", region.streamArn(stream));
        keys.put(role + ".endpoint", region.kinesisEndpoint().toString());
    }

    /** {@code a.b = v} becomes {@code a: {b: v}}. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> nest(Map<String, String> flat) {
        Map<String, Object> root = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : flat.entrySet()) {
            String[] parts = e.getKey().split("\\.");
            Map<String, Object> node = root;
            for (int i = 0; i < parts.length - 1; i++) {
                node = (Map<String, Object>) node.computeIfAbsent(parts[i], k -> new LinkedHashMap<String, Object>());
            }
            node.put(parts[parts.length - 1], e.getValue());
        }
        return root;
    }
}
