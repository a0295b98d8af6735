package io.kinesisha.controller.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kinesisha.common.aws.AwsClientFactory;
import io.kinesisha.common.aws.AwsTarget;
import io.kinesisha.common.control.AuditEntry;
import io.kinesisha.common.control.ReplicationDirection;
import io.kinesisha.controller.actions.ApiCall;
import io.kinesisha.controller.operations.LocalPair;
import io.kinesisha.controller.operations.OperationDriver;
import io.kinesisha.controller.operations.PairContext;
import io.kinesisha.controller.statemachine.PairEvent;
import io.kinesisha.controller.statemachine.Step;
import io.kinesisha.replicator.follow.ReplicatorSupervisor;
import io.kinesisha.testkit.KclConsumer;
import io.kinesisha.testkit.LocalEnvironment;
import io.kinesisha.testkit.LocalEnvironmentExtension;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiPredicate;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;

/**
 * A real KCL 3.x application across a failover and the failback, with the real replicator following the control
 * record (forward, then reverse, then forward again). It processes about half the primary stream, stops, the
 * primary takes more records up to the failover, the controller fails over (writing its leases for the
 * re-partitioned secondary stream) and it restarts against the secondary, where producers now write; it stops again part way, the controller fails back (translating its leases
 * through the reverse replication into the primary's table) and it restarts against the primary. At each restart
 * the union of what it processed holds every record, no gap in any key, no skip reported, and the duplicates are
 * exactly those the controller reported. A producer that had not moved writes into the primary after the failover:
 * those orphans, republished into the secondary by the failback after the application stopped there, are read at
 * their originals in the primary (the reverse replication does not copy them back).
 */
class KclFailoverTest {
    static final int RECORDS = 2000;
    static final int KEYS = 200;
    /** Written after the first run stopped, just before the failover: the primary's last seconds of load. */
    static final int LAST_BEFORE_FAILOVER = KEYS;

    /**
     * Written into the primary after the failover's cut, by a producer that had not moved yet: the primary
     * acknowledged them, nothing replicated them; the failback republishes them into the secondary.
     */
    static final int ORPHANS = KEYS / 2;

    static final int AFTER_FAILOVER = 1000;
    static final String APP = "orders";
    static final String WEST_LEASES = "orders-leases-west";
    static final String EAST_LEASES = "orders-leases-east";

    @RegisterExtension
    static final LocalEnvironmentExtension LOCAL = new LocalEnvironmentExtension();

    private final List<String> processed = new ArrayList<>();

