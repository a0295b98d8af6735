package io.kinesisha.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.kinesisha.common.aws.ClientTuning;
import io.kinesisha.testkit.LocalEnvironment;
import io.kinesisha.testkit.LocalRegion;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;
import software.amazon.awssdk.services.kinesis.model.Shard;
import software.amazon.awssdk.services.kinesis.model.ShardIteratorType;

/**
 * Job start as a user sees it: {@code ./kinesis-ha replicate --config FILE} (the launcher, a fresh JVM) to the first
 * record in the target stream, with where the time went, read from the command's own log. Each run replicates a
 * fresh 4-shard source holding 20 records into a fresh 3-shard target; the control table exists after run 0
 * (which also writes the class-data-sharing archive the later runs map). Needs the CLI built
 * ({@code mvn -B -pl cli -am package -DskipTests}).
 */
class JobStartBenchmark {
    private static final int RUNS = 6;
    /** Log lines that mark a step, in the order they happen. */
    private static final Map<String, Pattern> STEPS = new LinkedHashMap<>();

    static {
        STEPS.put("command running", Pattern.compile("ReplicateCommand - starting"));
        STEPS.put("plan made (config, control record)", Pattern.compile("ReplicationPlan - .* starts from"));
        STEPS.put("job submitted (cluster up)", Pattern.compile("ReplicateCommand - job \\S+ submitted"));
        STEPS.put("lease held, EFO consumer ACTIVE", Pattern.compile("ShardSplitEnumerator - EFO consumer for"));
        STEPS.put("fence open", Pattern.compile("EpochFence - .* is permitted"));
        STEPS.put("first shard read", Pattern.compile("ShardSplitReader - reading"));
    }

    private static final Pattern STAMP = Pattern.compile("^(\\d\\d:\\d\\d:\\d\\d\\.\\d\\d\\d) ");

    @Test
    void replicateToFirstRecord() throws Exception {
        Path root = Paths.get("").toAbsolutePath().getParent();
        Path launcher = root.resolve("kinesis-ha");
        assumeTrue(
                Files.exists(root.resolve("cli/target/kinesis-ha-cli.jar")),
                "build the CLI first: mvn -B -pl cli -am package -DskipTests");
        Path work =
                Paths.get("target", "bench-start-" + System.currentTimeMillis()).toAbsolutePath();
        Files.createDirectories(work);
        List<long[]> runs = new ArrayList<>();
        String load = uptime();
        try (LocalEnvironment env = LocalEnvironment.builder()
                        .workDir(work.resolve("env"))
                        .clientTuning(new ClientTuning(Duration.ofSeconds(30), Duration.ofSeconds(10), 1))
                        .start();
                KinesisClient west = env.clients().kinesis(env.primary().target());
                KinesisClient east = env.clients().kinesis(env.secondary().target())) {
            for (int run = 0; run < RUNS; run++) {
                runs.add(run(run, launcher, work, env, west, east));
            }
        }
        String loadAfter = uptime();
        System.out.println();
        System.out.println("`./kinesis-ha replicate` to the first record in the target, ms after the command started");
        System.out.println("(load before: " + load + "; after: " + loadAfter + ")");
        System.out.println();
        StringBuilder header = new StringBuilder("| run |");
        STEPS.keySet().forEach(step -> header.append(' ').append(step).append(" |"));
        header.append(" **first record in target** |");
        System.out.println(header);
        System.out.println("|---" + "|---".repeat(STEPS.size() + 1) + "|");
        for (int run = 0; run < RUNS; run++) {
            System.out.println(row(run == 0 ? "0 (writes the CDS archive)" : String.valueOf(run), runs.get(run)));
        }
        List<long[]> warm = runs.subList(1, RUNS);
        long[] median = new long[STEPS.size() + 1];
        long[] min = new long[median.length];
        long[] max = new long[median.length];
        for (int k = 0; k < median.length; k++) {
            int col = k;
            List<Long> values = warm.stream().map(r -> r[col]).sorted().collect(Collectors.toList());
            median[k] = values.get(values.size() / 2);
            min[k] = values.get(0);
            max[k] = values.get(values.size() - 1);
        }
        System.out.println(row("median of 1-" + (RUNS - 1), median));
        System.out.println(row("min", min));
        System.out.println(row("max", max));
    }

    private static String row(String label, long[] values) {
        StringBuilder row = new StringBuilder("| " + label + " |");
        for (int k = 0; k < values.length; k++) {
            String v = values[k] < 0 ? "–" : String.format("%,d", values[k]);
            row.append(' ').append(k == values.length - 1 ? "**" + v + "**" : v).append(" |");
        }
        return row.toString();
    }

