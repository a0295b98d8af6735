package io.kinesisha.replicator.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.kinesisha.common.aws.AwsTarget;
import io.kinesisha.common.config.ConfigKey;
import io.kinesisha.common.control.ControlRecord;
import io.kinesisha.common.control.ControlStore;
import io.kinesisha.common.control.FenceAck;
import io.kinesisha.common.metrics.MetricNames;
import io.kinesisha.replicator.fence.EpochFence;
import io.kinesisha.replicator.it.RegionsAndFlink;
import io.kinesisha.testkit.LocalRegion;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;
import java.util.stream.Collectors;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.datagen.source.GeneratorFunction;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.ExceptionUtils;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.kinesis.KinesisClient;

/**
 * The sink in a real Flink job (MiniCluster, parallelism 2, checkpoints) against the Kinesis emulator, checked
 * from the target stream's own data: every record once, per-key order by sequence number within the shard.
 */
class KinesisStreamsSinkTest {
    private static final Logger LOG = LoggerFactory.getLogger(KinesisStreamsSinkTest.class);
    private static final int KEYS = 200;
    private static final String HEARTBEAT = "heartbeat";
    /** About 100 single-record round trips of a busy emulator; the hot key's cap below is 25. */
    private static final Duration HOT_KEY_CHECKPOINT_TIMEOUT = Duration.ofSeconds(10);

    private static final int HOT_KEY_CAP = 25;
    private static final InMemoryReporter METRICS = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension
    static final RegionsAndFlink LOCAL = new RegionsAndFlink("us-east-2").reportingTo(METRICS);

    @BeforeEach
    void resetCounters() {
        FaultInjectingInterceptor.reset();
        CountingListener.reset();
        GroupCheckingListener.WRITTEN.set(0);
        GroupCheckingListener.EARLY.set(0);
    }

    @Test
    void writesEveryRecordOnceInPerKeyOrder() throws Exception {
        int total = 4_000;
        SinkRun run = runOnNewStream(
                "sink-plain",
                total,
                (region, arn) -> sink(region, arn)
                        .listener(new CountingListener())
                        .maxBufferedRecords(300)
                        .build());

        List<TargetStream.Written> written = run.written();
        assertExactlyOnceInKeyOrder(written, total);
        long heartbeats = expectedHeartbeats(total);
        assertThat(CountingListener.ACCEPTED.get()).isEqualTo(total);
        assertThat(CountingListener.WRITTEN.get()).isEqualTo(total - heartbeats);
        assertThat(CountingListener.OUT_OF_ORDER.get()).isZero();
        // back-pressure: a writer never held more unacknowledged entries than allowed
        assertThat(CountingListener.MAX_OUTSTANDING.get()).isBetween(1L, 300L);
        assertThat(CountingListener.FLUSHED.get()).isGreaterThanOrEqualTo(2); // end of input, one per writer
        assertThat(sum(run.job(), MetricNames.RECORDS_OUT)).isEqualTo(total - heartbeats);
        assertThat(sum(run.job(), MetricNames.REORDERS)).isZero();
        assertThat(sum(run.job(), MetricNames.RETRIES)).isZero();
        logRate("no faults", written);
    }

    @Test
    void keepsPerKeyOrderThroughPartialFailuresAndThrottling() throws Exception {
        int total = 5_000;
        SinkRun run = runOnNewStream(
                "sink-faults",
                total,
                (region, arn) -> withFaults(sink(region, arn), 42).build());

        List<TargetStream.Written> written = run.written();
        assertExactlyOnceInKeyOrder(written, total);
        JobID job = run.job();
        long retries = sum(job, MetricNames.RETRIES);
        long injected = FaultInjectingInterceptor.INJECTED_ENTRY_FAILURES.get();
        long requestFailures = FaultInjectingInterceptor.INJECTED_REQUEST_FAILURES.get();
        LOG.info(
                "fault run: {} requests, {} entries failed, {} whole requests throttled, {} retries, {} throttled entries, {} batches",
                FaultInjectingInterceptor.REQUESTS.get(),
                injected,
                requestFailures,
                retries,
                sum(job, MetricNames.THROTTLED),
                sum(job, MetricNames.BATCHES));
        assertThat(injected).isGreaterThan(total / 10);
        assertThat(requestFailures).isPositive();
        assertThat(retries).isGreaterThanOrEqualTo(injected);
        assertThat(sum(job, MetricNames.THROTTLED)).isGreaterThanOrEqualTo(injected);
        assertThat(sum(job, MetricNames.REORDERS)).isZero();
        assertThat(sum(job, MetricNames.FAILED)).isZero();
        // failures hit records that had later records of the same key queued behind them: the reorder hazard
        Map<String, Long> lastCounterPerKey = written.stream()
                .collect(Collectors.toMap(w -> w.partitionKey, TargetStream.Written::counter, Math::max));
        long failedWithSuccessors = FaultInjectingInterceptor.FAILED_DATA.stream()
                .filter(d -> {
                    String[] parts = d.split("\\|");
                    return Long.parseLong(parts[1]) < lastCounterPerKey.get(parts[0]);
                })
                .count();
        assertThat(failedWithSuccessors).isGreaterThan(100);
        logRate("25% entry failures", written);
    }

