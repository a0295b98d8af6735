package io.kinesisha.cli.drill;

import io.kinesisha.cli.demo.KclDemoApplication;
import io.kinesisha.cli.demo.Percentiles;
import io.kinesisha.cli.demo.Timeline;
import io.kinesisha.common.aws.AwsClientFactory;
import io.kinesisha.common.aws.ClientTuning;
import io.kinesisha.common.config.ReplicationPairConfig;
import io.kinesisha.common.control.ActiveRegionResolver;
import io.kinesisha.common.control.AuditEntry;
import io.kinesisha.common.control.ControlRecord;
import io.kinesisha.common.control.ReplicationDirection;
import io.kinesisha.common.control.RepublishBatch;
import io.kinesisha.common.control.ShardProgress;
import io.kinesisha.controller.consumers.ConsumerKindReport;
import io.kinesisha.controller.consumers.ConsumerPosition;
import io.kinesisha.controller.consumers.LambdaStart;
import io.kinesisha.controller.operations.OperationDriver;
import io.kinesisha.controller.operations.PairContext;
import io.kinesisha.controller.operations.ReplicationBarrier;
import io.kinesisha.controller.runtime.ControllerLoop;
import io.kinesisha.controller.runtime.ControllerTick;
import io.kinesisha.controller.runtime.EvidenceCollector;
import io.kinesisha.replicator.follow.ReplicatorSupervisor;
import io.kinesisha.testkit.KeyedLoad;
import io.kinesisha.testkit.LocalEnvironment;
import io.kinesisha.testkit.OrderCheckingConsumer;
import io.kinesisha.testkit.StreamContents;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import software.amazon.awssdk.services.kinesis.KinesisClient;

/**
 * A game day on one machine: two emulated regions, the replicator following the control record, a keyed load
 * following the resolver, optionally consumers (one checking order that switches as a Lambda mapping would, and a
 * real KCL application whose leases the controller translates), and the controller loop with automation on. The
 * primary is stopped (SIGTERM, data kept), the controller fails over on its own, the primary comes back, failback
 * runs, the load stops, and both streams are checked record by record. The drill and the demo are this.
 */
public final class GameDay implements AutoCloseable {
    /** How big and how long. */
    public record Settings(
            Duration duration,
            int rate,
            int keys,
            int shards,
            boolean consumer,
            boolean kcl,
            Path workDir,
            String primaryRegion,
            String secondaryRegion) {
        public Settings {
            if (duration.compareTo(Duration.ofSeconds(20)) < 0) {
                throw new IllegalArgumentException(
                        "--duration must be at least 20s, was " + duration.toSeconds() + "s");
            }
            if (rate < 1 || rate > 5000) {
                throw new IllegalArgumentException("--rate must be 1..5000 records/s, was " + rate);
            }
            if (keys < 1 || keys > 100_000) {
                throw new IllegalArgumentException("--keys must be 1..100000, was " + keys);
            }
            if (shards < 1 || shards > 16) {
                throw new IllegalArgumentException("--shards must be 1..16, was " + shards);
            }
        }
    }

    static final String PAIR = "gameday";
    private static final Duration STEP_TIMEOUT = Duration.ofMinutes(3);
    /** How long a KCL worker may take to hold its leases and read (KclFailoverTest allows the same). */
    private static final Duration KCL_START_TIMEOUT = Duration.ofSeconds(90);
    /** How long a refused failback (the restarted primary not yet answering every probe) is tried again. */
    private static final Duration FAILBACK_RETRY = Duration.ofSeconds(60);

    /** The failback runs in this process: the loop must not take it over as an orphaned operation meanwhile. */
    private static final Duration FAILBACK_TIMEOUT = Duration.ofMinutes(10);

    private final Settings settings;
    private final Consumer<String> log;
    private final List<AutoCloseable> resources = new ArrayList<>();
    private final Timeline timeline = new Timeline();
    private final List<LambdaStart> consumerStarts = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final List<ConsumerKindReport> consumerKinds = new ArrayList<>();
    private volatile String phase = "starting";
    private volatile boolean stopped;
    private LocalEnvironment env;

    public GameDay(Settings settings, Consumer<String> log) {
        this.settings = settings;
        this.log = log;
    }

    public Timeline timeline() {
        return timeline;
    }

    public String phase() {
        return phase;
    }

