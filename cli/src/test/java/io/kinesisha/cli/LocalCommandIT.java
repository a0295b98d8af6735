package io.kinesisha.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kinesisha.common.aws.AwsClientFactory;
import io.kinesisha.common.aws.AwsTarget;
import io.kinesisha.common.config.ConfigLoader;
import io.kinesisha.common.config.ReplicationPairConfig;
import io.kinesisha.common.kinesis.ShardListing;
import java.net.URI;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.kinesis.KinesisClient;

/** {@code ./kinesis-ha local up --detach / status / down}, run as a newcomer would from the checkout. */
class LocalCommandIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void upStatusDownInTheBackground() throws Exception {
        Path home = Paths.get("target", "kha-home-" + System.currentTimeMillis());
        Launcher launcher = new Launcher(home);
        String name = "it";

        Launcher.Result up = launcher.run(
                "local",
                "up",
                "--detach",
                "--name",
                name,
                "--shards",
                "3",
                "--secondary-shards",
                "2",
                "--output",
                "json");
        assertThat(up.exitCode()).as(up.toString()).isZero();
        JsonNode state = JSON.readTree(up.out());
        long pid = state.get("pid").asLong();
        try {
            assertThat(ProcessHandle.of(pid))
                    .as("the background environment runs")
                    .isPresent();
            ReplicationPairConfig config =
                    ConfigLoader.load(Paths.get(state.get("configFile").asText()), Map.of(), Map.of());
            assertThat(config.primary().region()).isEqualTo("us-west-2");
            assertThat(config.secondary().region()).isEqualTo("us-east-2");
            try (AwsClientFactory clients = new AwsClientFactory();
                    KinesisClient west = clients.kinesis(target(config.primary().region(), state, "us-west-2"));
                    KinesisClient east =
                            clients.kinesis(target(config.secondary().region(), state, "us-east-2"))) {
                assertThat(ShardListing.all(west, config.primary().streamArn().toString()))
                        .hasSize(3);
                assertThat(ShardListing.all(east, config.secondary().streamArn().toString()))
                        .hasSize(2);
            }

            Launcher.Result again = launcher.run("local", "up", "--name", name);
            assertThat(again.exitCode()).as(again.toString()).isEqualTo(2);
            assertThat(again.err()).contains("already running");

            Launcher.Result status = launcher.run("local", "status", "--name", name, "--output", "json");
            assertThat(status.exitCode()).as(status.toString()).isZero();
            assertThat(JSON.readTree(status.out()).get("pid").asLong()).isEqualTo(pid);
        } finally {
            Launcher.Result down = launcher.run("local", "down", "--name", name, "--output", "json");
            assertThat(down.exitCode()).as(down.toString()).isZero();
            assertThat(JSON.readTree(down.out()).get("stopped").asBoolean()).isTrue();
        }
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))
                .isFalse();
        Launcher.Result status = launcher.run("local", "status", "--name", name);
        assertThat(status.exitCode()).isEqualTo(3);
        assertThat(status.out()).contains("not running");
    }

    @Test
    void badArgumentsNameTheOption() throws Exception {
        Launcher launcher = new Launcher(Paths.get("target", "kha-home-bad"));
        Launcher.Result sameRegion = launcher.run("local", "up", "--secondary-region", "us-west-2");
        assertThat(sameRegion.exitCode()).isEqualTo(2);
        assertThat(sameRegion.err()).contains("--secondary-region");
        Launcher.Result shards = launcher.run("local", "up", "--shards", "0");
        assertThat(shards.exitCode()).isEqualTo(2);
        assertThat(shards.err()).contains("--shards");
        Launcher.Result notANumber = launcher.run("local", "up", "--shards", "many");
        assertThat(notANumber.exitCode()).isEqualTo(2);
        assertThat(notANumber.err()).contains("--shards");
        Launcher.Result unknown = launcher.run("local", "upp");
        assertThat(unknown.exitCode()).isEqualTo(2);
        assertThat(unknown.err()).contains("upp");
    }

    private static AwsTarget target(String region, JsonNode state, String key) {
        return AwsTarget.local(
                region, URI.create(state.get("kinesisEndpoints").get(key).asText()), "111111111111", "local-secret");
    }
}