    /**
     * An element written as several entries (a de-aggregated KPL record) is reported written once, after the last
     * of its entries is acknowledged, also when its entries fail and are retried at different times.
     */
    @Test
    void reportsAnElementWrittenOnceAfterAllOfItsEntries() throws Exception {
        int total = 1_500;
        SinkRun run = runOnNewStream(
                "sink-groups",
                total,
                (region, arn) -> withFaults(
                                KinesisStreamsSink.<Tuple2<String, Long>>builder()
                                        .target(region.target())
                                        .streamArn(arn)
                                        .requestTimeout(Duration.ofSeconds(20))
                                        .elementConverter(new ThreeEntries()),
                                11)
                        .listener(new GroupCheckingListener())
                        .build());

        List<TargetStream.Written> written = run.written();
        long elements = total - expectedHeartbeats(total);
        assertThat(written).hasSize((int) elements * 3);
        assertThat(written.stream().map(w -> w.data)).doesNotHaveDuplicates();
        assertKeyOrder(written);
        assertThat(FaultInjectingInterceptor.INJECTED_ENTRY_FAILURES.get()).isGreaterThan(elements / 10);
        assertThat(GroupCheckingListener.WRITTEN.get())
                .as("one onWritten per element")
                .isEqualTo(elements);
        assertThat(GroupCheckingListener.EARLY.get())
                .as("onWritten before all entries were acknowledged")
                .isZero();
        assertThat(sum(run.job(), MetricNames.RECORDS_OUT)).isEqualTo(elements * 3);
    }

    /** Each element becomes three entries of three keys derived from its own. */
    static final class ThreeEntries implements KinesisSinkElementConverter<Tuple2<String, Long>> {
        @Override
        public SinkEntry convert(Tuple2<String, Long> element) {
            throw new UnsupportedOperationException("the writer asks convertAll");
        }

        @Override
        public List<SinkEntry> convertAll(Tuple2<String, Long> t) {
            if (HEARTBEAT.equals(t.f0)) {
                return List.of();
            }
            List<SinkEntry> entries = new ArrayList<>();
            for (String key : entryKeys(t.f0)) {
                entries.add(SinkEntry.of(key, TargetStream.data(key, t.f1).getBytes(StandardCharsets.UTF_8)));
            }
            return entries;
        }

        static List<String> entryKeys(String key) {
            return List.of(key + "-a", key + "-b", key + "-c");
        }
    }

    /** Checks at each onWritten that the target had acknowledged every entry of the element (static: see above). */
    static final class GroupCheckingListener implements SinkWriteListener<Tuple2<String, Long>> {
        static final AtomicLong WRITTEN = new AtomicLong();
        static final AtomicLong EARLY = new AtomicLong();

        @Override
        public void onWritten(Tuple2<String, Long> element, String targetShardId, String targetSequenceNumber) {
            WRITTEN.incrementAndGet();
            for (String key : ThreeEntries.entryKeys(element.f0)) {
                if (!FaultInjectingInterceptor.ACKNOWLEDGED_DATA.contains(TargetStream.data(key, element.f1))) {
                    EARLY.incrementAndGet();
                }
            }
        }
    }