    public GameDayReport run() throws Exception {
        long started = System.nanoTime();
        phase("starting two regions");
        env = LocalEnvironment.builder()
                .region(settings.primaryRegion())
                .region(settings.secondaryRegion())
                .workDir(settings.workDir())
                .start();
        resources.add(env);
        String primary = settings.primaryRegion();
        String secondary = settings.secondaryRegion();
        String primaryArn = env.region(primary).createStream("orders", settings.shards());
        String secondaryArn = env.region(secondary).createStream("orders", settings.shards());
        ReplicationPairConfig config = ReplicationPairConfig.fromMap(config(primaryArn, secondaryArn));

        AwsClientFactory clients =
                closing(new AwsClientFactory(new ClientTuning(Duration.ofMillis(1500), Duration.ofMillis(1000), 1)));
        KinesisClient west = closing(clients.kinesis(env.region(primary).target()));
        KinesisClient east = closing(clients.kinesis(env.region(secondary).target()));
        Map<String, KinesisClient> kinesis = Map.of(primary, west, secondary, east);
        Map<String, String> arns = Map.of(primary, primaryArn, secondary, secondaryArn);

        phase("starting the replicator");
        ReplicatorSupervisor replicator =
                closing(new ReplicatorSupervisor(config, 2, Duration.ofSeconds(1), line -> log.accept(line)));
        replicator.start();
        PairContext ctx = closing(PairContext.open(config, "controller:gameday", Clock.systemUTC()));
        waitFor(
                "the control record",
                Duration.ofSeconds(60),
                () -> ctx.store().read(PAIR).isPresent());
        // producers and consumers look at the control record every 250 ms: the switch reaches them within that
        ActiveRegionResolver resolver =
                closing(new ActiveRegionResolver(ctx.store(), PAIR, Duration.ofMillis(250)).start());
        KeyedLoad load = closing(KeyedLoad.builder(resolver)
                .region(primary, west, primaryArn)
                .region(secondary, east, secondaryArn)
                .keys(settings.keys())
                .ratePerSecond(settings.rate())
                .build());
        java.util.concurrent.atomic.AtomicReference<OrderCheckingConsumer> self =
                new java.util.concurrent.atomic.AtomicReference<>();
        OrderCheckingConsumer consumer = settings.consumer()
                ? closing(OrderCheckingConsumer.builder(resolver)
                        .region(primary, west, primaryArn)
                        .region(secondary, east, secondaryArn)
                        .switchStart(change -> consumerStart(
                                ctx, change.to(), self.get().readUpTo().orElse(null)))
                        .build())
                : null;
        self.set(consumer);
        // the environment's clients (SDK retries): the load's quick-failing ones would fail the KCL worker's start
        KclDemoApplication kcl = settings.kcl()
                ? closing(new KclDemoApplication(
                        env.clients(),
                        Map.of(
                                primary,
                                env.region(primary).target(),
                                secondary,
                                env.region(secondary).target()),
                        env.controlStoreTarget(primary),
                        "orders",
                        line -> log.accept(line)))
                : null;
        EvidenceCollector evidence = closing(new EvidenceCollector(ctx, false));
        ControllerLoop loop = closing(new ControllerLoop(
                new ControllerTick(ctx, evidence, l -> log.accept("controller: " + l), FAILBACK_TIMEOUT),
                config.health().probeInterval(),
                r -> {},
                e -> log.accept("controller round failed: " + e.getMessage())));
        timeline.startSampling(
                load::acknowledgedCount,
                () -> consumer == null ? 0 : consumer.consumedCount(),
                () -> lag(ctx),
                () -> resolver.activeRegion());
        resources.add(timeline);

        Duration d = settings.duration();
        phase("warm-up: load on " + primary + ", replicating to " + secondary);
        load.start();
        if (consumer != null) {
            consumer.start();
        }
        if (kcl != null) {
            kcl.seedLeases(primary, west, primaryArn);
            kcl.startIn(primary);
            // its start (a few seconds of busy threads) before the controller probes: not taken for an outage
            awaitKclReading(kcl, primary);
        }
        loop.start();
        pause(max(d.multipliedBy(25).dividedBy(100), Duration.ofSeconds(5)));
        waitFor(
                "forward replication",
                Duration.ofSeconds(60),
                () -> replicated(
                                ctx,
                                new ReplicationDirection(primary, secondary),
                                ctx.control().read(PAIR).epoch())
                        > 0);

        phase("outage: " + primary + " stopped (SIGTERM)");
        Instant outageAt = Instant.now();
        timeline.mark(Timeline.OUTAGE, outageAt);
        CompletableFuture<Void> down =
                CompletableFuture.runAsync(() -> env.region(primary).stop());
        if (kcl != null) {
            kcl.stop(Duration.ofSeconds(1)); // its worker goes down with the region
        }
        waitFor("automatic failover", STEP_TIMEOUT, () -> {
            ControlRecord r = ctx.control().read(PAIR);
            return r.activeRegion().equals(secondary) && r.operation() == null;
        });
        Instant failedOver = Instant.now();
        List<AuditEntry> trail = ctx.store().readAudit(PAIR, 500);
        Instant decision = trail.stream()
                .filter(a -> a.message().contains("--PRIMARY_UNHEALTHY--> FAILING_OVER"))
                .map(AuditEntry::at)
                .min(Instant::compareTo)
                .orElse(failedOver);
        timeline.mark(Timeline.FAILOVER_DETECTED, decision);
        timeline.mark(Timeline.FAILOVER_DONE, failedOver);
        down.get(2, TimeUnit.MINUTES);
        if (kcl != null) {
            kcl.startIn(secondary); // the failover wrote its leases for the secondary
        }
        phase("running on " + secondary + " while " + primary + " is down");
        pause(max(d.multipliedBy(30).dividedBy(100), Duration.ofSeconds(5)));
        if (kcl != null) {
            awaitKclReading(kcl, secondary); // before the failback stops it: its leases then carry what it read
        }

        phase("primary back: " + primary + " restarted with its data");
        env.region(primary).start();
        Instant restored = Instant.now();
        timeline.mark(Timeline.PRIMARY_RESTORED, restored);
        phase("failback to " + primary);
        if (kcl != null) {
            kcl.stop(); // before the failback writes its leases in the primary (runbooks/failback.md)
        }
        OperationDriver driver = new OperationDriver(ctx, line -> log.accept("failback: " + line));
        OperationDriver.Report failback = driver.failback(Duration.ofSeconds(3), "game day");
        // refused with nothing changed (a probe of the restarted primary timed out): an operator tries again
        Instant retryUntil = Instant.now().plus(FAILBACK_RETRY);
        while (failback.result() == OperationDriver.Result.REJECTED
                && !stopped
                && Instant.now().isBefore(retryUntil)) {
            log.accept("failback refused, nothing changed (" + failback.message() + "); trying again in 2 s");
            pause(Duration.ofSeconds(2));
            failback = driver.failback(Duration.ofSeconds(3), "game day");
        }
        if (failback.result() != OperationDriver.Result.COMPLETED) {
            throw new IllegalStateException(
                    "failback did not complete: " + failback.result() + " - " + failback.message());
        }
        Instant failedBack = Instant.now();
        timeline.mark(Timeline.FAILBACK_DONE, failedBack);
        if (kcl != null) {
            kcl.startIn(primary);
        }
        phase("running on " + primary + " again, replicating to " + secondary);
        pause(max(d.multipliedBy(20).dividedBy(100), Duration.ofSeconds(5)));

        phase("stopping the load, draining replication");
        load.close();
        ControlRecord end = ctx.control().read(PAIR);
        ReplicationBarrier barrier = new ReplicationBarrier(ctx.store(), west, primaryArn, PAIR, Clock.systemUTC())
                .withBase(ctx.ledger()
                        .latestCut(PAIR, primary, end.epoch())
                        .map(c -> c.tips())
                        .orElse(Map.of()));
        waitFor(
                "replication to drain",
                STEP_TIMEOUT,
                () -> barrier.check(end.direction(), end.epoch()).drained());
        if (consumer != null) {
            waitFor(
                    "the consumer to catch up",
                    STEP_TIMEOUT,
                    () -> consumer.stats().caughtUp());
        }
        if (kcl != null) {
            Set<String> acked =
                    load.acknowledged().stream().map(KeyedLoad.Ack::id).collect(Collectors.toSet());
            try {
                waitFor(
                        "the KCL application to catch up",
                        STEP_TIMEOUT,
                        () -> kcl.notSeen(acked).isEmpty());
            } catch (IllegalStateException e) {
                throw new IllegalStateException(
                        e.getMessage() + "; " + kcl.state() + "; not processed: "
                                + unprocessed(load.acknowledged(), Set.copyOf(kcl.notSeen(acked))),
                        e);
            }
            kcl.stop();
        }
        loop.close();

        phase("verifying both streams");
        GameDayReport report = verify(
                ctx,
                load,
                consumer,
                kcl,
                kinesis,
                arns,
                outageAt,
                decision,
                restored,
                failedBack,
                Duration.ofNanos(System.nanoTime() - started));
        phase("done");
        return report;
    }

