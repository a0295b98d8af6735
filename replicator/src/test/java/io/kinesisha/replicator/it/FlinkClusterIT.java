package io.kinesisha.replicator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kinesisha.common.control.ShardProgress;
import io.kinesisha.common.metrics.MetricNames;
import io.kinesisha.replicator.cluster.FlinkSessionCluster;
import io.kinesisha.testkit.KeyedLoad;
import io.kinesisha.testkit.LocalEnvironmentExtension;
import io.kinesisha.testkit.Reshard;
import io.kinesisha.testkit.StreamContents;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.Record;

/**
 * The shaded job jar on a Flink cluster of separate processes, as users run it when they outgrow the embedded mode:
 * submitted over the REST API, one TaskManager SIGKILLed under load while the source splits and merges, then
 * stopped with a savepoint and resubmitted from it.
 */
class FlinkClusterIT {
    private static final int PARALLELISM = 2;

    @RegisterExtension
    static final LocalEnvironmentExtension LOCAL = new LocalEnvironmentExtension();

    private LocalFlinkCluster flink;
    private FlinkSessionCluster cluster;
    private ScheduledExecutorService writer;

    @BeforeEach
    void startCluster() {
        Path dir = Paths.get("target", "flink-cluster", "run-" + System.currentTimeMillis());
        flink = LocalFlinkCluster.start(dir, 2, 2);
        cluster = FlinkSessionCluster.connect(flink.restUrl(), Duration.ofSeconds(30));
    }

    @AfterEach
    void stopCluster() {
        if (writer != null) {
            writer.shutdownNow();
        }
        if (cluster != null) {
            cluster.close();
        }
        if (flink != null) {
            flink.close();
        }
    }

    @Test
    void survivesATaskManagerKillDuringReshardingAndResumesFromASavepoint() throws Exception {
        // checkpoints every 5 s: the kill below lands between the split's children being assigned and the next
        // checkpoint, so the restarted subtask's state predates the assignment the enumerator made
        ReplicationHarness pair = new ReplicationHarness(
                LOCAL.env(), "cluster", 2, 2, Map.of("replication.checkpoint-interval-ms", "5000"));
        Path config = pair.writeConfig(Paths.get("target", "flink-cluster", "cluster.properties"));
        Path jar = Paths.get(System.getProperty("kinesisha.job.jar"));
        List<String> args = List.of("--config", config.toString(), "--parallelism", String.valueOf(PARALLELISM));
        FlinkRestApi rest = new FlinkRestApi(flink.restUrl());
        KeyedLoad load = new KeyedLoad(100);
        try (KinesisClient source =
                        LOCAL.env().clients().kinesis(LOCAL.env().primary().target());
                KinesisClient target =
                        LOCAL.env().clients().kinesis(LOCAL.env().secondary().target())) {
            JobID job = cluster.submit(jar, args, PARALLELISM, null);
            await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> rest.allRunning(job));
            assertThat(rest.taskManagersOf(job))
                    .as("one subtask on each TaskManager")
                    .containsExactly("tm-1", "tm-2");

            // load all the way through the split, the kill and the merge
            writer = Executors.newSingleThreadScheduledExecutor();
            writer.scheduleAtFixedRate(() -> load.write(source, pair.sourceArn, 50), 0, 200, TimeUnit.MILLISECONDS);
            await().atMost(Duration.ofSeconds(60)).until(() -> pair.recordsReplicated() >= 500);
            // the first shard's hash range, its children's and the merged shard's belong to subtask 0
            String resharding = rest.taskManagerOfSubtask(job, 0);
            String survivor = resharding.equals("tm-1") ? "tm-2" : "tm-1";
            String parent = Reshard.splitFirst(source, pair.sourceArn);
            await().atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> childrenReplicating(pair, parent));