    @Test
    void nonRetryableErrorFailsTheJobNamingStreamAndError() {
        LocalRegion region = LOCAL.env().primary();
        String missing = region.streamArn("no-such-stream");

        assertThatThrownBy(() -> runJob(50, sink(region, missing).build())).satisfies(e -> {
            Throwable cause =
                    ExceptionUtils.findThrowable(e, KinesisSinkException.class).orElseThrow(() -> e);
            assertThat(cause).hasMessageContaining(missing).hasMessageContaining("ResourceNotFoundException");
        });
    }

    /**
     * A slow job fenced by an {@link EpochFence}: once the control record moves to another direction and epoch,
     * nothing arrives in the target later than flip + lease + 2 s, and the target stops growing.
     */
    @Test
    void stopsWritingWithinTheLeaseWhenTheEpochMoves() throws Exception {
        LocalRegion region = LOCAL.env().primary();
        String arn = region.createStream("sink-fenced", 3);
        String pair = "orders";
        String table = "kinesis-ha-control-sink-test";
        AwsTarget controlTarget = LOCAL.env().controlStoreTarget(region.name());
        Duration lease = Duration.ofMillis(1500);
        try (DynamoDbClient dynamo = LOCAL.env().clients().dynamoDb(controlTarget)) {
            ControlStore store = new ControlStore(dynamo, table);
            ControlRecord initial = createControlRecord(store, pair, region);
            EpochFence fence = EpochFence.builder()
                    .pairName(pair)
                    .controlTable(table)
                    .controlStore(controlTarget)
                    .direction(initial.direction())
                    .epoch(initial.epoch())
                    .checkInterval(Duration.ofMillis(250))
                    .lease(lease)
                    .build();

            JobClient job = startUnbounded(
                    i -> Tuple2.of(i % 50 == 49 ? HEARTBEAT : "key-" + (i % KEYS), i),
                    sink(region, arn).writeGate(fence).maxBufferedRecords(500).build(),
                    "fenced sink test");
            try {
                await().atMost(Duration.ofSeconds(60))
                        .until(() -> readTarget(region, arn).size() >= 600);
                long readStarted = System.nanoTime();
                int before = readTarget(region, arn).size();
                LOG.info(
                        "fenced run: {} records before the flip, reading them back took {} ms",
                        before,
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - readStarted));
                Instant flip = Instant.now();
                ControlRecord current = store.read(pair).orElseThrow();
                assertThat(store.replace(
                                current,
                                current.next(
                                        region.name(), current.direction().reversed(), "FAILING_BACK", false, flip)))
                        .isTrue();

                AtomicLong previous = new AtomicLong(-1);
                await().atMost(Duration.ofSeconds(30))
                        .pollInterval(Duration.ofSeconds(1))
                        .until(() -> {
                            long count = readTarget(region, arn).size();
                            return count == previous.getAndSet(count);
                        });
                long stopped = readTarget(region, arn).size();
                await().during(Duration.ofSeconds(3))
                        .atMost(Duration.ofSeconds(10))
                        .pollInterval(Duration.ofMillis(500))
                        .until(() -> readTarget(region, arn).size() == stopped);

                List<TargetStream.Written> written = readTarget(region, arn);
                Instant lastArrival = written.stream()
                        .map(w -> w.arrival)
                        .max(Instant::compareTo)
                        .orElseThrow();
                LOG.info(
                        "fenced run: {} records, flip at {}, last arrival {} ({} ms after the flip)",
                        written.size(),
                        flip,
                        lastArrival,
                        Duration.between(flip, lastArrival).toMillis());
                assertThat(lastArrival).isBefore(flip.plus(lease).plusSeconds(2));
                assertThat(sum(job.getJobID(), MetricNames.FENCED)).isEqualTo(2);
                assertThat(sum(job.getJobID(), MetricNames.BUFFERED)).isPositive();
                assertKeyOrder(written);
            } finally {
                long cancelStarted = System.nanoTime();
                job.cancel().get(60, TimeUnit.SECONDS);
                await().atMost(Duration.ofSeconds(60))
                        .until(() -> job.getJobStatus().get().isGloballyTerminalState());
                LOG.info(
                        "fenced job cancelled in {} ms",
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - cancelStarted));
            }
        }
    }

    /**
     * Issue 12, defect 7: a target raised above the default 1 MiB with UpdateMaxRecordSize takes records up to that
     * size; the sink reads the limit and sends a record larger than a request's budget in a request of its own. The
     * limit is 2 MiB and the request budget its minimum, 1 MiB, so every large record is both over the default limit
     * and over the budget, as a 6 MiB record is under a 10 MiB limit and the default 5 MiB budget (which only costs
     * the emulator more time to write).
     */
    @Test
    void writesRecordsUpToTheTargetsRaisedLimit() throws Exception {
        LocalRegion region = LOCAL.env().primary();
        String arn = region.createStream("sink-large", 1);
        // every large record below is one the default limit refuses (see aRecordOverTheTargetsLimitFails...)
        int limit = 2 * 1024 * 1024;
        int overDefault = 1024 * 1024 + 1;
        try (KinesisClient kinesis = LOCAL.env().clients().kinesis(region.target())) {
            kinesis.updateMaxRecordSize(b -> b.streamARN(arn).maxRecordSizeInKiB(limit / 1024));
        }
        int total = 12;
        // key-0 and key-1; every 4th record is over the default limit, the last large one exactly at the raised limit
        // (data plus key)
        Map<Long, Integer> sizes = Map.of(0L, overDefault, 4L, 3 * 512 * 1024, 8L, limit - "key-0".length());
        StreamExecutionEnvironment env = environment(1, false);
        env.fromSource(generator(total, 2), WatermarkStrategy.noWatermarks(), "generator")
                .sinkTo(sink(region, arn)
                        .maxBatchBytes(SinkEntry.MAX_RECORD_BYTES)
                        .elementConverter(t ->
                                SinkEntry.of(t.f0, padded(TargetStream.data(t.f0, t.f1), sizes.getOrDefault(t.f1, 0))))
                        .build())
                .name("kinesis-sink");
        env.execute("large record sink test");

        List<TargetStream.Written> written = readTarget(region, arn);
        assertThat(written).hasSize(total);
        assertThat(written.stream().collect(Collectors.toMap(TargetStream.Written::counter, w -> w.data.length())))
                .containsEntry(0L, overDefault)
                .containsEntry(4L, 3 * 512 * 1024)
                .containsEntry(8L, limit - "key-0".length())
                .containsEntry(1L, 100);
        assertKeyOrder(written);
    }

    /** {@code data} padded with 'x' to {@code size} bytes (or left as it is when size is smaller). */
    private static byte[] padded(String data, int size) {
        byte[] bytes = new byte[Math.max(size, data.length())];
        java.util.Arrays.fill(bytes, (byte) 'x');
        byte[] head = data.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(head, 0, bytes, 0, head.length);
        return bytes;
    }

    /** A record over the target's limit (1 MiB, the default, unreported by the stream) fails the job naming both. */
    @Test
    void aRecordOverTheTargetsLimitFailsTheJobNamingItAndTheLimit() {
        LocalRegion region = LOCAL.env().primary();
        String arn = region.createStream("sink-too-large", 1);
        StreamExecutionEnvironment env = environment(1, false);
        env.fromSource(generator(3, 1), WatermarkStrategy.noWatermarks(), "generator")
                .sinkTo(sink(region, arn)
                        .recordDescriber(t -> "element " + t.f1)
                        .elementConverter(t -> SinkEntry.of(
                                t.f0,
                                padded(TargetStream.data(t.f0, t.f1), t.f1 == 1 ? 1024 * 1024 + 1 - t.f0.length() : 0)))
                        .build())
                .name("kinesis-sink");

        assertThatThrownBy(() -> env.execute("too large record sink test")).satisfies(e -> {
            Throwable cause =
                    ExceptionUtils.findThrowable(e, KinesisSinkException.class).orElseThrow(() -> e);
            assertThat(cause)
                    .hasMessageContaining(arn)
                    .hasMessageContaining("element 1")
                    .hasMessageContaining("1048577 bytes")
                    .hasMessageContaining("1048576 bytes (1024 KiB)");
        });
        // nothing of the key after the refused record is written (element 0 may or may not have landed)
        assertThat(readTarget(region, arn))
                .extracting(TargetStream.Written::counter)
                .doesNotContain(1L, 2L);
    }

    /**
     * Issue 12, defect 6: one hot key is written one round trip per record, so its buffered records bound how long
     * a checkpoint flush takes. The sink holds at most its per-key cap of them (the reader waits), and checkpoints
     * complete within a short timeout that fails the job (no tolerated failures) if one does not.
     */
    @Test
    void oneHotKeyIsCappedSoCheckpointsCompleteWithinTheTimeout() throws Exception {
        LocalRegion region = LOCAL.env().primary();
        String arn = region.createStream("sink-hot-key", 1);
        int total = 250; // ~60-140 ms per record for one key against the emulator: a backlog of all is ~15-35 s
        StreamExecutionEnvironment env = environment(1, true);
        env.getCheckpointConfig().setCheckpointTimeout(HOT_KEY_CHECKPOINT_TIMEOUT.toMillis());
        env.getCheckpointConfig().setTolerableCheckpointFailureNumber(0);
        env.fromSource(generator(total, 1), WatermarkStrategy.noWatermarks(), "generator")
                .sinkTo(sink(region, arn)
                        .listener(new CountingListener())
                        .maxBufferedRecords(10_000)
                        .maxBufferedPerKey(HOT_KEY_CAP)
                        .build())
                .name("kinesis-sink");
        long started = System.nanoTime();
        JobExecutionResult result = env.execute("hot key sink test");
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);

        List<TargetStream.Written> written = readTarget(region, arn);
        assertThat(written).hasSize((int) (total - expectedHeartbeats(total)));
        assertKeyOrder(written);
        LOG.info(
                "one hot key: {} records in {} ms ({} records/s end to end, {} by arrival), at most {} buffered, "
                        + "{} flushes",
                written.size(),
                millis,
                written.size() * 1000L / Math.max(1, millis),
                Math.round(rate(written)),
                CountingListener.MAX_OUTSTANDING.get(),
                CountingListener.FLUSHED.get());
        assertThat(CountingListener.MAX_OUTSTANDING.get()).isBetween(1L, (long) HOT_KEY_CAP);
        // checkpoints completed while the key was busy (one flush is the end of input)
        assertThat(CountingListener.FLUSHED.get()).isGreaterThanOrEqualTo(3);
        assertThat(sum(result.getJobID(), MetricNames.REORDERS)).isZero();
    }

    /**
     * Issue 12, defect 3: the target answers slowly at the moment the control record flips (requests arrive, answers
     * come 12 s late). With the production fence (3 s lease) and sink client settings, no copy may land in the target
     * later than flip + {@code failover.fence-settle-ms}: a request the sink gave up on must not be sent again without
     * asking the fence (the SDK's own retries did, 10 s later).
     */
    @Test
    void noCopyLandsAfterTheFenceSettleTimeWhenTheTargetAnswersSlowly() throws Exception {
        LocalRegion region = LOCAL.env().primary();
        String arn = region.createStream("sink-settle", 2);
        String pair = "settle";
        String table = "kinesis-ha-control-settle-test";
        AwsTarget controlTarget = LOCAL.env().controlStoreTarget(region.name());
        Duration settle = Duration.ofMillis(
                Long.parseLong(ConfigKey.FAILOVER_FENCE_SETTLE_MS.defaultValue().orElseThrow()));
        try (DynamoDbClient dynamo = LOCAL.env().clients().dynamoDb(controlTarget)) {
            ControlStore store = new ControlStore(dynamo, table);
            ControlRecord initial = createControlRecord(store, pair, region);
            EpochFence fence = EpochFence.builder()
                    .pairName(pair)
                    .controlTable(table)
                    .controlStore(controlTarget)
                    .direction(initial.direction())
                    .epoch(initial.epoch())
                    .owner("settle-run")
                    .build();

            JobClient job = startUnbounded(
                    i -> Tuple2.of("key-" + (i % KEYS), i),
                    productionSink(region, arn).writeGate(fence).build(),
                    "settle sink test");
            try (KinesisClient observer = LOCAL.env().clients().kinesis(region.directTarget())) {
                await().atMost(Duration.ofSeconds(60))
                        .until(() -> TargetStream.readAll(observer, arn).size() >= 300);
                region.answerSlowly(Duration.ofSeconds(12));
                ControlRecord current = store.read(pair).orElseThrow();
                assertThat(store.replace(
                                current,
                                current.next(
                                        region.name(),
                                        current.direction().reversed(),
                                        "FAILING_BACK",
                                        false,
                                        Instant.now())))
                        .isTrue();
                Instant flip = Instant.now();

                // quiet for longer than the SDK's old attempt timeout (10 s): a late retry would have landed by then
                AtomicLong previous = new AtomicLong(-1);
                await().during(Duration.ofSeconds(12))
                        .atMost(Duration.ofSeconds(60))
                        .pollInterval(Duration.ofMillis(500))
                        .until(() -> TargetStream.readAll(observer, arn).size()
                                == previous.getAndSet(
                                        TargetStream.readAll(observer, arn).size()));
                List<TargetStream.Written> written = TargetStream.readAll(observer, arn);
                Instant lastArrival = written.stream()
                        .map(w -> w.arrival)
                        .max(Instant::compareTo)
                        .orElseThrow();
                long late = written.stream()
                        .filter(w -> w.arrival.isAfter(flip.plus(settle)))
                        .count();
                LOG.info(
                        "slow target at the flip: {} records, last arrival {} ms after the flip, {} later than the settle "
                                + "time of {} ms",
                        written.size(),
                        Duration.between(flip, lastArrival).toMillis(),
                        late,
                        settle.toMillis());
                assertThat(late)
                        .as("copies landing later than flip + %s", settle)
                        .isZero();
                // the early end of the settle: once both writers acknowledged the fence, nothing lands any more
                List<FenceAck> acks = store.readFenceAcks(pair, initial.direction(), initial.epoch());
                assertThat(acks).extracting(FenceAck::subtask).containsExactlyInAnyOrder(0, 1);
                Instant allAcknowledged = Instant.ofEpochMilli(
                        acks.stream().mapToLong(FenceAck::atEpochMillis).max().orElseThrow());
                LOG.info(
                        "both writers acknowledged the fence {} ms after the flip",
                        Duration.between(flip, allAcknowledged).toMillis());
                assertThat(written)
                        .as("copies landing after every writer acknowledged the fence")
                        .noneMatch(w -> w.arrival.isAfter(allAcknowledged));
                assertKeyOrder(written);
            } finally {
                region.restore();
                job.cancel().get(60, TimeUnit.SECONDS);
                await().atMost(Duration.ofSeconds(60))
                        .until(() -> job.getJobStatus().get().isGloballyTerminalState());
            }
        }
    }

    /** The sink as the replicator builds it from a default configuration (request timeout included). */
    private static KinesisStreamsSink.Builder<Tuple2<String, Long>> productionSink(LocalRegion region, String arn) {
        return KinesisStreamsSink.<Tuple2<String, Long>>builder()
                .target(region.target())
                .streamArn(arn)
                .elementConverter(
                        t -> SinkEntry.of(t.f0, TargetStream.data(t.f0, t.f1).getBytes(StandardCharsets.UTF_8)))
                .maxBufferedRecords(500);
    }

    private static KinesisStreamsSink.Builder<Tuple2<String, Long>> sink(LocalRegion region, String arn) {
        return KinesisStreamsSink.<Tuple2<String, Long>>builder()
                .target(region.target())
                .streamArn(arn)
                .requestTimeout(Duration.ofSeconds(20))
                .elementConverter(t -> HEARTBEAT.equals(t.f0)
                        ? null
                        : SinkEntry.of(t.f0, TargetStream.data(t.f0, t.f1).getBytes(StandardCharsets.UTF_8)))
                .maxBufferedRecords(2_000);
    }

    /** {@code total} elements: index i is key {@code key-(i % keys)} with counter i; every 50th is a heartbeat. */
    static DataGeneratorSource<Tuple2<String, Long>> generator(long total, int keys) {
        GeneratorFunction<Long, Tuple2<String, Long>> f =
                i -> Tuple2.of(i % 50 == 49 ? HEARTBEAT : "key-" + (i % keys), i);
        return new DataGeneratorSource<>(f, total, Types.TUPLE(Types.STRING, Types.LONG));
    }

    static long expectedHeartbeats(long total) {
        return total / 50;
    }

    /** What a finished job wrote: its id (for its metrics) and the target stream's records. */
    private record SinkRun(JobID job, List<TargetStream.Written> written) {}

    /** {@code total} elements through the sink made for a new 3-shard stream {@code name}; then what it holds. */
    private static SinkRun runOnNewStream(
            String name, int total, BiFunction<LocalRegion, String, KinesisStreamsSink<Tuple2<String, Long>>> sink)
            throws Exception {
        LocalRegion region = LOCAL.env().primary();
        String arn = region.createStream(name, 3);
        JobExecutionResult result = runJob(total, sink.apply(region, arn));
        return new SinkRun(result.getJobID(), readTarget(region, arn));
    }

    private static JobExecutionResult runJob(int total, KinesisStreamsSink<Tuple2<String, Long>> sink)
            throws Exception {
        return runJob(total, KEYS, sink);
    }

    private static JobExecutionResult runJob(int total, int keys, KinesisStreamsSink<Tuple2<String, Long>> sink)
            throws Exception {
        StreamExecutionEnvironment env = environment(2, true);
        keyedThrough(env, generator(total, keys), sink);
        return env.execute("sink test");
    }

    /** A job of 300 elements/s from {@code f} through {@code sink}, until cancelled. */
    private static JobClient startUnbounded(
            GeneratorFunction<Long, Tuple2<String, Long>> f, KinesisStreamsSink<Tuple2<String, Long>> sink, String name)
            throws Exception {
        StreamExecutionEnvironment env = environment(2, true);
        keyedThrough(
                env,
                new DataGeneratorSource<>(
                        f, 1_000_000, RateLimiterStrategy.perSecond(300), Types.TUPLE(Types.STRING, Types.LONG)),
                sink);
        return env.executeAsync(name);
    }

    /** One generator keeps each key's elements in order; keyBy routes a key to one sink subtask. */
    private static void keyedThrough(
            StreamExecutionEnvironment env,
            DataGeneratorSource<Tuple2<String, Long>> source,
            KinesisStreamsSink<Tuple2<String, Long>> sink) {
        env.fromSource(source, WatermarkStrategy.noWatermarks(), "generator")
                .setParallelism(1)
                .keyBy(t -> t.f0, Types.STRING)
                .sinkTo(sink)
                .name("kinesis-sink");
    }

    /** The test cluster's job settings: a failure ends the job (no restarts); checkpoints every 500 ms if asked. */
    private static StreamExecutionEnvironment environment(int parallelism, boolean checkpoints) {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(parallelism);
        if (checkpoints) {
            env.enableCheckpointing(500);
        }
        env.configure(noRestarts());
        return env;
    }

    /** Entries fail (25%) and whole requests are throttled (5%), seeded; retries back off from 10 ms to 200 ms. */
    private static <T> KinesisStreamsSink.Builder<T> withFaults(KinesisStreamsSink.Builder<T> sink, long seed) {
        return sink.clientOverrides(b -> b.addExecutionInterceptor(new FaultInjectingInterceptor(0.25, 0.05, seed)))
                .retryBackoff(Duration.ofMillis(10), Duration.ofMillis(200));
    }

    /** The control table and the pair's first record (active us-west-2, replicating into {@code region}). */
    private static ControlRecord createControlRecord(ControlStore store, String pair, LocalRegion region) {
        store.createTableIfMissing();
        ControlRecord initial = ControlRecord.initial(pair, "us-west-2", region.name(), Instant.now());
        assertThat(store.create(initial)).isTrue();
        return initial;
    }

    /** A failure fails the test at once instead of restarting forever (the default with checkpoints). */
    static Configuration noRestarts() {
        Configuration conf = new Configuration();
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        return conf;
    }

    private static List<TargetStream.Written> readTarget(LocalRegion region, String arn) {
        try (KinesisClient kinesis = LOCAL.env().clients().kinesis(region.target())) {
            return TargetStream.readAll(kinesis, arn);
        }
    }

    /** Every non-heartbeat element exactly once, bytes intact, and per key increasing counters in shard order. */
    static void assertExactlyOnceInKeyOrder(List<TargetStream.Written> written, long total) {
        Set<String> expected = new HashSet<>();
        for (long i = 0; i < total; i++) {
            if (i % 50 != 49) {
                expected.add("key-" + (i % KEYS) + "/" + TargetStream.data("key-" + (i % KEYS), i));
            }
        }
        List<String> actual =
                written.stream().map(w -> w.partitionKey + "/" + w.data).collect(Collectors.toList());
        assertThat(actual).doesNotHaveDuplicates();
        assertThat(new HashSet<>(actual)).isEqualTo(expected);

        assertKeyOrder(written);
    }

    /** Per key: one shard, and counters increasing with the sequence number. */
    static void assertKeyOrder(List<TargetStream.Written> written) {
        Map<String, List<TargetStream.Written>> byKey =
                written.stream().collect(Collectors.groupingBy(w -> w.partitionKey));
        for (Map.Entry<String, List<TargetStream.Written>> key : byKey.entrySet()) {
            List<TargetStream.Written> records = new ArrayList<>(key.getValue());
            assertThat(records.stream().map(w -> w.shardId).distinct())
                    .as("shards of %s", key.getKey())
                    .hasSize(1);
            records.sort((a, b) -> a.sequenceNumber.compareTo(b.sequenceNumber));
            List<Long> counters =
                    records.stream().map(TargetStream.Written::counter).collect(Collectors.toList());
            assertThat(counters)
                    .as("counters of %s in target order", key.getKey())
                    .isSorted()
                    .doesNotHaveDuplicates();
        }
    }

    /** A sink metric summed over the writers of {@code job}. */
    static long sum(JobID job, String metric) {
        long total = 0;
        for (Map.Entry<MetricGroup, Map<String, Metric>> group :
                METRICS.getMetricsByGroup().entrySet()) {
            Metric m = group.getValue().get(metric);
            if (job.toString().equals(group.getKey().getAllVariables().get("<job_id>"))) {
                if (m instanceof Counter) {
                    total += ((Counter) m).getCount();
                } else if (m instanceof Gauge) {
                    total += ((Number) ((Gauge<?>) m).getValue()).longValue();
                }
            }
        }
        return total;
    }

    /** Records per second over the span of arrival timestamps in the target. */
    private static double rate(List<TargetStream.Written> written) {
        long first =
                written.stream().mapToLong(w -> w.arrival.toEpochMilli()).min().orElse(0);
        long last =
                written.stream().mapToLong(w -> w.arrival.toEpochMilli()).max().orElse(0);
        return written.size() * 1000.0 / Math.max(1, last - first);
    }

    private static void logRate(String run, List<TargetStream.Written> written) {
        LOG.info(
                "{}: {} records in the target, {} records/s by arrival time",
                run,
                written.size(),
                Math.round(rate(written)));
    }

    /** Counts callbacks across the writers (static: the listener is deserialized on the task manager). */
    static final class CountingListener implements SinkWriteListener<Tuple2<String, Long>> {
        static final AtomicLong ACCEPTED = new AtomicLong();
        static final AtomicLong WRITTEN = new AtomicLong();
        static final AtomicLong FLUSHED = new AtomicLong();
        static final AtomicLong OUT_OF_ORDER = new AtomicLong();
        static final AtomicLong MAX_OUTSTANDING = new AtomicLong();
        static final Map<String, Long> LAST_WRITTEN = new ConcurrentHashMap<>();

        static void reset() {
            ACCEPTED.set(0);
            WRITTEN.set(0);
            FLUSHED.set(0);
            OUT_OF_ORDER.set(0);
            MAX_OUTSTANDING.set(0);
            LAST_WRITTEN.clear();
        }

        /** Entries this writer accepted and has not seen written (one listener copy per writer). */
        private long outstanding;

        @Override
        public void onAccepted(Tuple2<String, Long> element) {
            ACCEPTED.incrementAndGet();
            if (!HEARTBEAT.equals(element.f0)) {
                outstanding++;
                MAX_OUTSTANDING.accumulateAndGet(outstanding, Math::max);
            }
        }

        @Override
        public void onWritten(Tuple2<String, Long> element, String targetShardId, String targetSequenceNumber) {
            WRITTEN.incrementAndGet();
            outstanding--;
            assertThat(targetShardId).startsWith("shardId-");
            assertThat(targetSequenceNumber).isNotBlank();
            Long previous = LAST_WRITTEN.put(element.f0, element.f1);
            if (previous != null && previous > element.f1) {
                OUT_OF_ORDER.incrementAndGet();
            }
        }

        @Override
        public void onFlushed() {
            FLUSHED.incrementAndGet();
        }
    }
}
