package io.kinesisha.cli.demo;

import io.kinesisha.common.aws.AwsClientFactory;
import io.kinesisha.common.aws.AwsTarget;
import io.kinesisha.controller.kcl.CheckpointTranslator.TargetLease;
import io.kinesisha.controller.kcl.KclLeaseTable;
import io.kinesisha.controller.kcl.LeaseCheckpoint;
import io.kinesisha.testkit.KclConsumer;
import io.kinesisha.testkit.KeyedPayload;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.kinesis.KinesisClient;

/**
 * The demo's KCL application: a real KCL 3.x worker on the active region's stream with that region's lease table,
 * moved the way its operator would (see the runbooks): stopped before a switch writes its leases, started in the new
 * region after. What every worker processed is kept, so the report can count duplicates (records processed more
 * than once) and skips (acknowledged records never processed) for the KCL kind.
 */
public final class KclDemoApplication implements AutoCloseable {
    /** The application's name (its lease tables: {@link #leaseTable(String)}). */
    public static final String NAME = "demo-kcl";

    private static final Duration STOP_GRACE = Duration.ofSeconds(10);
    /**
     * A GetRecords per shard every second (up to 1,000 records, ten times the demo's rate): polling five times a
     * second kept the primary's emulator so busy that the controller's 500 ms probes of it failed in the warm-up.
     */
    private static final KclConsumer.Polling POLLING = new KclConsumer.Polling(1000, Duration.ofSeconds(1));

    private final AwsClientFactory clients;
    private final Map<String, AwsTarget> kinesis;
    private final AwsTarget leases;
    private final String streamName;
    private final Consumer<String> log;
    private final List<String> processed = new ArrayList<>();
    /** Per stopped worker: its region and what it processed. */
    private final List<Map.Entry<String, List<String>>> runs = new ArrayList<>();

    private KclConsumer worker;
    private String region;
    private int starts;

    /**
     * @param kinesis per region, where its stream is
     * @param leases  the DynamoDB holding every region's lease table (the local environment's control store)
     */
    public KclDemoApplication(
            AwsClientFactory clients,
            Map<String, AwsTarget> kinesis,
            AwsTarget leases,
            String streamName,
            Consumer<String> log) {
        this.clients = clients;
        this.kinesis = Map.copyOf(kinesis);
        this.leases = leases;
        this.streamName = streamName;
        this.log = log;
    }

    /** The lease table of the application in {@code region}. */
    public static String leaseTable(String region) {
        return NAME + "-leases-" + region;
    }

    /** The {@code consumers.kcl-applications} value naming this application's lease tables in both regions. */
    public static String configValue(String primary, String secondary) {
        return NAME + ":" + primary + "=" + leaseTable(primary) + "," + secondary + "=" + leaseTable(secondary);
    }

    /**
     * Writes the lease table of {@code region} as KCL's first shard sync would (a lease per shard at TRIM_HORIZON):
     * a worker on an empty lease table waits a random 1 to 30 s before that sync, longer than the demo's warm-up.
     */
    public void seedLeases(String region, KinesisClient kinesisClient, String streamArn) {
        List<TargetLease> shards = kinesisClient.listShards(b -> b.streamARN(streamArn)).shards().stream()
                .map(s -> new TargetLease(
                        s.shardId(),
                        LeaseCheckpoint.TRIM_HORIZON,
                        List.of(),
                        s.hashKeyRange().startingHashKey(),
                        s.hashKeyRange().endingHashKey(),
                        0,
                        0))
                .toList();
        try (DynamoDbClient dynamo = clients.dynamoDb(leases.withRegion(region))) {
            new KclLeaseTable(dynamo, leaseTable(region))
                    .write(shards, shards.stream().map(TargetLease::shardId).collect(Collectors.toSet()));
        }
    }

    /** Starts a worker against {@code region}'s stream (after stopping one still running). */
    public synchronized void startIn(String region) throws Exception {
        stop();
        this.region = region;
        worker = new KclConsumer(
                        clients,
                        kinesis.get(region),
                        leases.withRegion(region),
                        streamName,
                        NAME,
                        leaseTable(region),
                        POLLING)
                .start();
        starts++;
        log.accept("kcl: " + NAME + " started in " + region + " (lease table " + leaseTable(region) + ")");
    }

    /**
     * True when the running worker holds the leases of all {@code shards} shards and has processed a record: it is
     * reading, not still initializing (KCL 3.x builds its coordinator state, worker metrics and lease assignment
     * first), so a switch now moves an application that was working.
     */
    public synchronized boolean reading(int shards) {
        return worker != null && worker.heldShards().size() >= shards && !worker.processed.isEmpty();
    }

    /** Where the running worker is: its region, the shards it holds, what it processed. */
    public synchronized String state() {
        return worker == null
                ? "no worker running"
                : "worker in " + region + " holds " + worker.heldShards() + ", processed " + worker.processed.size()
                        + " record(s)";
    }

    /** Stops the worker, letting it checkpoint what it processed. */
    public void stop() throws Exception {
        stop(STOP_GRACE);
    }

    /** Stops the worker, gracefully within {@code grace} (a worker whose region is down cannot finish in time). */
    public synchronized void stop(Duration grace) throws Exception {
        if (worker == null) {
            return;
        }
        try {
            worker.close(grace);
        } finally {
            processed.addAll(worker.processed);
            runs.add(Map.entry(region, List.copyOf(worker.processed)));
            log.accept("kcl: " + NAME + " stopped in " + region + " after " + worker.processed.size() + " record(s)");
            worker = null;
        }
    }

    /** Every record processed so far, by every worker, duplicates included. */
    public synchronized List<String> ids() {
        List<String> all = new ArrayList<>(processed);
        if (worker != null) {
            all.addAll(worker.processed);
        }
        return all.stream()
                .map(KclDemoApplication::id)
                .flatMap(Optional::stream)
                .toList();
    }

    /** Those of {@code acknowledged} never processed. */
    public List<String> notSeen(Collection<String> acknowledged) {
        Set<String> seen = new HashSet<>(ids());
        return acknowledged.stream().filter(id -> !seen.contains(id)).sorted().toList();
    }

    /** Records processed more than once. */
    public long duplicates() {
        List<String> ids = ids();
        return ids.size() - new HashSet<>(ids).size();
    }

    /**
     * Per stopped worker, in start order: {@code <region> <n>}, the records it processed that an earlier worker had
     * processed or it processed twice (what each start cost, to set against what the controller expected).
     */
    public synchronized List<String> duplicatesPerStart() {
        Set<String> before = new HashSet<>();
        List<String> result = new ArrayList<>();
        for (Map.Entry<String, List<String>> run : runs) {
            long repeated = 0;
            Set<String> mine = new HashSet<>();
            for (String id : run.getValue().stream()
                    .map(KclDemoApplication::id)
                    .flatMap(Optional::stream)
                    .toList()) {
                repeated += before.contains(id) || !mine.add(id) ? 1 : 0;
            }
            before.addAll(mine);
            result.add(run.getKey() + " " + repeated);
        }
        return result;
    }

    public synchronized int starts() {
        return starts;
    }

    /** {@code <key>:<counter>} of a processed {@code partitionKey|data}. */
    private static Optional<String> id(String processed) {
        return KeyedPayload.parse(processed.substring(processed.indexOf('|') + 1))
                .map(p -> KeyedPayload.id(p.key(), p.counter()));
    }

    @Override
    public void close() throws Exception {
        stop();
    }
}