    @Test
    void aKclApplicationResumesInTheSecondaryAndBackInThePrimaryWithoutAGap() throws Exception {
        long started = System.nanoTime();
        LocalEnvironment env = LOCAL.env();
        String primary = env.primary().name();
        String secondary = env.secondary().name();
        AwsClientFactory clients = env.clients();
        LocalPair pair = new LocalPair(
                env,
                "kcl",
                2,
                3,
                Map.of(
                        "failover.fence-settle-ms",
                        "0",
                        "consumers.kcl-applications",
                        APP + ":" + primary + "=" + WEST_LEASES + "," + secondary + "=" + EAST_LEASES));
        try (ReplicatorSupervisor replicator = new ReplicatorSupervisor(
                                pair.config, 2, Duration.ofMillis(200), line -> System.out.println(line))
                        .start();
                KinesisClient west = clients.kinesis(env.primary().target());
                KinesisClient east = clients.kinesis(env.secondary().target());
                PairContext ctx = PairContext.open(pair.config, "cli:test", Clock.systemUTC())) {
            Set<String> beforeFailover = produce(west, pair.primaryArn, 0, RECORDS);
            int inPrimary = run(
                    clients,
                    env.primary().target(),
                    env.controlStoreTarget(primary),
                    WEST_LEASES,
                    mine -> mine.size() >= RECORDS / 2);
            assertThat(inPrimary).as("the primary run stopped part way").isLessThan(RECORDS);
            beforeFailover.addAll(produce(west, pair.primaryArn, RECORDS, LAST_BEFORE_FAILOVER));
            await().atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(500))
                    .until(() -> EndToEndSupport.replicated(ctx.store()
                                    .readProgress(pair.name, new ReplicationDirection(primary, secondary), 1))
                            >= beforeFailover.size());

            OperationDriver driver = new OperationDriver(ctx, line -> System.out.println("controller: " + line));
            List<ApiCall> planned = driver.plan(PairEvent.FAILOVER_REQUESTED).steps().stream()
                    .filter(s -> s.step() == Step.START_CONSUMERS)
                    .flatMap(s -> s.calls().stream())
                    .toList();
            planned.forEach(c -> System.out.println("dry run: " + c));
            assertThat(planned)
                    .filteredOn(c -> c.operation().equals("PutItem"))
                    .hasSize(3)
                    .allSatisfy(c -> assertThat(c.parameters()).containsEntry("TableName", EAST_LEASES));
            OperationDriver.Report failover = driver.failover("kcl test");
            assertThat(failover.result()).as(failover.message()).isEqualTo(OperationDriver.Result.COMPLETED);
            Map<String, String> failoverEvidence = leaseEvidence(ctx, pair);

            Set<String> orphans = produce(west, pair.primaryArn, beforeFailover.size(), ORPHANS);
            Set<String> afterFailover =
                    produce(east, pair.secondaryArn, beforeFailover.size() + ORPHANS, AFTER_FAILOVER);
            Resumed second = resume(
                    clients,
                    env.secondary().target(),
                    env.controlStoreTarget(secondary),
                    EAST_LEASES,
                    (union, mine) -> union.containsAll(beforeFailover)
                            && union.size() >= beforeFailover.size() + AFTER_FAILOVER / 2);
            report("failover", primary, secondary, inPrimary, second, failoverEvidence);
            assertThat(union())
                    .as("every record written before the failover, no gap")
                    .containsAll(beforeFailover);
            assertThat(union().containsAll(afterFailover))
                    .as("the secondary run stopped part way")
                    .isFalse();
            assertThat(second.duplicates)
                    .as("duplicates as the controller reported")
                    .isEqualTo(Long.parseLong(failoverEvidence.get("kcl." + APP + ".duplicates")));

            // refused, changing nothing, while a probe of the primary times out (a loaded machine): retried
            OperationDriver.Report failback = await().atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofSeconds(1))
                    .until(
                            () -> driver.failback(Duration.ZERO, "kcl test: primary is back"),
                            r -> r.result() != OperationDriver.Result.REJECTED);
            assertThat(failback.result()).as(failback.message()).isEqualTo(OperationDriver.Result.COMPLETED);
            Map<String, String> failbackEvidence = leaseEvidence(ctx, pair);
            assertThat(failbackEvidence).containsEntry("kcl." + APP + ".table", primary + "/" + WEST_LEASES);

