package io.kinesisha.replicator.fence;

import io.kinesisha.common.aws.AwsClientFactory;
import io.kinesisha.common.aws.AwsTarget;
import io.kinesisha.common.aws.ClientTuning;
import io.kinesisha.common.control.ControlStore;
import io.kinesisha.common.control.ReplicationDirection;
import io.kinesisha.common.control.RunnerLease;
import io.kinesisha.replicator.source.ReadLease;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * One replicator job per direction and epoch: a lease row in the control table, taken by the job's source before it
 * reads anything and renewed at every shard discovery. A second job (an upgrade overlap, {@code replicate --follow}
 * beside Managed Flink) finds it held and stops without subscribing, instead of stealing subscriptions and writing
 * twice. The lease is released when the job stops; a job that died lets it expire after {@link #TTL}. A job that
 * finds it held before it ever held it waits while the holder does not renew it: a job stopped with a savepoint whose
 * release failed (its class loader closed under it on a Flink cluster) must not make the resumed job fail for good.
 */
public final class JobLease implements ReadLease {
    private static final long serialVersionUID = 1L;
    /** Several discovery intervals: a job that stops renewing has surely stopped reading by then. */
    public static final Duration TTL = Duration.ofSeconds(60);

    private final String pairName;
    private final String controlTable;
    private final AwsTarget controlStore;
    private final ClientTuning tuning;
    private final String name;
    private final String owner;
    private final String description;
    private Duration ttl = TTL;
    private transient volatile String lastHolder;
    /** Set once this run held the lease: from then on, another holder means it was lost. */
    private transient volatile boolean held;
    /** The other run's lease as first seen while this run never held it: waited for while it does not change. */
    private transient volatile RunnerLease waitingFor;

    public JobLease(
            String pairName,
            String controlTable,
            AwsTarget controlStore,
            ClientTuning tuning,
            ReplicationDirection direction,
            long epoch,
            String owner) {
        this.pairName = Objects.requireNonNull(pairName, "pairName");
        this.controlTable = Objects.requireNonNull(controlTable, "controlTable");
        this.controlStore = Objects.requireNonNull(controlStore, "controlStore");
        this.tuning = Objects.requireNonNull(tuning, "tuning");
        this.name = io.kinesisha.common.control.FenceAck.jobLeaseName(direction, epoch);
        this.owner = Objects.requireNonNull(owner, "owner");
        this.description =
                "replicator " + direction + " epoch " + epoch + ", run " + owner + " started " + Instant.now();
    }

    /** Gives the lease a shorter life than {@link #TTL} (tests). */
    JobLease expiringAfter(Duration timeToLive) {
        this.ttl = Objects.requireNonNull(timeToLive, "timeToLive");
        return this;
    }

    /** The lease row's name: one per direction and epoch. */
    public String name() {
        return name;
    }

    @Override
    public Renewal renew() {
        try (AwsClientFactory clients = new AwsClientFactory(tuning);
                DynamoDbClient dynamo = clients.dynamoDb(controlStore)) {
            ControlStore store = new ControlStore(dynamo, controlTable);
            long now = System.currentTimeMillis();
            if (store.acquireLease(pairName, name, owner, now, ttl.toMillis(), description)) {
                held = true;
                waitingFor = null;
                return Renewal.HELD;
            }
            Optional<RunnerLease> other = store.readLease(pairName, name);
            lastHolder = other.map(RunnerLease::toString).orElse("unknown holder");
            if (held || other.isEmpty()) {
                return Renewal.HELD_BY_ANOTHER;
            }
            RunnerLease seen = waitingFor;
            if (seen == null || !seen.owner().equals(other.get().owner())) {
                waitingFor = other.get();
                return Renewal.WAITING;
            }
            return seen.acquiredEpochMillis() == other.get().acquiredEpochMillis()
                    ? Renewal.WAITING
                    : Renewal.HELD_BY_ANOTHER;
        }
    }

    @Override
    public String holder() {
        return lastHolder == null ? "unknown holder" : lastHolder;
    }

    @Override
    public void release() {
        try (AwsClientFactory clients = new AwsClientFactory(tuning);
                DynamoDbClient dynamo = clients.dynamoDb(controlStore)) {
            new ControlStore(dynamo, controlTable).releaseLease(pairName, name, owner, System.currentTimeMillis());
        }
    }

    @Override
    public String toString() {
        return "JobLease{" + pairName + " " + name + " owner " + owner + "}";
    }
}
