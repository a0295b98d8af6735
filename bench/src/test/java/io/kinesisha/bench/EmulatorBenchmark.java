package io.kinesisha.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.kinesisha.common.aws.ClientTuning;
import io.kinesisha.testkit.LocalEnvironment;
import io.kinesisha.testkit.LocalRegion;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;

/**
 * How fast the local stand-in for Kinesis is: start time, restart time after SIGTERM (persisted data), and
 * raw PutRecords ingest on one emulator process. Every replication throughput figure is read against these.
 */
class EmulatorBenchmark {
    private static final int RECORDS = 10_000;
    private static final int BATCH = 500;
    private static final int PAYLOAD_BYTES = 200;

    @Test
    void startTimesAndRawIngest() throws Exception {
        long t0 = System.nanoTime();
        try (LocalEnvironment env = LocalEnvironment.builder()
                .region("us-west-2")
                .clientTuning(new ClientTuning(Duration.ofMinutes(5), Duration.ofMinutes(2), 1))
                .workDir(Paths.get("target", "bench-" + System.currentTimeMillis())
                        .toAbsolutePath())
                .start()) {
            Duration envStart = Duration.ofNanos(System.nanoTime() - t0);
            LocalRegion region = env.primary();
            Duration firstStart = region.lastStartTime();
            String arn = region.createStream("bench", 4);

            List<Row> rows = new ArrayList<>();
            for (int threads : new int[] {1, 2}) {
                rows.add(ingest(env, region, arn, threads));
            }
            List<Long> restarts = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                long s = System.nanoTime();
                region.stop();
                long stopped = System.nanoTime();
                region.start();
                restarts.add((System.nanoTime() - stopped) / 1_000_000);
                System.out.printf(
                        "stop (SIGTERM, persist %d records) took %d ms%n", RECORDS * 2, (stopped - s) / 1_000_000);
            }

            System.out.println();
            System.out.println("| measurement | value |");
            System.out.println("|---|---|");
            System.out.printf("| environment start (1 region + DynamoDB Local) | %d ms |%n", envStart.toMillis());
            System.out.printf("| kinesis-local start (port open) | %d ms |%n", firstStart.toMillis());
            System.out.printf(
                    "| kinesis-local restart with persisted data (3 runs) | %s ms |%n",
                    restarts.stream().map(String::valueOf).collect(Collectors.joining(", ")));
            for (Row row : rows) {
                System.out.printf(
                        "| PutRecords ingest, %d x %d B records, batches of %d, %d thread(s) | %.0f records/s |%n",
                        RECORDS, PAYLOAD_BYTES, BATCH, row.threads, row.recordsPerSecond);
            }
        }
    }

    private static Row ingest(LocalEnvironment env, LocalRegion region, String arn, int threads) throws Exception {
        byte[] payload = new byte[PAYLOAD_BYTES];
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try (KinesisClient kinesis = env.clients().kinesis(region.target())) {
            int batches = RECORDS / BATCH;
            long start = System.nanoTime();
            List<Future<Integer>> results = new ArrayList<>();
            for (int b = 0; b < batches; b++) {
                int batch = b;
                results.add(pool.submit(() -> {
                    List<PutRecordsRequestEntry> entries = IntStream.range(0, BATCH)
                            .mapToObj(i -> PutRecordsRequestEntry.builder()
                                    .partitionKey("k" + (batch * BATCH + i) % 1000)
                                    .data(SdkBytes.fromByteArray(payload))
                                    .build())
                            .collect(Collectors.toList());
                    return kinesis.putRecords(r -> r.streamARN(arn).records(entries))
                            .failedRecordCount();
                }));
            }
            int failed = 0;
            for (Future<Integer> f : results) {
                failed += f.get();
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            assertThat(failed).as("the emulator never fails entries").isZero();
            return new Row(threads, RECORDS / seconds);
        } finally {
            pool.shutdownNow();
        }
    }

    private record Row(int threads, double recordsPerSecond) {}
}
