package io.kinesisha.replicator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kinesisha.common.metrics.MetricNames;
import io.kinesisha.testkit.KeyedLoad;
import io.kinesisha.testkit.LocalRegion;
import io.kinesisha.testkit.Reshard;
import io.kinesisha.testkit.StreamContents;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.kinesis.KinesisClient;

/** The replicator through resharding, a job failure, a target-region outage and an idle stream. */
class ReplicatorResilienceTest {
    private static final InMemoryReporter METRICS = InMemoryReporter.create();

    @RegisterExtension
    static final RegionsAndFlink LOCAL = new RegionsAndFlink().reportingTo(METRICS);

    @Test
    void keepsKeyOrderWhileSourceAndTargetReshard() throws Exception {
        ReplicationHarness pair = new ReplicationHarness(LOCAL.env(), "reshard", 2, 2, Map.of());
        KeyedLoad load = new KeyedLoad(200);
        try (KinesisClient source = kinesis(LOCAL.env().primary());
                KinesisClient target = kinesis(LOCAL.env().secondary())) {
            JobClient job = pair.start(2);
            try {
                load.write(source, pair.sourceArn, 1000);
                Reshard.splitFirst(source, pair.sourceArn);
                load.write(source, pair.sourceArn, 1000);
                Reshard.mergeFirstTwo(target, pair.targetArn);
                load.write(source, pair.sourceArn, 1000);
                await().atMost(Duration.ofMinutes(3))
                        .pollInterval(Duration.ofSeconds(1))
                        .until(() -> pair.recordsReplicated() >= 3000);
                StreamContents copied = StreamContents.read(target, pair.targetArn);
                assertThat(copied.counts().keySet()).containsExactlyInAnyOrderElementsOf(load.acknowledgedIds());
                assertThat(copied.counts().values()).allMatch(n -> n == 1);
                assertThat(copied.orderViolations()).isZero();
                assertThat(pair.progress())
                        .as("rows for the parents and the children")
                        .hasSize(4);
                assertThat(reorders(job)).isZero();
            } finally {
                job.cancel().get();
            }
        }
    }

    /**
     * Issue 12, defect 1 end to end: one subtask fails alone (region failover; the enumerator is not restored) while
     * a parent shard is drained, once during a split and once during a merge. Nothing is lost, and every record's
     * first occurrence keeps its key's order (re-read tails may repeat, later).
     */
    @Test
    void oneSubtaskRestartingWhileParentsAreDrainedLosesAndReordersNothing() throws Exception {
        ReplicationHarness pair = new ReplicationHarness(
                LOCAL.env(), "partial", 2, 3, Map.of("replication.checkpoint-interval-ms", "3000"));
        KeyedLoad load = new KeyedLoad(200);
        try (KinesisClient source = kinesis(LOCAL.env().primary());
                KinesisClient target = kinesis(LOCAL.env().secondary())) {
            JobClient job = pair.start(2, b -> b.addExecutionInterceptor(new FailOnceInterceptor()));
            try {
                load.write(source, pair.sourceArn, 600);
                await().atMost(Duration.ofMinutes(2)).until(() -> pair.recordsReplicated() >= 600);
                load.write(source, pair.sourceArn, 400);
                FailOnceInterceptor.arm();
                Reshard.splitFirst(source, pair.sourceArn);
                load.write(source, pair.sourceArn, 600);
                await().atMost(Duration.ofMinutes(2)).until(() -> !FailOnceInterceptor.ARMED.get());
                load.write(source, pair.sourceArn, 400);
                FailOnceInterceptor.arm();
                Reshard.mergeLowestOpen(source, pair.sourceArn);
                load.write(source, pair.sourceArn, 600);
                await().atMost(Duration.ofMinutes(2)).until(() -> !FailOnceInterceptor.ARMED.get());
                load.write(source, pair.sourceArn, 400);
                StreamContents copied = awaitAllCopied(target, pair.targetArn, load, Duration.ofMinutes(3));
                long duplicates =
                        copied.counts().values().stream().mapToLong(n -> n - 1).sum();
                System.out.printf(
                        "partial restarts: %d records, all in the target, %d duplicates, %d first-occurrence reorders%n",
                        load.acknowledgedIds().size(), duplicates, copied.orderViolations());
                assertThat(copied.counts().keySet()).containsExactlyInAnyOrderElementsOf(load.acknowledgedIds());
                assertThat(copied.orderViolations()).isZero();
                assertThat(job.getJobStatus().get().isGloballyTerminalState()).isFalse();
            } finally {
                job.cancel().get();
            }
        }
    }