            // kill the TaskManager reading the children, as soon as they are read: only its region restarts
            long[] beforeKill = rest.checkpoints(job);
            long killedAt = System.currentTimeMillis();
            flink.kill(resharding);
            System.out.printf(
                    "killed %s (subtask 0) at %d; last completed checkpoint before: #%d triggered at %d%n",
                    resharding, killedAt, beforeKill[0], beforeKill[1]);
            await().atMost(Duration.ofSeconds(90))
                    .ignoreExceptions()
                    .until(() -> rest.allRunning(job)
                            && rest.taskManagersOf(job).equals(Set.of(survivor))
                            && rest.checkpoints(job)[0] > beforeKill[0]);
            long recoveredAt = System.currentTimeMillis();
            Reshard.mergeChildrenOf(source, pair.sourceArn, parent);
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> pair.progress().size() == 5
                            && pair.progress().stream().allMatch(p -> p.recordsReplicated() > 0));
            writer.shutdown();
            assertThat(writer.awaitTermination(30, TimeUnit.SECONDS)).isTrue();

            StreamContents afterKill = awaitAll(target, pair, load);
            Map<String, Integer> counts = afterKill.counts();
            long duplicates = duplicates(counts);
            long writtenAroundKill = firstArrivalsBetween(afterKill, beforeKill[1] - 1_000, killedAt + 2_000);
            long counted = rest.subtaskMetricSum(job, MetricNames.DUPLICATES_AFTER_RESTORE);
            long reorders = rest.subtaskMetricSum(job, MetricNames.REORDERS);
            System.out.printf(
                    "TaskManager kill: %d records acknowledged, %d lost, %d duplicates in the target"
                            + " (%d counted by the restarted subtasks), %d written to the target between the last"
                            + " checkpoint before the kill and the kill, %d first-occurrence reorders, recovered in %d ms%n",
                    load.acknowledgedIds().size(),
                    lost(counts, load),
                    duplicates,
                    counted,
                    writtenAroundKill,
                    afterKill.orderViolations(),
                    recoveredAt - killedAt);
            assertThat(lost(counts, load)).as("lost after the kill").isZero();
            assertThat(counts.keySet()).containsExactlyInAnyOrderElementsOf(load.acknowledgedIds());
            assertThat(afterKill.orderViolations())
                    .as("first-occurrence reorders after the kill")
                    .isZero();
            assertThat(afterKill.mismatchedKeys()).isZero();
            assertThat(duplicates)
                    .as("only what the killed subtasks wrote after their last checkpoint repeats")
                    .isLessThanOrEqualTo(writtenAroundKill);
            assertThat(counted).as("every counted duplicate is one").isLessThanOrEqualTo(duplicates);
            assertThat(reorders).as("the sink's reorder counter").isZero();

            // stop with a savepoint, write while nothing runs, resume from it
            String savepoint =
                    cluster.stopWithSavepoint(job, flink.savepoints().toUri().toString(), Duration.ofSeconds(90));
            assertThat(cluster.status(job)).isEqualTo(JobStatus.FINISHED);
            load.write(source, pair.sourceArn, 500);
            JobID resumed = cluster.submit(jar, args, PARALLELISM, savepoint);
            StreamContents afterResume = awaitAll(target, pair, load);
            Map<String, Integer> resumedCounts = afterResume.counts();
            Map<String, Integer> repeatedSinceStop = new HashMap<>();
            resumedCounts.forEach((payload, n) -> {
                if (n > counts.getOrDefault(payload, 1)) {
                    repeatedSinceStop.put(payload, n);
                }
            });
            System.out.printf(
                    "savepoint %s: %d records acknowledged, %d lost, %d repeated since the stop, %d reorders%n",
                    savepoint,
                    load.acknowledgedIds().size(),
                    lost(resumedCounts, load),
                    repeatedSinceStop.size(),
                    afterResume.orderViolations());
            assertThat(resumedCounts.keySet()).containsExactlyInAnyOrderElementsOf(load.acknowledgedIds());
            assertThat(repeatedSinceStop)
                    .as("nothing repeated beyond the duplicates counted before the stop")
                    .isEmpty();
            assertThat(duplicates(resumedCounts)).isEqualTo(duplicates);
            assertThat(afterResume.orderViolations()).isZero();
            cluster.cancel(resumed);
        }
    }

    /** Both children of the split shard have progress rows with records: the split happened under load. */
    private static boolean childrenReplicating(ReplicationHarness pair, String parent) {
        List<ShardProgress> rows = pair.progress();
        return rows.size() == 4
                && rows.stream()
                        .filter(p -> !p.sourceShardId().equals(parent))
                        .allMatch(p -> p.recordsReplicated() > 0);
    }

    private static StreamContents awaitAll(KinesisClient target, ReplicationHarness pair, KeyedLoad load) {
        StreamContents[] copied = new StreamContents[1];
        List<String> acknowledged = load.acknowledgedIds();
        await().atMost(Duration.ofMinutes(2))
                .pollInterval(Duration.ofSeconds(2))
                .until(() -> {
                    copied[0] = StreamContents.read(target, pair.targetArn);
                    return copied[0].counts().keySet().containsAll(acknowledged);
                });
        return copied[0];
    }

    private static long duplicates(Map<String, Integer> counts) {
        return counts.values().stream().mapToLong(n -> n - 1).sum();
    }

    private static long lost(Map<String, Integer> counts, KeyedLoad load) {
        return load.acknowledgedIds().stream()
                .filter(p -> !counts.containsKey(p))
                .count();
    }

    /** Distinct records whose first copy reached the target in [from, to] (epoch millis). */
    private static long firstArrivalsBetween(StreamContents contents, long from, long to) {
        Map<String, Long> first = new HashMap<>();
        for (Record r : contents.records()) {
            first.merge(
                    StreamContents.payload(r), r.approximateArrivalTimestamp().toEpochMilli(), Math::min);
        }
        return first.values().stream().filter(t -> t >= from && t <= to).count();
    }
}
