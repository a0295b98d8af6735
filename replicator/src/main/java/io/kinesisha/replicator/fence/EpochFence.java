package io.kinesisha.replicator.fence;

import io.kinesisha.common.aws.AwsClientFactory;
import io.kinesisha.common.aws.AwsTarget;
import io.kinesisha.common.aws.ClientTuning;
import io.kinesisha.common.config.ReplicationSettings;
import io.kinesisha.common.control.ControlRecord;
import io.kinesisha.common.control.ControlStore;
import io.kinesisha.common.control.FenceAck;
import io.kinesisha.common.control.ReplicationDirection;
import io.kinesisha.replicator.sink.WriteGate;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * Makes a replicator "never write in a fenced direction": it may write only while the control record names the
 * direction and epoch the job was started under, as confirmed by a read younger than the lease. A daemon thread
 * reads the record (strongly consistent) every check interval; the sink asks {@link #permitsWrite()} from that
 * cache before each batch. When the controller moves the direction or bumps the epoch, or the control store
 * becomes unreachable, writing stops at the latest one lease (plus one request already in flight) later. The
 * controller therefore waits at least lease + the sink's request timeout after a flip before it trusts the old
 * direction to be silent (checked at config load, see {@link ReplicationSettings#longestWriteAfterFence()}).
 *
 * <p>With an owner (the job's run id) the gate also says when that wait is over early: once a read showed the
 * direction fenced - which never lifts, epochs only grow - and no request it permitted is in flight, it records a
 * {@link FenceAck} for its writer, and the controller ends the settle when every writer of the run has.
 */
public final class EpochFence implements WriteGate {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(EpochFence.class);

    private final String pairName;
    private final String controlTable;
    private final AwsTarget controlStore;
    private final String sourceRegion;
    private final String targetRegion;
    private final long epoch;
    private final long checkIntervalMillis;
    private final long leaseMillis;
    private final String owner;

    private transient ScheduledExecutorService scheduler;
    private transient AwsClientFactory clients;
    private transient DynamoDbClient dynamo;
    private transient ControlStore store;
    private transient volatile Observation last;
    private transient volatile String lastError;
    private transient AtomicInteger inFlight;
    private transient int subtask;
    private transient int parallelism;
    private transient volatile boolean acknowledged;

    private EpochFence(Builder b) {
        this.pairName = Objects.requireNonNull(b.pairName, "pairName");
        this.controlTable = Objects.requireNonNull(b.controlTable, "controlTable");
        this.controlStore = Objects.requireNonNull(b.controlStore, "controlStore");
        ReplicationDirection direction = Objects.requireNonNull(b.direction, "direction");
        this.sourceRegion = direction.sourceRegion();
        this.targetRegion = direction.targetRegion();
        this.epoch = b.epoch;
        this.checkIntervalMillis = b.checkInterval.toMillis();
        this.leaseMillis = b.lease.toMillis();
        this.owner = b.owner;
        if (checkIntervalMillis <= 0 || leaseMillis <= checkIntervalMillis) {
            throw new IllegalArgumentException(
                    "need 0 < check interval < lease, was " + b.checkInterval + ", " + b.lease);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    public ReplicationDirection direction() {
        return new ReplicationDirection(sourceRegion, targetRegion);
    }

    public long epoch() {
        return epoch;
    }

    public Duration lease() {
        return Duration.ofMillis(leaseMillis);
    }

    @Override
    public void open() {
        open(0, 1);
    }

    @Override
    public synchronized void open(int writerSubtask, int writers) {
        if (scheduler != null) {
            return;
        }
        subtask = writerSubtask;
        parallelism = writers;
        inFlight = new AtomicInteger();
        acknowledged = false;
        // each read must end well within the lease, so an unreachable store fences instead of hanging
        Duration attempt = Duration.ofMillis(Math.max(200, Math.min(leaseMillis / 2, 2_000)));
        clients = new AwsClientFactory(new ClientTuning(attempt, attempt, 1));
        dynamo = clients.dynamoDb(controlStore);
        store = new ControlStore(dynamo, controlTable);
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "epoch-fence-" + pairName);
            t.setDaemon(true);
            return t;
        });
        executor.scheduleWithFixedDelay(this::check, 0, checkIntervalMillis, TimeUnit.MILLISECONDS);
        scheduler = executor;
        LOG.info(
                "Epoch fence for pair {} opened: writing {} under epoch {}, control table {}, lease {} ms",
                pairName,
                direction(),
                epoch,
                controlTable,
                leaseMillis);
    }

    /** One read of the control record; the read's start time is what the lease counts from. */
    void check() {
        long started = System.nanoTime();
        try {
            Optional<ControlRecord> record = store.read(pairName);
            boolean permits = record.isPresent() && record.get().permitsReplication(direction(), epoch);
            Observation previous = last;
            String seen = record.map(r -> "direction " + r.direction() + ", epoch " + r.epoch())
                    .orElse("no control record");
            last = new Observation(started, permits, seen);
            lastError = null;
            if (!permits) {
                acknowledgeIfSilent();
            }
            if (previous == null || previous.permits != permits) {
                if (permits) {
                    LOG.info(
                            "Epoch fence for pair {}: writing {} under epoch {} is permitted ({})",
                            pairName,
                            direction(),
                            epoch,
                            seen);
                } else {
                    LOG.warn(
                            "Epoch fence for pair {}: writing {} under epoch {} is fenced ({})",
                            pairName,
                            direction(),
                            epoch,
                            seen);
                }
            }
        } catch (RuntimeException e) {
            if (lastError == null) {
                LOG.warn(
                        "Epoch fence for pair {}: cannot read the control record; writing stops when the lease of "
                                + "{} ms runs out: {}",
                        pairName,
                        leaseMillis,
                        e.toString());
            }
            lastError = e.getClass().getSimpleName() + ": " + e.getMessage();
        }
    }

    private void lastCheckBeforeClose() {
        Thread t = new Thread(this::check, "epoch-fence-close-" + pairName);
        t.setDaemon(true);
        t.start();
        boolean interrupted = Thread.interrupted();
        try {
            t.join(Math.max(200, Math.min(leaseMillis, 2_000)));
        } catch (InterruptedException e) {
            interrupted = true;
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Records this writer's {@link FenceAck} once, if a read showed the fence and nothing permitted is in flight. The
     * observation is published before the count is read and {@link #beginWrite()} counts before it reads the
     * observation, so a request is either counted here or refused there.
     */
    private void acknowledgeIfSilent() {
        if (owner == null || acknowledged || inFlight == null || inFlight.get() != 0) {
            return;
        }
        try {
            store.putFenceAck(
                    pairName,
                    new FenceAck(direction(), epoch, owner, subtask, parallelism, System.currentTimeMillis()));
            acknowledged = true;
            LOG.info(
                    "Epoch fence for pair {}: writer {} of {} acknowledged the fence of {} epoch {} (nothing in flight)",
                    pairName,
                    subtask,
                    parallelism,
                    direction(),
                    epoch);
        } catch (RuntimeException e) {
            LOG.warn(
                    "Epoch fence for pair {}: could not record the fence acknowledgement (the controller waits the "
                            + "whole settle): {}",
                    pairName,
                    e.toString());
        }
    }

    @Override
    public boolean beginWrite() {
        AtomicInteger count = inFlight;
        if (count == null) {
            return permitsWrite();
        }
        count.incrementAndGet();
        if (permitsWrite()) {
            return true;
        }
        count.decrementAndGet();
        return false;
    }

    @Override
    public void endWrite() {
        AtomicInteger count = inFlight;
        if (count != null) {
            count.decrementAndGet();
        }
    }

    @Override
    public boolean permitsWrite() {
        Observation o = last;
        return o != null && o.permits && System.nanoTime() - o.readAtNanos < TimeUnit.MILLISECONDS.toNanos(leaseMillis);
    }

    @Override
    public String reason() {
        Observation o = last;
        if (o == null) {
            return "control record not read yet" + (lastError == null ? "" : " (" + lastError + ")");
        }
        long ageMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - o.readAtNanos);
        if (ageMillis >= leaseMillis) {
            return "lease expired: last successful read " + ageMillis + " ms ago"
                    + (lastError == null ? "" : " (" + lastError + ")");
        }
        return (o.permits
                        ? "permitted: "
                        : "fenced: this job holds " + direction() + " epoch " + epoch + ", record has ")
                + o.seen;
    }

    @Override
    public synchronized void close() {
        if (scheduler != null) {
            scheduler.shutdownNow();
            scheduler = null;
        }
        if (owner != null && store != null && !acknowledged && inFlight != null && inFlight.get() == 0) {
            // a job cancelled because the fence moved on (the supervisor follows the record) may close before its
            // poller saw it: one last read, and the acknowledgement if it shows the fence - on a thread of its own,
            // the cancelled task's thread is interrupted and the SDK would abort the call
            lastCheckBeforeClose();
        }
        if (dynamo != null) {
            dynamo.close();
            dynamo = null;
        }
        if (clients != null) {
            clients.close();
            clients = null;
        }
        last = null;
    }

    @Override
    public String toString() {
        return "EpochFence{pair=" + pairName + ", " + direction() + ", epoch " + epoch + ", lease " + leaseMillis
                + " ms}";
    }

    private static final class Observation {
        final long readAtNanos;
        final boolean permits;
        final String seen;

        Observation(long readAtNanos, boolean permits, String seen) {
            this.readAtNanos = readAtNanos;
            this.permits = permits;
            this.seen = seen;
        }
    }

    /** Pair, control table and store, the direction and epoch the job holds; interval 1 s and lease 3 s by default. */
    public static final class Builder {
        private String pairName;
        private String controlTable;
        private AwsTarget controlStore;
        private ReplicationDirection direction;
        private long epoch;
        private Duration checkInterval = Duration.ofSeconds(1);
        private Duration lease = ReplicationSettings.FENCE_LEASE;
        private String owner;

        private Builder() {}

        public Builder pairName(String name) {
            this.pairName = name;
            return this;
        }

        public Builder controlTable(String table) {
            this.controlTable = table;
            return this;
        }

        public Builder controlStore(AwsTarget target) {
            this.controlStore = target;
            return this;
        }

        public Builder direction(ReplicationDirection heldDirection) {
            this.direction = heldDirection;
            return this;
        }

        public Builder epoch(long heldEpoch) {
            this.epoch = heldEpoch;
            return this;
        }

        public Builder checkInterval(Duration interval) {
            this.checkInterval = interval;
            return this;
        }

        public Builder lease(Duration leaseDuration) {
            this.lease = leaseDuration;
            return this;
        }

        /** The job's run id: its writers acknowledge a fence under it (none without an owner). */
        public Builder owner(String runId) {
            this.owner = runId;
            return this;
        }

        public EpochFence build() {
            return new EpochFence(this);
        }
    }
}