    /** Issue 12, defect 4: a shard read from LATEST that emitted nothing is restored where it was, not at a new LATEST. */
    @Test
    void latestRestoredFromASavepointKeepsWhatArrivedWhileTheJobWasDown(@TempDir java.nio.file.Path savepoints)
            throws Exception {
        ReplicationHarness pair =
                new ReplicationHarness(LOCAL.env(), "latest", 2, 2, Map.of("replication.starting-position", "LATEST"));
        KeyedLoad load = new KeyedLoad(50);
        try (KinesisClient source = kinesis(LOCAL.env().primary());
                KinesisClient target = kinesis(LOCAL.env().secondary())) {
            JobClient job = pair.start(2);
            String savepoint;
            try {
                await().atMost(Duration.ofMinutes(1))
                        .until(() -> pair.progress().size() == 2);
                savepoint = job.stopWithSavepoint(
                                false,
                                savepoints.toUri().toString(),
                                org.apache.flink.core.execution.SavepointFormatType.CANONICAL)
                        .get();
            } catch (Exception e) {
                job.cancel().get();
                throw e;
            }
            load.write(source, pair.sourceArn, 300);
            JobClient restored = pair.startFromSavepoint(2, savepoint);
            try {
                StreamContents copied = awaitExactlyCopied(target, pair.targetArn, load, Duration.ofMinutes(2));
                assertThat(copied.orderViolations()).isZero();
            } finally {
                restored.cancel().get();
            }
        }
    }

    /** Issue 12, defect 5: a deregistered EFO consumer is replaced; the job neither crash-loops nor loses records. */
    @Test
    void aDeregisteredConsumerIsReplacedWithoutLosingRecords() throws Exception {
        ReplicationHarness pair = new ReplicationHarness(LOCAL.env(), "deregistered", 2, 2, Map.of());
        KeyedLoad load = new KeyedLoad(50);
        try (KinesisClient source = kinesis(LOCAL.env().primary());
                KinesisClient target = kinesis(LOCAL.env().secondary())) {
            JobClient job = pair.start(2, b -> b.addExecutionInterceptor(new FailOnceInterceptor()));
            try {
                load.write(source, pair.sourceArn, 200);
                await().atMost(Duration.ofMinutes(2)).until(() -> pair.recordsReplicated() >= 200);
                source.deregisterStreamConsumer(
                        b -> b.streamARN(pair.sourceArn).consumerName("replicator-deregistered"));
                // a subtask restarts (AWS also ends the subscriptions of a deregistered consumer; the emulator does
                // not):
                // its restored splits must not subscribe with the ARN they were checkpointed with
                FailOnceInterceptor.arm();
                load.write(source, pair.sourceArn, 300);
                StreamContents copied = awaitExactlyCopied(target, pair.targetArn, load, Duration.ofMinutes(3));
                assertThat(copied.orderViolations()).isZero();
                assertThat(source.describeStreamConsumer(
                                        b -> b.streamARN(pair.sourceArn).consumerName("replicator-deregistered"))
                                .consumerDescription()
                                .consumerStatusAsString())
                        .isEqualTo("ACTIVE");
                assertThat(job.getJobStatus().get().isGloballyTerminalState()).isFalse();
            } finally {
                job.cancel().get();
            }
        }
    }