            Set<String> all = new HashSet<>(beforeFailover);
            all.addAll(orphans);
            all.addAll(afterFailover);
            // to the end of every shard it resumes in: records it had finished may follow the last one it had not
            Set<String> shardEnds = lastOfEachShardToRead(west, pair.primaryArn, failbackEvidence);
            Resumed third = resume(
                    clients,
                    env.primary().target(),
                    env.controlStoreTarget(primary),
                    WEST_LEASES,
                    (union, mine) -> union.containsAll(all) && mine.containsAll(shardEnds));
            report("failback", secondary, primary, second.processed, third, failbackEvidence);
            assertThat(union()).as("every record of every key, no gap").isEqualTo(all);
            assertThat(failbackEvidence)
                    .as("the orphans, republished at the failback and not yet processed in the secondary, are read"
                            + " at their originals in the primary")
                    .containsEntry("kcl." + APP + ".orphans", ORPHANS + " republished, " + ORPHANS + " unprocessed");
            assertThat(third.duplicates)
                    .as("duplicates as the controller reported")
                    .isEqualTo(Long.parseLong(failbackEvidence.get("kcl." + APP + ".duplicates")));
            System.out.printf(
                    "KCL FAILOVER+FAILBACK: %d records, test took %d s%n",
                    all.size(), Duration.ofNanos(System.nanoTime() - started).toSeconds());
        }
    }

    /** What one restart of the application processed, and how much of it had been processed before. */
    private record Resumed(int processed, long duplicates) {}

    /** Runs the application until {@code done} holds for what this run processed; returns how many it processed. */
    private int run(
            AwsClientFactory clients, AwsTarget kinesis, AwsTarget dynamo, String table, Predicate<List<String>> done)
            throws Exception {
        List<String> mine;
        try (KclConsumer consumer = new KclConsumer(
                        clients, kinesis, dynamo, "kcl", APP, table, KclConsumer.Polling.SMALL_BATCHES)
                .withLeaseOwnerIndexReady()
                .start()) {
            await().atMost(Duration.ofSeconds(90)).until(() -> done.test(consumer.processed));
            consumer.close();
            mine = List.copyOf(consumer.processed);
        }
        processed.addAll(mine);
        return mine.size();
    }

    /**
     * Runs the application until {@code done} holds for everything processed so far and what this run processed;
     * counts what it redid.
     */
    private Resumed resume(
            AwsClientFactory clients,
            AwsTarget kinesis,
            AwsTarget dynamo,
            String table,
            BiPredicate<Set<String>, List<String>> done)
            throws Exception {
        Set<String> before = union();
        int count = run(clients, kinesis, dynamo, table, mine -> {
            Set<String> union = new HashSet<>(before);
            union.addAll(mine);
            return done.test(union, mine);
        });
        long duplicates = processed.subList(processed.size() - count, processed.size()).stream()
                .filter(before::contains)
                .count();
        return new Resumed(count, duplicates);
    }

    /**
     * The last record of each shard of the stream (as the application records it) whose lease the controller wrote
     * before that record (a lease at the shard's last record leaves nothing to read).
     */
    private static Set<String> lastOfEachShardToRead(KinesisClient kinesis, String arn, Map<String, String> evidence) {
        Map<String, Streams.Entry> last = new HashMap<>();
        Streams.read(kinesis, arn).forEach(e -> last.put(e.shardId(), e));
        return last.values().stream()
                .filter(e -> !evidence.getOrDefault("kcl." + APP + ".lease." + e.shardId(), "")
                        .startsWith(e.sequenceNumber() + " "))
                .map(e -> e.partitionKey() + "|" + e.payload())
                .collect(Collectors.toSet());
    }

    private Set<String> union() {
        return new HashSet<>(processed);
    }

    /** The KCL evidence of the newest START_CONSUMERS step; it reported no skip. */
    private static Map<String, String> leaseEvidence(PairContext ctx, LocalPair pair) {
        Map<String, String> evidence = ctx.store().readAudit(pair.name, 200).stream()
                .filter(a -> a.message().equals("completed step START_CONSUMERS"))
                .map(AuditEntry::evidence)
                .findFirst()
                .orElseThrow();
        assertThat(evidence).containsEntry("kcl." + APP + ".skips", "0");
        return evidence;
    }

    /** {@code count} records from {@code from} on, {@code k<i % KEYS>} with the counter {@code i / KEYS}. */
    private static Set<String> produce(KinesisClient kinesis, String arn, int from, int count) {
        for (int batch = from; batch < from + count; batch += 500) {
            int base = batch;
            kinesis.putRecords(b -> b.streamARN(arn)
                    .records(IntStream.range(base, Math.min(base + 500, from + count))
                            .mapToObj(i -> PutRecordsRequestEntry.builder()
                                    .partitionKey(key(i))
                                    .data(SdkBytes.fromUtf8String(Integer.toString(i / KEYS)))
                                    .build())
                            .toList()));
        }
        return IntStream.range(from, from + count)
                .mapToObj(i -> key(i) + "|" + (i / KEYS))
                .collect(Collectors.toCollection(HashSet::new));
    }

    private static void report(
            String operation, String from, String to, int before, Resumed resumed, Map<String, String> evidence) {
        System.out.printf(
                "KCL %s RESULT: processed %d in %s, then %d in %s; duplicates %d (reported %s), skips "
                        + "reported %s; leases %s%n",
                operation.toUpperCase(),
                before,
                from,
                resumed.processed,
                to,
                resumed.duplicates,
                evidence.get("kcl." + APP + ".duplicates"),
                evidence.get("kcl." + APP + ".skips"),
                evidence.entrySet().stream()
                        .filter(e -> e.getKey().startsWith("kcl."))
                        .toList());
    }

    private static String key(int i) {
        return "k" + (i % KEYS);
    }
}