    private GameDayReport verify(
            PairContext ctx,
            KeyedLoad load,
            OrderCheckingConsumer consumer,
            KclDemoApplication kcl,
            Map<String, KinesisClient> kinesis,
            Map<String, String> arns,
            Instant outageAt,
            Instant decision,
            Instant restored,
            Instant failedBack,
            Duration took) {
        String primary = settings.primaryRegion();
        String secondary = settings.secondaryRegion();
        StreamContents inPrimary = StreamContents.read(kinesis.get(primary), arns.get(primary));
        StreamCheck p = StreamCheck.of(inPrimary);
        StreamCheck s = StreamCheck.of(StreamContents.read(kinesis.get(secondary), arns.get(secondary)));
        List<KeyedLoad.Ack> acks = load.acknowledged();
        Set<String> ackedByPrimary = acks.stream()
                .filter(a -> a.region().equals(primary))
                .map(KeyedLoad.Ack::id)
                .collect(Collectors.toSet());
        Set<String> ackedBySecondary = acks.stream()
                .filter(a -> a.region().equals(secondary))
                .map(KeyedLoad.Ack::id)
                .collect(Collectors.toSet());

        // orphans: what the ledger says was found and copied, as payloads
        Map<String, String> primaryPayloadAt = new LinkedHashMap<>();
        inPrimary
                .byShard()
                .forEach((shardId, records) -> records.forEach(
                        r -> primaryPayloadAt.put(shardId + "@" + r.sequenceNumber(), StreamContents.payload(r))));
        List<AuditEntry> trail = ctx.store().readAudit(PAIR, 1000);
        AuditEntry reconcile = trail.stream()
                .filter(a -> a.message().equals("completed step RECONCILE_ORPHANS"))
                .findFirst()
                .orElse(null);
        Set<String> orphanPayloads = new HashSet<>();
        ctx.ledger()
                .latestCut(PAIR, secondary, Long.MAX_VALUE / 2)
                .ifPresent(cut -> ctx.ledger().batches(PAIR, cut.epoch()).stream()
                        .filter(b -> b.state() == RepublishBatch.State.COPIED)
                        .forEach(b -> b.orphanIds().forEach(id -> orphanPayloads.add(primaryPayloadAt.get(id)))));
        orphanPayloads.remove(null);

        Instant firstSecondaryAck = acks.stream()
                .filter(a -> a.region().equals(secondary) && a.at().isAfter(outageAt))
                .map(KeyedLoad.Ack::at)
                .min(Instant::compareTo)
                .orElse(null);
        Map<String, Instant> completed = new LinkedHashMap<>();
        trail.stream()
                .filter(a -> a.evidence().getOrDefault("operation", "").startsWith("FAILBACK"))
                .filter(a -> a.message().startsWith("completed step "))
                .forEach(a -> completed.putIfAbsent(a.message().substring("completed step ".length()), a.at()));
        Instant paused = completed.get("PAUSE_PRODUCERS");
        Instant resumed = completed.get("RESUME_PRODUCERS");
        Percentiles lag = Percentiles.of(timeline.lagValues());

        Set<String> acked = new HashSet<>(ackedByPrimary);
        acked.addAll(ackedBySecondary);
        List<String> lostPrimary =
                acked.stream().filter(id -> !p.ids.contains(id)).sorted().collect(Collectors.toList());
        List<String> lostSecondary =
                acked.stream().filter(id -> !s.ids.contains(id)).sorted().collect(Collectors.toList());
        // in doubt: a write that timed out at the outage but landed in the primary, then was retried to the secondary
        Set<String> inDoubt = ackedBySecondary.stream()
                .filter(p.ids::contains)
                .filter(id -> !reverseCopied(id, p))
                .collect(Collectors.toSet());
        Set<String> primaryOnlyAcks = new HashSet<>(ackedByPrimary);
        Set<String> secondaryOnlyAcks = new HashSet<>(ackedBySecondary);
        primaryOnlyAcks.removeAll(inDoubt);
        secondaryOnlyAcks.removeAll(inDoubt);
        long unexpectedLateInSecondary =
                s.lateIds.stream().filter(id -> !orphanPayloads.contains(id)).count();
        // a false orphan: not acknowledged by the primary from a producer, or already held by the secondary
        long falseOrphans = orphanPayloads.stream()
                .filter(id -> !inDoubt.contains(id))
                .filter(id -> !ackedByPrimary.contains(id) || s.occurrences(id) > 1)
                .count();

        GameDayReport.Consumed consumed = null;
        if (consumer != null) {
            OrderCheckingConsumer.Stats st = consumer.stats();
            List<String> notSeen = consumer.notSeen(acked);
            consumed = new GameDayReport.Consumed(
                    st.consumed(),
                    st.distinct(),
                    st.duplicates(),
                    st.reorders(),
                    notSeen.size(),
                    notSeen.stream().limit(5).collect(Collectors.toList()));
            long widest = consumerStarts.stream()
                    .mapToLong(x -> x.duplicateWindow().toMillis())
                    .max()
                    .orElse(0);
            consumerKinds.add(new ConsumerKindReport(
                    "lambda (simulated)",
                    1,
                    st.duplicates(),
                    notSeen.size(),
                    "the checking consumer switches as an event source mapping: AT_TIMESTAMP planned from its own "
                            + "position, " + consumerStarts.size() + " switch(es), margin "
                            + LambdaStart.DEFAULT_MARGIN.toMillis() + " ms, expected duplicates within " + widest
                            + " ms of a start; measured"));
        }
        if (kcl != null) {
            consumerKinds.add(kclKind(trail, kcl, acked));
        }
        return new GameDayReport(
                primary,
                secondary,
                settings.duration().toSeconds(),
                settings.rate(),
                settings.keys(),
                settings.shards(),
                load.stats().produced(),
                acks.size(),
                ackedByPrimary.size(),
                ackedBySecondary.size(),
                ackedByPrimary.stream().filter(s.ids::contains).count(),
                ackedBySecondary.stream().filter(p.ids::contains).count(),
                lostPrimary.size(),
                lostSecondary.size(),
                lostPrimary.stream().limit(5).collect(Collectors.toList()),
                lostSecondary.stream().limit(5).collect(Collectors.toList()),
                p.duplicates,
                s.duplicates,
                p.repeated(primaryOnlyAcks) + s.repeated(secondaryOnlyAcks),
                inDoubt.size(),
                p.lateIds.size(),
                s.lateIds.size(),
                unexpectedLateInSecondary,
                reconcile == null ? 0 : Long.parseLong(reconcile.evidence().getOrDefault("orphans.count", "0")),
                reconcile == null ? 0 : Long.parseLong(reconcile.evidence().getOrDefault("orphans.copied", "0")),
                falseOrphans,
                reconcile == null
                        ? 0
                        : Integer.parseInt(reconcile.evidence().getOrDefault("orphans.keysOrderedAfterNewer", "0")),
                reconcile == null ? "none" : reconcile.evidence().getOrDefault("orphans.policy", "?"),
                Duration.between(outageAt, decision).toMillis(),
                firstSecondaryAck == null
                        ? -1
                        : Duration.between(outageAt, firstSecondaryAck).toMillis(),
                paused == null || resumed == null
                        ? -1
                        : Duration.between(paused, resumed).toMillis(),
                Duration.between(restored, failedBack).toMillis(),
                lag.isEmpty() ? -1 : lag.p50(),
                lag.isEmpty() ? -1 : lag.p99(),
                consumed,
                took.toMillis(),
                List.copyOf(consumerKinds));
    }