    /**
     * Issue 12, defect 9: a second job of the same direction and epoch (an upgrade overlap, --follow beside Managed
     * Flink) stops at once, without restarts and without reading; the first keeps replicating, each record once; once
     * the first stops, a new job may take over.
     */
    @Test
    void aSecondJobOfTheSameDirectionAndEpochStopsWithoutReading() throws Exception {
        ReplicationHarness pair = new ReplicationHarness(LOCAL.env(), "twice", 2, 2, Map.of());
        KeyedLoad load = new KeyedLoad(50);
        try (KinesisClient source = kinesis(LOCAL.env().primary());
                KinesisClient target = kinesis(LOCAL.env().secondary())) {
            JobClient first = pair.start(1);
            JobClient second = null;
            try {
                load.write(source, pair.sourceArn, 200);
                await().atMost(Duration.ofMinutes(2)).until(() -> pair.recordsReplicated() >= 200);
                second = pair.start(1);
                JobClient refused = second;
                await().atMost(Duration.ofMinutes(1))
                        .until(() -> refused.getJobStatus().get().isGloballyTerminalState());
                assertThat(second.getJobStatus().get()).isEqualTo(org.apache.flink.api.common.JobStatus.FAILED);
                Throwable failure = org.assertj.core.api.Assertions.catchThrowable(
                        () -> refused.getJobExecutionResult().get());
                assertThat(org.apache.flink.util.ExceptionUtils.stringifyException(failure))
                        .contains("another job reads")
                        .contains("replicator us-west-2->us-east-2 epoch 1");
                load.write(source, pair.sourceArn, 200);
                StreamContents copied = awaitExactlyCopied(target, pair.targetArn, load, Duration.ofMinutes(2));
                assertThat(copied.counts().values())
                        .as("the refused job wrote nothing")
                        .allMatch(n -> n == 1);
            } finally {
                first.cancel().get();
                if (second != null && !second.getJobStatus().get().isGloballyTerminalState()) {
                    second.cancel().get();
                }
            }
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> first.getJobStatus().get().isGloballyTerminalState());
            JobClient next = pair.start(1);
            try {
                load.write(source, pair.sourceArn, 100);
                await().atMost(Duration.ofMinutes(2))
                        .pollInterval(Duration.ofSeconds(2))
                        .until(() -> StreamContents.read(target, pair.targetArn)
                                .counts()
                                .keySet()
                                .containsAll(load.acknowledgedIds()));
            } finally {
                next.cancel().get();
            }
        }
    }

    @Test
    void restoresFromCheckpointAfterAJobFailureWithBoundedCountedDuplicates() throws Exception {
        ReplicationHarness pair = new ReplicationHarness(LOCAL.env(), "restore", 2, 2, Map.of());
        KeyedLoad load = new KeyedLoad(100);
        try (KinesisClient source = kinesis(LOCAL.env().primary());
                KinesisClient target = kinesis(LOCAL.env().secondary())) {
            JobClient job = pair.start(2, b -> b.addExecutionInterceptor(new FailOnceInterceptor()));
            try {
                load.write(source, pair.sourceArn, 1000);
                await().atMost(Duration.ofMinutes(2)).until(() -> pair.recordsReplicated() >= 1000);
                FailOnceInterceptor.arm();
                load.write(source, pair.sourceArn, 1000);
                await().atMost(Duration.ofMinutes(2)).until(() -> !FailOnceInterceptor.ARMED.get());
                long failedAt = FailOnceInterceptor.FIRED_AT_MILLIS.get();
                load.write(source, pair.sourceArn, 500);
                StreamContents copied = awaitAllCopied(target, pair.targetArn, load, Duration.ofMinutes(3));
                Map<String, Integer> counts = copied.counts();
                long duplicates = counts.values().stream().mapToLong(n -> n - 1).sum();
                // what was written in the last two checkpoint intervals (1 s) before the failure is all a restore can
                // repeat
                long recentBeforeFailure = copied.records().stream()
                        .filter(r -> counts.get(StreamContents.payload(r)) >= 1)
                        .filter(r -> r.approximateArrivalTimestamp().toEpochMilli() > failedAt - 3_000
                                && r.approximateArrivalTimestamp().toEpochMilli() <= failedAt)
                        .map(StreamContents::payload)
                        .distinct()
                        .count();
                long counted =
                        METRICS.findMetrics(job.getJobID(), MetricNames.DUPLICATES_AFTER_RESTORE).values().stream()
                                .mapToLong(m -> ((Counter) m).getCount())
                                .sum();
                System.out.printf(
                        "restore: %d records, %d duplicates in the target, %d counted by the job, %d written in the 3 s before the failure%n",
                        counts.size(), duplicates, counted, recentBeforeFailure);
                assertThat(counted).as("every counted duplicate is one").isLessThanOrEqualTo(duplicates);
                assertThat(counts.keySet()).containsExactlyInAnyOrderElementsOf(load.acknowledgedIds());
                assertThat(duplicates).isLessThanOrEqualTo(recentBeforeFailure);
                assertThat(copied.orderViolations()).isZero();
            } finally {
                job.cancel().get();
            }
        }
    }

    @Test
    void survivesATargetRegionOutageWithoutOperatorAction() throws Exception {
        ReplicationHarness pair = new ReplicationHarness(LOCAL.env(), "outage", 2, 2, Map.of());
        KeyedLoad load = new KeyedLoad(100);
        LocalRegion secondary = LOCAL.env().secondary();
        try (KinesisClient source = kinesis(LOCAL.env().primary())) {
            JobClient job = pair.start(2);
            try {
                load.write(source, pair.sourceArn, 300);
                await().atMost(Duration.ofMinutes(2)).until(() -> pair.recordsReplicated() >= 300);
                secondary.stop();
                long down = System.nanoTime();
                while (System.nanoTime() - down < Duration.ofSeconds(30).toNanos()) {
                    load.write(source, pair.sourceArn, 50);
                    await().pollDelay(Duration.ofSeconds(1)).until(() -> true);
                }
                secondary.start();
                load.write(source, pair.sourceArn, 200);
                try (KinesisClient target = kinesis(secondary)) {
                    StreamContents copied = awaitAllCopied(target, pair.targetArn, load, Duration.ofMinutes(3));
                    long duplicates = copied.counts().values().stream()
                            .mapToLong(n -> n - 1)
                            .sum();
                    System.out.printf(
                            "target outage: %d records acknowledged, all in the target, %d duplicates%n",
                            load.acknowledgedIds().size(), duplicates);
                    assertThat(copied.orderViolations()).isZero();
                    assertThat(job.getJobStatus().get().isGloballyTerminalState())
                            .isFalse();
                }
            } finally {
                job.cancel().get();
            }
        }
    }

    @Test
    void idleStreamKeepsLagAndProgressUpdating() throws Exception {
        ReplicationHarness pair = new ReplicationHarness(LOCAL.env(), "idle", 2, 1, Map.of());
        try (KinesisClient source = kinesis(LOCAL.env().primary())) {
            JobClient job = pair.start(2);
            try {
                new KeyedLoad(10).write(source, pair.sourceArn, 50);
                await().atMost(Duration.ofMinutes(1)).until(() -> pair.recordsReplicated() >= 50);
                long before = pair.progress().stream()
                        .mapToLong(p -> p.updatedEpochMillis())
                        .min()
                        .orElseThrow();
                // nothing is written now; the rows and the lag must still move
                await().atMost(Duration.ofSeconds(20))
                        .untilAsserted(() -> assertThat(pair.progress())
                                .allSatisfy(
                                        p -> assertThat(p.updatedEpochMillis()).isGreaterThan(before + 2_000))
                                .allSatisfy(
                                        p -> assertThat(p.millisBehindLatest()).isZero()));
                List<Long> lags = gauges(job, MetricNames.REPLICATION_LAG);
                assertThat(lags).isNotEmpty().allSatisfy(lag -> assertThat(lag).isBetween(0L, 2_000L));
            } finally {
                job.cancel().get();
            }
        }
    }

    /** Waits until the target holds every acknowledged record (duplicates allowed); returns what it holds then. */
    private static StreamContents awaitAllCopied(KinesisClient target, String arn, KeyedLoad load, Duration atMost) {
        StreamContents[] copied = new StreamContents[1];
        await().atMost(atMost).pollInterval(Duration.ofSeconds(2)).until(() -> {
            copied[0] = StreamContents.read(target, arn);
            return copied[0].counts().keySet().containsAll(load.acknowledgedIds());
        });
        return copied[0];
    }

    /** Waits until the target holds exactly the acknowledged records (as keys; copies counted apart). */
    private static StreamContents awaitExactlyCopied(
            KinesisClient target, String arn, KeyedLoad load, Duration atMost) {
        StreamContents[] copied = new StreamContents[1];
        await().atMost(atMost).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
            copied[0] = StreamContents.read(target, arn);
            assertThat(copied[0].counts().keySet()).containsExactlyInAnyOrderElementsOf(load.acknowledgedIds());
        });
        return copied[0];
    }

    private static KinesisClient kinesis(LocalRegion region) {
        return LOCAL.env().clients().kinesis(region.target());
    }

    private static long reorders(JobClient job) {
        return METRICS.findMetrics(job.getJobID(), MetricNames.REORDERS).values().stream()
                .mapToLong(m -> ((Counter) m).getCount())
                .sum();
    }

    private static List<Long> gauges(JobClient job, String name) {
        return METRICS.findMetrics(job.getJobID(), name).values().stream()
                .map(m -> ((Number) ((Gauge<?>) m).getValue()).longValue())
                .collect(Collectors.toList());
    }
}