    /** One start: the steps' times and, last, the first record's, in ms after the command started (-1: not seen). */
    private static long[] run(
            int run, Path launcher, Path work, LocalEnvironment env, KinesisClient west, KinesisClient east)
            throws Exception {
        LocalRegion primary = env.primary();
        LocalRegion secondary = env.secondary();
        String source = primary.createStream("start-source-" + run, 4);
        String target = secondary.createStream("start-target-" + run, 3);
        List<PutRecordsRequestEntry> entries = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            entries.add(PutRecordsRequestEntry.builder()
                    .partitionKey("key-" + i)
                    .data(SdkBytes.fromUtf8String("r" + i))
                    .build());
        }
        assertThat(west.putRecords(b -> b.streamARN(source).records(entries)).failedRecordCount())
                .isZero();
        List<String> iterators = new ArrayList<>();
        for (Shard shard : east.listShards(b -> b.streamARN(target)).shards()) {
            iterators.add(east.getShardIterator(b -> b.streamARN(target)
                            .shardId(shard.shardId())
                            .shardIteratorType(ShardIteratorType.TRIM_HORIZON))
                    .shardIterator());
        }
        Path config = work.resolve("start-" + run + ".properties");
        Files.writeString(
                config,
                String.join(
                        "\n",
                        "pair.name=start-" + run,
                        "primary.region=" + primary.name(),
                        "primary.stream-arn=" + source,
                        "primary.endpoint=" + primary.kinesisEndpoint(),
                        "secondary.region=" + secondary.name(),
                        "secondary.stream-arn=" + target,
                        "secondary.endpoint=" + secondary.kinesisEndpoint(),
                        "control.endpoint=" + env.controlStoreEndpoint(),
                        "aws.credentials=static",
                        "aws.access-key-id=" + primary.accountId(),
                        "aws.secret-access-key=local-secret",
                        ""));
        Path log = work.resolve("replicate-" + run + ".log");
        ProcessBuilder builder = new ProcessBuilder(launcher.toString(), "replicate", "--config", config.toString())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().put("KINESIS_HA_HOME", work.resolve("home").toString());
        builder.environment().put("KINESIS_HA_SKIP_BUILD", "1");
        long started = System.currentTimeMillis();
        Process replicate = builder.start();
        long first = -1;
        try {
            long deadline = started + Duration.ofSeconds(120).toMillis();
            while (first < 0) {
                for (int i = 0; i < iterators.size() && first < 0; i++) {
                    String it = iterators.get(i);
                    var page = east.getRecords(b -> b.streamARN(target).shardIterator(it));
                    if (!page.records().isEmpty()) {
                        first = System.currentTimeMillis() - started;
                    }
                    iterators.set(i, page.nextShardIterator());
                }
                assertThat(replicate.isAlive())
                        .as("replicate runs; log %s", log)
                        .isTrue();
                assertThat(System.currentTimeMillis())
                        .as("a record in the target in time; log %s", log)
                        .isLessThan(deadline);
                LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
            }
        } finally {
            replicate.destroy();
            assertThat(replicate.waitFor(90, TimeUnit.SECONDS))
                    .as("replicate stops on SIGTERM")
                    .isTrue();
        }
        long[] times = steps(log, started);
        times[times.length - 1] = first;
        return times;
    }

    /** When each step's first log line was written, in ms after {@code started}. */
    private static long[] steps(Path log, long started) throws IOException {
        LocalTime zero = LocalTime.ofInstant(Instant.ofEpochMilli(started), ZoneId.systemDefault());
        long[] times = new long[STEPS.size() + 1];
        java.util.Arrays.fill(times, -1);
        for (String line : Files.readAllLines(log)) {
            Matcher stamp = STAMP.matcher(line);
            if (!stamp.find()) {
                continue;
            }
            int k = 0;
            for (Pattern step : STEPS.values()) {
                if (times[k] < 0 && step.matcher(line).find()) {
                    times[k] = Duration.between(zero, LocalTime.parse(stamp.group(1)))
                            .toMillis();
                }
                k++;
            }
        }
        return times;
    }

    private static String uptime() {
        try {
            String loadavg = Files.readString(Paths.get("/proc/loadavg")).trim();
            return "load average "
                    + String.join(", ", List.of(loadavg.split(" ")).subList(0, 3));
        } catch (IOException e) {
            return "load unknown";
        }
    }
}
