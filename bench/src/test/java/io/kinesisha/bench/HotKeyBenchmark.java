package io.kinesisha.bench;

import io.kinesisha.common.aws.AwsTarget;
import io.kinesisha.replicator.sink.KinesisStreamsSink;
import io.kinesisha.replicator.sink.SinkEntry;
import io.kinesisha.testkit.LocalEnvironment;
import java.net.URI;
import java.nio.file.Paths;
import java.time.Duration;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What one hot partition key costs: the sink keeps a key's order by having one of its records in flight, so one key
 * moves at one record per PutRecords round trip whatever the batch size, and a checkpoint flush of a key with a full
 * per-key buffer takes about {@code replication.max-buffered-per-key} round trips. Measured as records/s of a sink
 * job writing a single key, against the target emulator and against the fast target (round trip of a local process).
 */
class HotKeyBenchmark {
    private static final int PAYLOAD = 512;

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(1)
            .build());

    @Test
    void oneHotKey() throws Exception {
        double emulator;
        double fast;
        try (LocalEnvironment env = LocalEnvironment.builder()
                .workDir(Paths.get("target", "bench-hot-" + System.currentTimeMillis())
                        .toAbsolutePath())
                .start()) {
            String arn = env.secondary().createStream("hot-key", 1);
            emulator = recordsPerSecond(env.secondary().target(), arn, 400);
        }
        try (FastKinesisTarget target = FastKinesisTarget.start()) {
            fast = recordsPerSecond(
                    AwsTarget.local("us-east-2", URI.create(target.endpoint()), "111111111111", "local-secret"),
                    "arn:aws:kinesis:us-east-2:111111111111:stream/hot-key",
                    5_000);
        }
        int cap = KinesisStreamsSink.DEFAULT_MAX_BUFFERED_PER_KEY;
        System.out.println();
        System.out.println(
                "| one hot key (one record in flight) | records/s | checkpoint flush of a full per-key buffer (" + cap
                        + ") |");
        System.out.println("|---|---|---|");
        System.out.printf("| target emulator | %.0f | %.1f s |%n", emulator, cap / emulator);
        System.out.printf("| fast target (local process) | %.0f | %.2f s |%n", fast, cap / fast);
    }

    /** Writes {@code records} records of one key through the sink and returns records/s end to end (job start excluded). */
    private static double recordsPerSecond(AwsTarget target, String arn, int records) throws Exception {
        byte[] payload = new byte[PAYLOAD];
        StreamExecutionEnvironment flink = StreamExecutionEnvironment.getExecutionEnvironment();
        flink.setParallelism(1);
        flink.fromSource(
                        new DataGeneratorSource<>(i -> i, records, Types.LONG),
                        WatermarkStrategy.noWatermarks(),
                        "one key")
                .sinkTo(KinesisStreamsSink.<Long>builder()
                        .target(target)
                        .streamArn(arn)
                        .requestTimeout(Duration.ofSeconds(30))
                        .elementConverter(i -> SinkEntry.of("hot", payload))
                        .build());
        long started = System.nanoTime();
        long runtimeMillis = flink.execute("one hot key").getNetRuntime();
        long totalMillis = (System.nanoTime() - started) / 1_000_000;
        System.out.printf(
                "one hot key: %d records in %d ms of job runtime (%d ms with submission) to %s%n",
                records, runtimeMillis, totalMillis, target);
        return records * 1000.0 / Math.max(1, runtimeMillis);
    }
}
