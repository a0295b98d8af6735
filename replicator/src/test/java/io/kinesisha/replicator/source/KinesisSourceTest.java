package io.kinesisha.replicator.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kinesisha.common.config.ReaderType;
import io.kinesisha.common.kinesis.ShardListing;
import io.kinesisha.replicator.it.RegionsAndFlink;
import io.kinesisha.testkit.LocalRegion;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;
import software.amazon.awssdk.services.kinesis.model.Shard;
import software.amazon.awssdk.services.kinesis.model.StreamStatus;

/** The source against the emulator: everything read once, per-key order, shard lineage across split and merge. */
class KinesisSourceTest {
    @RegisterExtension
    static final RegionsAndFlink LOCAL = new RegionsAndFlink("us-west-2");

    @ParameterizedTest
    @EnumSource(ReaderType.class)
    void readsEveryRecordOnceInShardOrder(ReaderType readerType) throws Exception {
        LocalRegion region = LOCAL.env().primary();
        String stream = "read-" + readerType.name().toLowerCase();
        String arn = region.createStream(stream, 4);
        try (KinesisClient kinesis = LOCAL.env().clients().kinesis(region.target())) {
            put(kinesis, arn, 0, 1200, 50);
            String run = "read-" + readerType;
            JobClient job = start(run, source(arn, readerType, "efo-" + stream));
            try {
                await().atMost(Duration.ofSeconds(60))
                        .until(() -> CollectingSink.arrivals(run).size() >= 1200);
                put(kinesis, arn, 1200, 1500, 50);
                await().atMost(Duration.ofSeconds(60))
                        .until(() -> CollectingSink.arrivals(run).size() >= 1500);
                assertExactlyOnceInKeyOrder(CollectingSink.arrivals(run), 1500);
            } finally {
                job.cancel().get();
            }
        }
    }

    @Test
    void honoursLineageAcrossSplitAndMergeWithEfo() throws Exception {
        LocalRegion region = LOCAL.env().primary();
        String arn = region.createStream("lineage", 3);
        try (KinesisClient kinesis = LOCAL.env().clients().kinesis(region.target())) {
            put(kinesis, arn, 0, 600, 40);
            String run = "lineage";
            JobClient job = start(run, source(arn, ReaderType.EFO, "efo-lineage"));
            try {
                await().atMost(Duration.ofSeconds(60))
                        .until(() -> CollectingSink.arrivals(run).size() >= 300);
                List<Shard> shards = ShardListing.all(kinesis, arn);
                Shard first = shards.get(0);
                String middle = new java.math.BigInteger(first.hashKeyRange().startingHashKey())
                        .add(new java.math.BigInteger(first.hashKeyRange().endingHashKey()))
                        .shiftRight(1)
                        .toString();
                kinesis.splitShard(
                        b -> b.streamARN(arn).shardToSplit(first.shardId()).newStartingHashKey(middle));
                awaitActive(kinesis, arn);
                put(kinesis, arn, 600, 900, 40);
                kinesis.mergeShards(b -> b.streamARN(arn)
                        .shardToMerge(shards.get(1).shardId())
                        .adjacentShardToMerge(shards.get(2).shardId()));
                awaitActive(kinesis, arn);
                put(kinesis, arn, 900, 1200, 40);
                await().atMost(Duration.ofSeconds(120))
                        .until(() -> CollectingSink.arrivals(run).size() >= 1200);
                assertExactlyOnceInKeyOrder(CollectingSink.arrivals(run), 1200);
                assertThat(CollectingSink.arrivals(run).stream()
                                .map(a -> a.record().shardId)
                                .distinct()
                                .count())
                        .as("records came from parents and children")
                        .isGreaterThanOrEqualTo(6);
            } finally {
                job.cancel().get();
            }
        }
    }

    private static KinesisSource<KinesisRecordView> source(String arn, ReaderType readerType, String consumer) {
        return KinesisSource.<KinesisRecordView>builder()
                .streamArn(arn)
                .target(LOCAL.env().primary().target())
                .readerType(readerType)
                .jobManagedConsumer(consumer)
                .discoveryInterval(Duration.ofSeconds(1))
                .deserializer(KinesisRecordView.schema())
                .build();
    }

    private static JobClient start(String run, KinesisSource<KinesisRecordView> source) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        env.enableCheckpointing(500);
        env.fromSource(source, WatermarkStrategy.noWatermarks(), "kinesis").sinkTo(new CollectingSink(run));
        return env.executeAsync(run);
    }

    /** Writes records {@code from..to} with keys {@code k<i % keys>} and payload {@code <key>:<i>}. */
    private static void put(KinesisClient kinesis, String arn, int from, int to, int keys) {
        for (int start = from; start < to; start += 250) {
            List<PutRecordsRequestEntry> entries = IntStream.range(start, Math.min(to, start + 250))
                    .mapToObj(i -> PutRecordsRequestEntry.builder()
                            .partitionKey("k" + (i % keys))
                            .data(SdkBytes.fromString("k" + (i % keys) + ":" + i, StandardCharsets.UTF_8))
                            .build())
                    .collect(Collectors.toList());
            assertThat(kinesis.putRecords(b -> b.streamARN(arn).records(entries))
                            .failedRecordCount())
                    .isZero();
        }
    }

    private static void awaitActive(KinesisClient kinesis, String arn) {
        await().atMost(Duration.ofSeconds(30))
                .until(() -> kinesis.describeStreamSummary(b -> b.streamARN(arn))
                                .streamDescriptionSummary()
                                .streamStatus()
                        == StreamStatus.ACTIVE);
    }

    private static void assertExactlyOnceInKeyOrder(List<CollectingSink.Arrival> arrivals, int expected) {
        List<CollectingSink.Arrival> sorted = new ArrayList<>(arrivals);
        sorted.sort((a, b) -> Long.compare(a.order(), b.order()));
        assertThat(sorted.stream().map(a -> a.record().payload).distinct().count())
                .as("distinct records")
                .isEqualTo(expected);
        assertThat(sorted).as("no duplicates without failures").hasSize(expected);
        Map<String, Integer> lastByKey = new HashMap<>();
        for (CollectingSink.Arrival a : sorted) {
            int counter = Integer.parseInt(
                    a.record().payload.substring(a.record().payload.indexOf(':') + 1));
            Integer previous = lastByKey.put(a.record().partitionKey, counter);
            assertThat(previous == null || previous < counter)
                    .as("key %s: %s after %s", a.record().partitionKey, counter, previous)
                    .isTrue();
        }
    }
}
