package io.kinesisha.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kinesisha.common.aws.AwsClientFactory;
import io.kinesisha.common.aws.AwsTarget;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;

/** A newcomer's path: local up, replicate, write, verify — all through ./kinesis-ha. */
class ReplicateVerifyIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void replicateThenVerifyReportsTheStreamsAgree() throws Exception {
        Path home =
                Paths.get("target", "kha-home-rv-" + System.currentTimeMillis()).toAbsolutePath();
        Launcher launcher = new Launcher(home);
        Launcher.Result up =
                launcher.run("local", "up", "--detach", "--name", "rv", "--shards", "2", "--output", "json");
        assertThat(up.exitCode()).as(up.toString()).isZero();
        JsonNode state = JSON.readTree(up.out());
        String config = state.get("configFile").asText();
        Process replicate = null;
        try {
            Files.createDirectories(home);
            Path log = home.resolve("replicate.log");
            replicate = launcher.start(log, "replicate", "--config", config);
            Instant from = Instant.now();
            AwsTarget west = AwsTarget.local(
                    "us-west-2",
                    URI.create(state.get("kinesisEndpoints").get("us-west-2").asText()),
                    "111111111111",
                    "local-secret");
            try (AwsClientFactory clients = new AwsClientFactory();
                    KinesisClient kinesis = clients.kinesis(west)) {
                String arn = state.get("streamArns").get("us-west-2").asText();
                for (int batch = 0; batch < 2; batch++) {
                    int base = batch * 250;
                    List<PutRecordsRequestEntry> entries = IntStream.range(base, base + 250)
                            .mapToObj(i -> PutRecordsRequestEntry.builder()
                                    .partitionKey("key-" + (i % 50))
                                    .data(SdkBytes.fromUtf8String("key-" + (i % 50) + ":" + i))
                                    .build())
                            .collect(Collectors.toList());
                    assertThat(kinesis.putRecords(b -> b.streamARN(arn).records(entries))
                                    .failedRecordCount())
                            .isZero();
                }
            }
            Instant to = Instant.now();
            Process running = replicate;
            JsonNode[] report = new JsonNode[1];
            await().atMost(Duration.ofMinutes(2))
                    .pollInterval(Duration.ofSeconds(3))
                    .untilAsserted(() -> {
                        assertThat(running.isAlive())
                                .as("replicate runs; log %s", log)
                                .isTrue();
                        Launcher.Result verify = launcher.run(
                                "verify",
                                "--config",
                                config,
                                "--from",
                                from.toString(),
                                "--to",
                                to.toString(),
                                "--output",
                                "json");
                        assertThat(verify.exitCode()).as(verify.toString()).isZero();
                        report[0] = JSON.readTree(verify.out());
                    });
            assertThat(report[0].get("sourceRecords").asLong()).isEqualTo(500);
            assertThat(report[0].get("missingInTarget").asLong()).isZero();
            assertThat(report[0].get("orderViolations").asLong()).isZero();
            assertThat(report[0].get("clean").asBoolean()).isTrue();
            try (AwsClientFactory clients = new AwsClientFactory();
                    KinesisClient kinesis = clients.kinesis(west)) {
                String arn = state.get("streamArns").get("us-west-2").asText();
                assertThat(ReplicateClusterIT.consumers(kinesis, arn))
                        .as("the job's own EFO consumer")
                        .hasSize(1);
                replicate.destroy();
                assertThat(replicate.waitFor(60, TimeUnit.SECONDS))
                        .as("replicate stops on SIGTERM")
                        .isTrue();
                assertThat(Files.readString(log)).contains("EFO consumer", "deregistered");
                assertThat(ReplicateClusterIT.consumers(kinesis, arn))
                        .as("Ctrl-C stops the job for good: its EFO consumer is retired")
                        .isEmpty();
            }
            // started again at once, it reads: Ctrl-C released the job's read lease (else held for its 60 s TTL)
            Path again = home.resolve("replicate-again.log");
            replicate = launcher.start(again, "replicate", "--config", config);
            Process restarted = replicate;
            await().atMost(Duration.ofMinutes(1))
                    .pollInterval(Duration.ofMillis(500))
                    .untilAsserted(() -> {
                        assertThat(Files.readString(again)).doesNotContain("another job reads");
                        assertThat(restarted.isAlive())
                                .as("the restarted replicate runs; log %s", again)
                                .isTrue();
                        assertThat(Files.readString(again)).contains("reading shardId");
                    });
        } finally {
            if (replicate != null && replicate.isAlive()) {
                replicate.destroy();
                assertThat(replicate.waitFor(60, TimeUnit.SECONDS))
                        .as("replicate stops on SIGTERM")
                        .isTrue();
            }
            Launcher.Result down = launcher.run("local", "down", "--name", "rv");
            assertThat(down.exitCode()).as(down.toString()).isZero();
        }
    }
}
