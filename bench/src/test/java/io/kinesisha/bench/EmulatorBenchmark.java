package io.kinesisha.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.kinesisha.common.aws.ClientRole;
import io.kinesisha.common.aws.ClientTuning;
import io.kinesisha.testkit.LocalEnvironment;
import io.kinesisha.testkit.LocalRegion;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;
import software.amazon.awssdk.services.kinesis.model.ShardIteratorType;
import software.amazon.awssdk.services.kinesis.model.SubscribeToShardEvent;
import software.amazon.awssdk.services.kinesis.model.SubscribeToShardResponseHandler;

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

    /**
     * The floor under job start (issue 16, goal 2): how long the emulator takes from SubscribeToShard to its first
     * event, for a bare SDK subscriber on a shard that already holds records. Nothing of ours is in this path.
     */
    @Test
    void firstSubscribeToShardEvent() throws Exception {
        try (LocalEnvironment env = LocalEnvironment.builder()
                        .region("us-west-2")
                        .workDir(Paths.get("target", "bench-efo-" + System.currentTimeMillis())
                                .toAbsolutePath())
                        .start();
                KinesisClient kinesis = env.clients().kinesis(env.primary().target());
                KinesisAsyncClient async =
                        env.clients().kinesisAsync(env.primary().target(), ClientRole.SOURCE)) {
            int runs = 6;
            // one shard per run: a cancelled subscription's lease outlives it in the emulator
            String arn = env.primary().createStream("efo", runs);
            kinesis.putRecords(b -> b.streamARN(arn)
                    .records(IntStream.range(0, 300)
                            .mapToObj(i -> PutRecordsRequestEntry.builder()
                                    .partitionKey("k" + i)
                                    .data(SdkBytes.fromUtf8String("r" + i))
                                    .build())
                            .collect(Collectors.toList())));
            String consumer = env.primary().registerConsumer(arn, "bench");
            List<Long> millis = new ArrayList<>();
            for (int run = 0; run < runs; run++) {
                String shardId = String.format("shardId-%012d", run);
                long start = System.nanoTime();
                CompletableFuture<Long> firstEvent = new CompletableFuture<>();
                CompletableFuture<Void> subscription = async.subscribeToShard(
                        b -> b.consumerARN(consumer)
                                .shardId(shardId)
                                .startingPosition(p -> p.type(ShardIteratorType.TRIM_HORIZON)),
                        SubscribeToShardResponseHandler.builder()
                                .subscriber(event -> {
                                    if (event instanceof SubscribeToShardEvent e
                                            && !e.records().isEmpty()) {
                                        firstEvent.complete((System.nanoTime() - start) / 1_000_000);
                                    }
                                })
                                .build());
                millis.add(firstEvent.get(30, TimeUnit.SECONDS));
                subscription.cancel(true);
            }
            System.out.println();
            System.out.println("| SubscribeToShard to the first event with records, ms (run 0: first of the JVM) |");
            System.out.println("|---|");
            System.out.println("| " + millis.stream().map(String::valueOf).collect(Collectors.joining(", ")) + " |");
            assertThat(millis).hasSize(runs);
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