    /**
     * The KCL kind, measured: duplicates are records its workers processed more than once, skips acknowledged records
     * none processed; the detail gives what the controller expected at each switch (its START_CONSUMERS evidence).
     */
    private static ConsumerKindReport kclKind(List<AuditEntry> trail, KclDemoApplication kcl, Set<String> acked) {
        String p = "kcl." + KclDemoApplication.NAME + ".";
        List<String> switches = new ArrayList<>();
        trail.stream()
                .filter(a -> a.message().equals("completed step START_CONSUMERS"))
                .filter(a -> a.evidence().containsKey(p + "duplicates"))
                .sorted(java.util.Comparator.comparing(AuditEntry::at))
                .forEach(a -> switches.add(
                        a.evidence().get(p + "table") + ": " + a.evidence().get(p + "duplicates") + " expected ("
                                + a.evidence().getOrDefault(p + "method", "?").replaceFirst("[ :].*", "") + ")"));
        return new ConsumerKindReport(
                "kcl",
                1,
                kcl.duplicates(),
                kcl.notSeen(acked).size(),
                "a KCL 3.x application, " + kcl.starts() + " start(s); its leases translated by the controller per "
                        + "switch, duplicates " + String.join(", ", switches) + "; measured per start: "
                        + String.join(", ", kcl.duplicatesPerStart()));
    }

