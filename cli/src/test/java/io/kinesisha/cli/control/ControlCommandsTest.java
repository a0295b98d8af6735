package io.kinesisha.cli.control;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kinesisha.cli.KinesisHa;
import io.kinesisha.common.aws.AwsClientFactory;
import io.kinesisha.common.control.ControlRecord;
import io.kinesisha.common.control.ControlStore;
import io.kinesisha.testkit.LocalEnvironment;
import io.kinesisha.testkit.LocalEnvironmentExtension;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.kinesis.KinesisClient;

/** The control commands in-process against the local environment: help, JSON, confirmation, exit codes, bad input. */
class ControlCommandsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> COMMANDS =
            List.of("status", "failover", "switchover", "pause-automation", "resume-automation", "audit", "controller");
    private static final List<String> READ_ONLY = List.of("status", "audit");

    @RegisterExtension
    static final LocalEnvironmentExtension LOCAL = new LocalEnvironmentExtension();

    @TempDir
    static Path dir;

    static Path config;

    record Run(int exit, String out, String err) {}

    @BeforeAll
    static void pairs() throws IOException {
        config = configFor("cli-main");
    }

    /** A pair with its streams, control record and a YAML config file. */
    static Path configFor(String name) throws IOException {
        LocalEnvironment env = LOCAL.env();
        String west = env.primary().createStream(name, 1);
        String east = env.secondary().createStream(name, 1);
        Map<String, String> keys = new LinkedHashMap<>();
        keys.put("pair.name", name);
        keys.put("primary.stream-arn", west);
        keys.put("primary.endpoint", env.primary().kinesisEndpoint().toString());
        keys.put("secondary.stream-arn", east);
        keys.put("secondary.endpoint", env.secondary().kinesisEndpoint().toString());
        keys.put("control.endpoint", env.controlStoreEndpoint().toString());
        keys.put("control.table-name", "control-cli");
        keys.put("aws.credentials", "static");
        keys.put("aws.access-key-id", env.primary().accountId());
        keys.put("aws.secret-access-key", "local-secret");
        try (DynamoDbClient dynamo = env.clients().dynamoDb(env.controlStoreTarget("us-west-2"))) {
            ControlStore store = new ControlStore(dynamo, "control-cli");
            store.createTableIfMissing();
            store.create(ControlRecord.initial(
                    name, env.primary().name(), env.secondary().name(), Instant.now()));
        }
        StringBuilder yaml = new StringBuilder();
        keys.forEach((k, v) -> yaml.append(k).append(": \"").append(v).append("\"\n"));
        return Files.writeString(dir.resolve(name + ".yaml"), yaml.toString());
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = KinesisHa.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int exit = cli.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void everyCommandThatChangesThePairHasDryRunAndYesAndTheReadOnlyOnesDoNot() {
        for (String command : COMMANDS) {
            Run help = run(command, "--help");
            assertThat(help.exit()).as(command).isZero();
            assertThat(help.out()).as(command).contains("--output", "--config");
            if (READ_ONLY.contains(command)) {
                assertThat(help.out()).as(command + " changes nothing").doesNotContain("--dry-run", "--yes");
                Run refused = run(command, "--config", "unused.yaml", "--yes");
                assertThat(refused.exit()).as(command).isEqualTo(2);
                assertThat(refused.err()).as(command).contains("Unknown option: '--yes'");
            } else {
                assertThat(help.out()).as(command).contains("--dry-run", "--yes");
            }
        }
        assertThat(run("switchover", "--help").out()).contains("--timeout");
        assertThat(run("audit", "--help").out()).contains("--limit");
        assertThat(run("--help").out()).contains(COMMANDS.toArray(String[]::new));
    }

    @Test
    void statusPrintsTheRecordAsJson() throws Exception {
        Run status = run("status", "--config", config.toString(), "--output", "json");

        assertThat(status.exit()).as(status.err()).isZero();
        JsonNode json = JSON.readTree(status.out());
        assertThat(json.get("pair").asText()).isEqualTo("cli-main");
        assertThat(json.get("epoch").asLong()).isEqualTo(1);
        assertThat(json.get("direction").asText()).isEqualTo("us-west-2->us-east-2");
        assertThat(json.get("producersPaused").asBoolean()).isFalse();
        assertThat(json.get("progress").isArray()).isTrue();
        assertThat(json.at("/moves/producers/0").asText()).contains("ActiveRegionResolver");
        assertThat(json.at("/moves/consumers").isArray()).isTrue();
        assertThat(json.at("/moves/replication/0").asText()).contains("replicate --follow");
        assertThat(json.get("notMoved").toString())
                .contains("Firehose")
                .contains("KCL")
                .contains("KPL");
        assertThat(run("status", "--config", config.toString()).out())
                .contains("pair cli-main: ")
                .contains("no operation running")
                .contains("it does not move:");

        Run withKcl = run(
                "status",
                "--config",
                config.toString(),
                "--set",
                "consumers.kcl-applications=billing:us-west-2=billing-leases,us-east-2=billing-leases-east",
                "--output",
                "json");
        assertThat(withKcl.exit()).as(withKcl.err()).isZero();
        JsonNode kcl = JSON.readTree(withKcl.out());
        assertThat(kcl.at("/moves/consumers").toString()).contains("KCL application billing", "billing-leases-east");
        assertThat(kcl.get("notMoved").toString()).contains("KCL applications not named in consumers.kcl-applications");
    }

    @Test
    void automationKillSwitchRoundTripsAndIsAudited() throws Exception {
        Path file = configFor("cli-kill");
        Run dry = run(
                "pause-automation",
                "--config",
                file.toString(),
                "--reason",
                "maintenance",
                "--dry-run",
                "--output",
                "json");
        assertThat(JSON.readTree(dry.out()).get("wouldChange").asBoolean()).isTrue();

        Run paused = run("pause-automation", "--config", file.toString(), "--reason", "maintenance", "--yes");
        assertThat(paused.exit()).as(paused.err()).isZero();
        assertThat(JSON.readTree(run("status", "-c", file.toString(), "-o", "json")
                                .out())
                        .get("automationPaused")
                        .asBoolean())
                .isTrue();
        Run resumed =
                run("resume-automation", "--config", file.toString(), "--reason", "done", "--yes", "--output", "json");
        assertThat(JSON.readTree(resumed.out()).get("automationPaused").asBoolean())
                .isFalse();

        Run audit = run("audit", "--config", file.toString(), "--limit", "2", "--output", "json");
        JsonNode entries = JSON.readTree(audit.out());
        assertThat(entries).hasSize(2);
        assertThat(entries.get(0).get("message").asText()).isEqualTo("resumed automation");
        assertThat(entries.get(1).get("message").asText()).isEqualTo("paused automation");
        assertThat(entries.get(1).get("evidence").get("reason").asText()).isEqualTo("maintenance");
    }

    @Test
    void failoverRefusesWithoutConsentShowsADryRunThenRunsAndIsNotRepeated() throws Exception {
        Path file = configFor("cli-fo");
        Run refused = run("failover", "--config", file.toString());
        assertThat(refused.exit()).isEqualTo(2);
        assertThat(refused.err()).contains("--yes").contains("not a terminal");

        Run dry = run("failover", "--config", file.toString(), "--dry-run", "--output", "json");
        assertThat(dry.exit()).isZero();
        JsonNode plan = JSON.readTree(dry.out());
        assertThat(plan.get("transition").asText()).contains("FAILOVER_REQUESTED--> FAILING_OVER");
        assertThat(plan.get("steps")).hasSize(7);
        assertThat(JSON.readTree(run("status", "-c", file.toString(), "-o", "json")
                                .out())
                        .get("version")
                        .asLong())
                .as("neither the refusal nor the dry run wrote")
                .isEqualTo(1);

        Run done = run("failover", "--config", file.toString(), "--yes", "--reason", "drill", "--output", "json");
        assertThat(done.exit()).as(done.err()).isZero();
        JsonNode report = JSON.readTree(done.out());
        assertThat(report.get("result").asText()).isEqualTo("COMPLETED");
        assertThat(report.get("record").get("activeRegion").asText()).isEqualTo("us-east-2");
        assertThat(done.err()).contains("step 1/7 FENCE_REPLICATION");

        Run again = run("failover", "--config", file.toString(), "--yes");
        assertThat(again.exit()).isEqualTo(1);
        assertThat(again.err()).contains("REJECTED").contains("the secondary is already active");
    }

    @Test
    void aSwitchoverThatCannotDrainIsAbortedWithExitCodeOne() throws Exception {
        Path file = configFor("cli-so");
        try (AwsClientFactory clients = new AwsClientFactory();
                KinesisClient west = clients.kinesis(LOCAL.env().primary().target())) {
            west.putRecord(b -> b.streamARN(LOCAL.env().primary().streamArn("cli-so"))
                    .partitionKey("k")
                    .data(SdkBytes.fromUtf8String("never replicated")));
        }
        Run run = run("switchover", "--config", file.toString(), "--yes", "--timeout", "1s", "--pause-grace", "0ms");

        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.out()).startsWith("ABORTED: replication did not drain within 1000 ms");
        assertThat(run.err()).contains("waiting for replication to drain: 1 of 1 shard(s) behind by 1 record(s)");
        JsonNode status =
                JSON.readTree(run("status", "-c", file.toString(), "-o", "json").out());
        assertThat(status.get("state").asText()).isEqualTo("ACTIVE_PRIMARY");
        assertThat(status.get("producersPaused").asBoolean()).isFalse();
    }

    static Stream<Arguments> badInputs() {
        String c = "--config";
        String f = "@CONFIG@";
        return Stream.of(
                Arguments.of(List.of("status"), "pair.name"),
                Arguments.of(List.of("status", c, "/nonexistent/pair.yaml"), "/nonexistent/pair.yaml"),
                Arguments.of(List.of("status", c, "/tmp/pair.txt"), "unsupported file type"),
                Arguments.of(List.of("status", c, f, "--output", "xml"), "--output"),
                Arguments.of(List.of("status", c, f, "--set", "nosuch.key=1"), "nosuch.key"),
                Arguments.of(
                        List.of("status", c, f, "--set", "health.probe-interval-ms=abc"), "health.probe-interval-ms"),
                Arguments.of(List.of("status", c, f, "--set", "primary.stream-arn=orders"), "primary.stream-arn"),
                Arguments.of(List.of("status", c, f, "--set", "pair.name=bad name!"), "pair.name"),
                Arguments.of(List.of("status", c, f, "--set", "control.table-name=x"), "control.table-name"),
                Arguments.of(
                        List.of("status", c, f, "--set", "consumers.lambda-functions=a b"),
                        "consumers.lambda-functions"),
                Arguments.of(List.of("switchover", c, f, "--timeout", "5"), "--timeout"),
                Arguments.of(List.of("switchover", c, f, "--timeout", "0s"), "--timeout"),
                Arguments.of(List.of("switchover", c, f, "--timeout", "2h"), "--timeout"),
                Arguments.of(List.of("switchover", c, f, "--timeout", "90m"), "--timeout"),
                Arguments.of(List.of("switchover", c, f, "--pause-grace", "-1s"), "--pause-grace"),
                Arguments.of(List.of("switchover", c, f, "--pause-grace", "soon"), "--pause-grace"),
                Arguments.of(List.of("switchover", c, f, "--reason", " "), "--reason"),
                Arguments.of(List.of("switchover", c, f), "--yes"),
                Arguments.of(List.of("audit", c, f, "--limit", "0"), "--limit"),
                Arguments.of(List.of("audit", c, f, "--limit", "5000"), "--limit"),
                Arguments.of(List.of("audit", c, f, "--limit", "many"), "--limit"),
                Arguments.of(List.of("pause-automation", c, f), "--reason"),
                Arguments.of(List.of("pause-automation", c, f, "--reason", " "), "--reason"),
                Arguments.of(List.of("resume-automation", c, f, "--reason", ""), "--reason"),
                Arguments.of(List.of("pause-automation", c, f, "--reason", "x"), "--yes"),
                Arguments.of(List.of("failover", c, f, "--reason", " ", "--yes"), "--reason"),
                Arguments.of(List.of("failover", c, f, "--bogus"), "--bogus"),
                Arguments.of(List.of("controller", c, f, "--interval", "5"), "--interval"),
                Arguments.of(List.of("controller", c, f), "--yes"),
                Arguments.of(List.of("failovr", c, f), "failovr"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badInputs")
    void badInputIsExitCodeTwoWithTheFieldNamed(List<String> args, String named) {
        List<String> resolved = new ArrayList<>();
        args.forEach(a -> resolved.add(a.equals("@CONFIG@") ? config.toString() : a));

        Run run = run(resolved.toArray(String[]::new));

        assertThat(run.exit()).as(run.toString()).isEqualTo(2);
        assertThat(run.err()).as(run.toString()).contains(named);
    }
}
