package io.kinesisha.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kinesisha.replicator.cluster.FlinkSessionCluster;
import io.kinesisha.replicator.it.LocalFlinkCluster;
import io.kinesisha.testkit.FreePorts;
import io.kinesisha.testkit.KeyedLoad;
import io.kinesisha.testkit.LocalEnvironment;
import io.kinesisha.testkit.LocalEnvironmentExtension;
import io.kinesisha.testkit.StreamContents;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.Consumer;
import software.amazon.awssdk.services.kinesis.model.ConsumerStatus;

/** {@code ./kinesis-ha replicate --cluster URL}: the real launcher submits the job jar to a Flink cluster of processes. */
class ReplicateClusterIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final LocalEnvironmentExtension LOCAL = new LocalEnvironmentExtension();

    private final Path dir = Paths.get("target", "replicate-cluster-" + System.currentTimeMillis())
            .toAbsolutePath();
    private final Launcher launcher = new Launcher(dir.resolve("home"));

    @Test
    void submitsTheJobJarToARunningClusterWhereItReplicates() throws Exception {
        LocalEnvironment env = LOCAL.env();
        Path config = configFor(env, "rc");
        KeyedLoad load = new KeyedLoad(20);
        try (LocalFlinkCluster flink = LocalFlinkCluster.start(dir.resolve("flink"), 1, 2);
                KinesisClient source = env.clients().kinesis(env.primary().target());
                KinesisClient target = env.clients().kinesis(env.secondary().target())) {
            Launcher.Result submitted = launcher.run(
                    "replicate", "--config", config.toString(), "--cluster", flink.restUrl(), "--output", "json");

            assertThat(submitted.exitCode()).as(submitted.toString()).isZero();
            JsonNode json = JSON.readTree(submitted.out());
            JobID job = JobID.fromHexString(json.get("jobId").asText());
            assertThat(json.get("cluster").asText()).isEqualTo(flink.restUrl());
            assertThat(json.get("jobName").asText()).contains("us-west-2->us-east-2");
            assertThat(json.get("jobJar").asText()).endsWith("-flink-job.jar");
            String sourceArn = env.primary().streamArn("rc");
            String targetArn = env.secondary().streamArn("rc");
            load.write(source, sourceArn, 300);
            await().atMost(Duration.ofMinutes(2))
                    .pollInterval(Duration.ofSeconds(2))
                    .until(() -> StreamContents.read(target, targetArn)
                            .counts()
                            .keySet()
                            .containsAll(load.acknowledgedIds()));
            assertThat(StreamContents.read(target, targetArn).orderViolations()).isZero();
            assertThat(consumers(source, sourceArn))
                    .as("the job registered its own EFO consumer")
                    .hasSize(1);

            Launcher.Result wrongDirection = launcher.run(
                    "replicate",
                    "--config",
                    config.toString(),
                    "--cluster",
                    flink.restUrl(),
                    "--stop",
                    job.toHexString(),
                    "--reverse");
            assertThat(wrongDirection.exitCode()).as(wrongDirection.toString()).isEqualTo(2);
            assertThat(wrongDirection.err()).contains("is not the replicator of us-east-2->us-west-2");
            try (FlinkSessionCluster cluster = FlinkSessionCluster.connect(flink.restUrl(), Duration.ofSeconds(10))) {
                assertThat(cluster.status(job))
                        .as("a refused --stop stops nothing")
                        .isEqualTo(JobStatus.RUNNING);
            }

            Launcher.Result stopped = launcher.run(
                    "replicate",
                    "--config",
                    config.toString(),
                    "--cluster",
                    flink.restUrl(),
                    "--stop",
                    job.toHexString(),
                    "--output",
                    "json");
            assertThat(stopped.exitCode()).as(stopped.toString()).isZero();
            JsonNode stop = JSON.readTree(stopped.out());
            assertThat(stop.get("status").asText()).isEqualTo("CANCELED");
            assertThat(stop.get("consumer").get("outcome").asText()).isEqualTo("DEREGISTERED");
            assertThat(stop.get("consumer").get("streamArn").asText()).isEqualTo(sourceArn);
            assertThat(consumers(source, sourceArn))
                    .as("stopped for good: no EFO consumer left behind")
                    .isEmpty();
        }
    }

    @Test
    void aBadOrUnreachableClusterIsNamed() throws Exception {
        Path config = Files.createDirectories(dir).resolve("offline.yaml");
        Files.writeString(
                config,
                "pair.name: offline\n"
                        + "primary.stream-arn: arn:aws:kinesis:us-west-2:111111111111:stream/orders\n"
                        + "secondary.stream-arn: arn:aws:kinesis:us-east-2:111111111111:stream/orders\n");
        String c = config.toString();

        Launcher.Result notHttp = launcher.run("replicate", "-c", c, "--cluster", "jobmanager:8081");
        assertThat(notHttp.exitCode()).as(notHttp.toString()).isEqualTo(2);
        assertThat(notHttp.err()).contains("--cluster", "http://");

        String nobody = "http://localhost:" + FreePorts.next();
        Launcher.Result unreachable = launcher.run("replicate", "-c", c, "--cluster", nobody, "--output", "json");
        assertThat(unreachable.exitCode()).as(unreachable.toString()).isEqualTo(1);
        assertThat(unreachable.err()).contains("--cluster: no Flink REST API answers at " + nobody);
        assertThat(unreachable.out()).isEmpty();

        Launcher.Result noJar =
                launcher.run("replicate", "-c", c, "--cluster", nobody, "--job-jar", "/nonexistent.jar");
        assertThat(noJar.exitCode()).as(noJar.toString()).isEqualTo(2);
        assertThat(noJar.err()).contains("--job-jar /nonexistent.jar");

        Launcher.Result follow = launcher.run("replicate", "-c", c, "--cluster", nobody, "--follow");
        assertThat(follow.exitCode()).as(follow.toString()).isEqualTo(2);
        assertThat(follow.err()).contains("--follow and --cluster");

        Launcher.Result savepointAlone = launcher.run("replicate", "-c", c, "--from-savepoint", "/tmp/sp");
        assertThat(savepointAlone.exitCode()).as(savepointAlone.toString()).isEqualTo(2);
        assertThat(savepointAlone.err()).contains("--from-savepoint needs --cluster");
    }

    static List<String> consumers(KinesisClient kinesis, String streamArn) {
        return kinesis.listStreamConsumers(b -> b.streamARN(streamArn)).consumers().stream()
                .filter(c -> c.consumerStatus() != ConsumerStatus.DELETING)
                .map(Consumer::consumerName)
                .collect(Collectors.toList());
    }

    /** Streams of two shards in both regions and a YAML config naming the local endpoints. */
    private Path configFor(LocalEnvironment env, String name) throws Exception {
        Map<String, String> keys = new LinkedHashMap<>();
        keys.put("pair.name", name);
        keys.put("primary.stream-arn", env.primary().createStream(name, 2));
        keys.put("primary.endpoint", env.primary().kinesisEndpoint().toString());
        keys.put("secondary.stream-arn", env.secondary().createStream(name, 2));
        keys.put("secondary.endpoint", env.secondary().kinesisEndpoint().toString());
        keys.put("control.endpoint", env.controlStoreEndpoint().toString());
        keys.put("replication.checkpoint-interval-ms", "1000");
        keys.put("aws.credentials", "static");
        keys.put("aws.access-key-id", env.primary().accountId());
        keys.put("aws.secret-access-key", "local-secret");
        StringBuilder yaml = new StringBuilder();
        keys.forEach((k, v) -> yaml.append(k).append(": \"").append(v).append("\"\n"));
        return Files.writeString(Files.createDirectories(dir).resolve(name + ".yaml"), yaml.toString());
    }
}