    /** True when {@code id} is in the primary once per copy reverse replication made (not an extra landing). */
    private static boolean reverseCopied(String id, StreamCheck primary) {
        return primary.occurrences(id) < 2;
    }

    /**
     * The demo's consumer switches as a Lambda mapping does: AT_TIMESTAMP of {@link LambdaStart} from its own position
     * in the old region, through the progress rows of the direction the new region's cut fenced. Without a cut, at the
     * position the controller's last fence translated.
     */
    private Instant consumerStart(PairContext ctx, String to, Instant readUpTo) {
        ControlRecord record = ctx.store().read(PAIR).orElse(null);
        java.util.Optional<io.kinesisha.common.control.StreamCut> cut =
                record == null ? java.util.Optional.empty() : ctx.ledger().latestCut(PAIR, to, record.epoch());
        if (cut.isPresent() && cut.get().fencedDirection() != null) {
            ConsumerPosition position = readUpTo == null
                    ? ConsumerPosition.unknown("demo consumer", "never read every shard")
                    : new ConsumerPosition("demo consumer", readUpTo, "its own last read");
            LambdaStart start = LambdaStart.plan(
                    position,
                    ctx.store()
                            .readProgress(
                                    PAIR, cut.get().fencedDirection(), cut.get().fencedEpoch()),
                    cut.get().takenAt(),
                    LambdaStart.DEFAULT_MARGIN);
            consumerStarts.add(start);
            log.accept("consumer: switching to " + to + " at " + start.timestamp() + " (" + start.method() + ")");
            return start.timestamp();
        }
        return ctx.store().readAudit(PAIR, 200).stream()
                .filter(a -> a.message().equals("completed step FENCE_REPLICATION"))
                .map(a -> a.evidence().get("consumer.startTimestamp"))
                .filter(v -> v != null)
                .findFirst()
                .map(Instant::parse)
                .orElse(null);
    }

