package io.kinesisha.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code ./kinesis-ha size}: the estimate a user reads before deploying, in JSON and text, and its input checks. */
class SizeCommandTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @Test
    void jsonNamesKpusEfoTransferAndThePricesWithTheirDate() throws Exception {
        int exit = run("size", "--mb-per-second", "2", "--shards", "2", "--output", "json");

        assertThat(exit).as(err.toString()).isZero();
        JsonNode json = new ObjectMapper().readTree(out.toString());
        assertThat(json.at("/flink/parallelism").asInt()).isEqualTo(1);
        assertThat(json.at("/flink/kpus").asInt()).isEqualTo(2);
        assertThat(json.at("/efo/consumerShards").asInt()).isEqualTo(2);
        assertThat(json.at("/transfer/gbPerMonth").asDouble()).isEqualTo(5256.0);
        assertThat(json.at("/usdPerMonth").asDouble()).isEqualTo(360.95);
        assertThat(json.at("/input/mbPerSecondPerCore").asDouble()).isEqualTo(11.6);
        assertThat(json.at("/prices/asOf").asText()).matches("\\d{4}-\\d{2}");
        assertThat(json.at("/prices/region").asText()).isEqualTo("us-east-1");
    }

    @Test
    void textSaysWhenTheShardsCapTheParallelism() {
        int exit = run("size", "--mb-per-second", "8", "--shards", "8", "--mb-per-second-per-core", "1");

        assertThat(exit).as(err.toString()).isZero();
        assertThat(out.toString())
                .contains(
                        "Managed Flink",
                        "9 KPU (parallelism 8 + 1 orchestration)",
                        "EFO consumer",
                        "cross-region transfer",
                        "total",
                        "note: 16 cores are needed but 8 shards",
                        "list prices as of");
    }

    @Test
    void badInputNamesTheOption() {
        assertThat(run("size", "--mb-per-second", "5", "--shards", "2")).isEqualTo(2);
        assertThat(err.toString()).contains("--mb-per-second 5 is more than 2 shards accept");
        assertThat(run("size", "--mb-per-second", "1", "--shards", "0")).isEqualTo(2);
        assertThat(err.toString()).contains("--shards must be 1..10000");
        assertThat(run("size", "--mb-per-second", "1", "--shards", "2", "--catch-up-factor", "0.5"))
                .isEqualTo(2);
        assertThat(err.toString()).contains("--catch-up-factor must be 1..10");
        assertThat(run("size", "--shards", "2")).isEqualTo(2);
        assertThat(err.toString()).contains("--mb-per-second");
    }

    private int run(String... args) {
        CommandLine cli = KinesisHa.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }
}