    /** Replication lag now: per shard, arrival of the last replicated record to its confirmation (busy shards). */
    private static Long lag(PairContext ctx) {
        ControlRecord r = ctx.store().read(PAIR).orElse(null);
        if (r == null || r.direction() == null) {
            return null;
        }
        List<ShardProgress> rows = ctx.store().readProgress(PAIR, r.direction(), r.epoch());
        long lag = -1;
        for (ShardProgress row : rows) {
            long sinceArrival = row.updatedEpochMillis() - row.lastArrivalEpochMillis();
            lag = Math.max(
                    lag,
                    sinceArrival > 5_000 ? row.millisBehindLatest() : Math.max(sinceArrival, row.millisBehindLatest()));
        }
        return lag < 0 ? null : lag;
    }

    private static long replicated(PairContext ctx, ReplicationDirection direction, long epoch) {
        return ctx.store().readProgress(PAIR, direction, epoch).stream()
                .mapToLong(ShardProgress::recordsReplicated)
                .sum();
    }

    private Map<String, String> config(String primaryArn, String secondaryArn) {
        Map<String, String> k = new LinkedHashMap<>();
        k.put("pair.name", PAIR);
        k.put("primary.stream-arn", primaryArn);
        k.put(
                "primary.endpoint",
                env.region(settings.primaryRegion()).kinesisEndpoint().toString());
        k.put("secondary.stream-arn", secondaryArn);
        k.put(
                "secondary.endpoint",
                env.region(settings.secondaryRegion()).kinesisEndpoint().toString());
        k.put("control.endpoint", env.controlStoreEndpoint().toString());
        k.put("control.table-name", "kinesis-ha-gameday");
        k.put("replication.consumer-name", "kinesis-ha-gameday");
        k.put("replication.checkpoint-interval-ms", "2000");
        k.put("replication.shard-discovery-interval-ms", "2000");
        // three misses 1 s apart (about 2 s to decide): probing faster failed over during the warm-up, when the busy
        // emulators can take over 500 ms to answer for a second or two
        k.put("health.probe-interval-ms", "1000");
        k.put("health.probe-timeout-ms", "500");
        k.put("health.consecutive-bad-evaluations", "3");
        k.put("health.min-dwell-minutes", "0");
        k.put("aws.credentials", "static");
        k.put("aws.access-key-id", env.region(settings.primaryRegion()).accountId());
        k.put("aws.secret-access-key", "local-secret");
        // the emulator can take seconds for a 500-record PutRecords under load (AWS: tens of milliseconds); at the game
        // day's rates requests stay small, so 5 s bounds them; the settle time must cover the fence lease (3 s) plus
        // that (checked at config load), and the failover's RTO includes it
        k.put("replication.sink-request-timeout-ms", "5000");
        k.put("failover.fence-settle-ms", "8000");
        if (settings.kcl()) {
            k.put(
                    "consumers.kcl-applications",
                    KclDemoApplication.configValue(settings.primaryRegion(), settings.secondaryRegion()));
        }
        return k;
    }

    private void phase(String name) {
        phase = name;
        log.accept("phase: " + name);
    }

    private void pause(Duration d) throws InterruptedException {
        long until = System.nanoTime() + d.toNanos();
        while (!stopped && System.nanoTime() < until) {
            TimeUnit.MILLISECONDS.sleep(
                    Math.min(200, Math.max(1, TimeUnit.NANOSECONDS.toMillis(until - System.nanoTime()))));
        }
        if (stopped) {
            throw new InterruptedException("stopped");
        }
    }

    private void waitFor(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String lastError = null;
        while (!stopped) {
            try {
                if (condition.getAsBoolean()) {
                    return;
                }
            } catch (RuntimeException e) {
                lastError = e.getMessage();
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out after " + timeout.toSeconds() + " s waiting for " + what
                        + (lastError == null ? "" : " (last error: " + lastError + ")"));
            }
            TimeUnit.MILLISECONDS.sleep(250);
        }
        throw new InterruptedException("stopped");
    }

    /** Where and when the acknowledged records none of the KCL workers processed were written. */
    private static String unprocessed(List<KeyedLoad.Ack> acks, Set<String> missing) {
        Map<String, List<KeyedLoad.Ack>> byRegion = acks.stream()
                .filter(a -> missing.contains(a.id()))
                .collect(Collectors.groupingBy(KeyedLoad.Ack::region));
        return byRegion.entrySet().stream()
                .map(e -> e.getValue().size() + " acknowledged by " + e.getKey() + " between "
                        + e.getValue().stream()
                                .map(KeyedLoad.Ack::at)
                                .min(Instant::compareTo)
                                .orElseThrow() + " and "
                        + e.getValue().stream()
                                .map(KeyedLoad.Ack::at)
                                .max(Instant::compareTo)
                                .orElseThrow()
                        + " (e.g. "
                        + e.getValue().stream().map(KeyedLoad.Ack::id).limit(5).toList() + ")")
                .collect(Collectors.joining("; "));
    }

    /**
     * Waits until the KCL worker holds its leases and reads: a KCL 3.x worker initializes for a few seconds (longer
     * on a loaded machine), and a switch before that would move an application that never read.
     */
    private void awaitKclReading(KclDemoApplication kcl, String region) throws InterruptedException {
        long started = System.nanoTime();
        try {
            waitFor(
                    "the KCL worker in " + region + " to hold its leases and read",
                    KCL_START_TIMEOUT,
                    () -> kcl.reading(settings.shards()));
        } catch (IllegalStateException e) {
            throw new IllegalStateException(e.getMessage() + "; " + kcl.state(), e);
        }
        log.accept("kcl: " + kcl.state() + " (waited "
                + Duration.ofNanos(System.nanoTime() - started).toMillis() + " ms for it)");
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    private <T extends AutoCloseable> T closing(T resource) {
        resources.add(resource);
        return resource;
    }

    /** Stops everything, newest first (the environment last); safe to call from a shutdown hook. */
    @Override
    public synchronized void close() {
        stopped = true;
        for (int i = resources.size() - 1; i >= 0; i--) {
            try {
                resources.get(i).close();
            } catch (Exception e) {
                log.accept("stopping " + resources.get(i).getClass().getSimpleName() + ": " + e.getMessage());
            }
        }
        resources.clear();
    }
}
