package io.kinesisha.replicator;

import io.kinesisha.common.aws.AwsClientFactory;
import io.kinesisha.common.aws.AwsTarget;
import io.kinesisha.common.aws.AwsTargets;
import io.kinesisha.common.aws.ClientTuning;
import io.kinesisha.common.config.RegionConfig;
import io.kinesisha.common.config.ReplicationPairConfig;
import io.kinesisha.common.control.ControlRecord;
import io.kinesisha.common.control.ControlStore;
import io.kinesisha.common.control.ReplicationDirection;
import io.kinesisha.common.control.ReplicationLedger;
import io.kinesisha.replicator.sink.RecordLimits;
import io.kinesisha.replicator.source.split.ShardStartingPosition;
import java.io.Serializable;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.DescribeStreamSummaryResponse;

/**
 * What one replicator job does, fixed when the job is submitted: the direction, the epoch it holds (taken from
 * the control record; if the controller later moves the epoch on, this job stays fenced until resubmitted), and
 * the source and target streams. Creates the pair's first control record if none exists.
 */
public final class ReplicationPlan implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ReplicationPlan.class);

    private final String pairName;
    private final ReplicationDirection direction;
    private final long epoch;
    private final String runId;
    private final String sourceStreamArn;
    private final AwsTarget source;
    private final String targetStreamArn;
    private final AwsTarget target;
    private final AwsTarget controlStore;
    private final String controlTable;
    private final ClientTuning tuning;
    private final StartPositions start;
    private final int sourceMaxRecordBytes;
    private final int sourceOpenShards;

    ReplicationPlan(
            String pairName,
            ReplicationDirection direction,
            long epoch,
            String sourceStreamArn,
            AwsTarget source,
            String targetStreamArn,
            AwsTarget target,
            AwsTarget controlStore,
            String controlTable,
            ClientTuning tuning,
            StartPositions start,
            int sourceMaxRecordBytes,
            int sourceOpenShards) {
        this.pairName = pairName;
        this.direction = direction;
        this.epoch = epoch;
        this.sourceStreamArn = sourceStreamArn;
        this.source = source;
        this.targetStreamArn = targetStreamArn;
        this.target = target;
        this.controlStore = controlStore;
        this.controlTable = controlTable;
        this.tuning = tuning;
        this.start = start;
        this.sourceMaxRecordBytes = sourceMaxRecordBytes;
        this.sourceOpenShards = sourceOpenShards;
        this.runId = java.util.UUID.randomUUID().toString();
    }

    /** This plan's job: the owner of its {@link io.kinesisha.replicator.fence.JobLease}, the same across its restarts. */
    public String runId() {
        return runId;
    }

    /** Reads (or creates) the control record and fixes direction and epoch for a new job. */
    public static ReplicationPlan prepare(ReplicationPairConfig config, boolean reverse) {
        RegionConfig from = reverse ? config.secondary() : config.primary();
        RegionConfig to = reverse ? config.primary() : config.secondary();
        ReplicationDirection direction = new ReplicationDirection(from.region(), to.region());
        ClientTuning tuning = AwsTargets.tuning(config);
        if (reverse) {
            requireReachable(config, to);
        }
        AwsTarget controlStore = AwsTargets.controlStore(config);
        AwsTarget source = AwsTargets.kinesis(config, from);
        // the source's description needs no control-store answer: ask for it while the control store is read
        CompletableFuture<int[]> described = CompletableFuture.supplyAsync(
                () -> describeSource(source, from.streamArn().toString()));
        long epoch;
        StartPositions start;
        try (AwsClientFactory clients = new AwsClientFactory(tuning);
                DynamoDbClient dynamo = clients.dynamoDb(controlStore)) {
            ControlStore store = new ControlStore(dynamo, config.control().tableName());
            ControlRecord record = readOrCreateTable(store, config);
            if (record == null && !reverse) {
                store.create(ControlRecord.initial(
                        config.pairName(),
                        config.primary().region(),
                        config.secondary().region(),
                        Instant.now()));
                record = store.read(config.pairName())
                        .orElseThrow(() -> new IllegalStateException(
                                "control record of " + config.pairName() + " vanished after creation"));
            }
            if (record == null) {
                throw new IllegalStateException("no control record for pair '" + config.pairName() + "' in table "
                        + config.control().tableName()
                        + ": reverse replication is started by the controller (failback)");
            }
            epoch = record.epoch();
            if (!record.permitsReplication(direction, epoch)) {
                LOG.warn(
                        "the control record ({}) does not allow {} now: the job starts fenced and will not write",
                        record,
                        direction);
            }
            start = StartPositions.resolve(
                    store,
                    new ReplicationLedger(dynamo, config.control().tableName()),
                    config.pairName(),
                    direction,
                    epoch);
            LOG.info("{} epoch {} starts from {}", direction, epoch, start.summary());
        }
        int[] sourceShape;
        try {
            sourceShape = described.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException ? (RuntimeException) e.getCause() : e;
        }
        return new ReplicationPlan(
                config.pairName(),
                direction,
                epoch,
                from.streamArn().toString(),
                source,
                to.streamArn().toString(),
                AwsTargets.kinesis(config, to),
                controlStore,
                config.control().tableName(),
                tuning,
                start,
                sourceShape[0],
                sourceShape[1]);
    }

    /**
     * The source's largest record (for messages only: a source record the target refuses is named with both streams'
     * limits) and its open shards (the default parallelism), from one DescribeStreamSummary; 0 shards if unknown.
     */
    private static int[] describeSource(AwsTarget source, String streamArn) {
        Duration timeout = RecordLimits.DESCRIBE_TIMEOUT;
        int[] openShards = {0};
        try (AwsClientFactory clients = new AwsClientFactory(new ClientTuning(timeout, timeout, 1));
                KinesisClient kinesis = clients.kinesis(source)) {
            int maxRecordBytes = RecordLimits.maxRecordBytes(streamArn, () -> {
                DescribeStreamSummaryResponse response = kinesis.describeStreamSummary(b -> b.streamARN(streamArn));
                Integer open = response.streamDescriptionSummary().openShardCount();
                openShards[0] = open == null ? 0 : open;
                return response;
            });
            return new int[] {maxRecordBytes, openShards[0]};
        }
    }

    /**
     * Reverse replication writes into the old primary: refuse to start while it cannot be reached (a job would
     * only pile up retries and hide the fact from the operator).
     */
    private static void requireReachable(ReplicationPairConfig config, RegionConfig target) {
        Duration probe = Duration.ofSeconds(3);
        try (AwsClientFactory clients = new AwsClientFactory(new ClientTuning(probe, probe, 1));
                KinesisClient kinesis = clients.kinesis(AwsTargets.kinesis(config, target))) {
            // ListShards: the call the job's role may make on its target (the CDK app grants it with PutRecords)
            kinesis.listShards(b -> b.streamARN(target.streamArn().toString()).maxResults(1));
        } catch (RuntimeException e) {
            throw new IllegalStateException(
                    "reverse replication refused: the target stream " + target.streamArn()
                            + " in " + target.region() + " cannot be reached ("
                            + e.getClass().getSimpleName() + ": "
                            + e.getMessage()
                            + "); start it once that region is healthy again (./kinesis-ha failback checks it)",
                    e);
        }
    }

    private static ControlRecord readOrCreateTable(ControlStore store, ReplicationPairConfig config) {
        try {
            return store.read(config.pairName()).orElse(null);
        } catch (ResourceNotFoundException missing) {
            LOG.info(
                    "control table {} does not exist in {}: creating it",
                    store.table(),
                    config.control().region());
            try {
                store.createTableIfMissing();
            } catch (RuntimeException e) {
                throw new IllegalStateException(
                        "control table " + store.table() + " does not exist in "
                                + config.control().region() + " and cannot be created (" + e.getMessage()
                                + "); deploy it with the CDK app or check control.table-name",
                        e);
            }
            return null;
        }
    }

    public String pairName() {
        return pairName;
    }

    public ReplicationDirection direction() {
        return direction;
    }

    public long epoch() {
        return epoch;
    }

    public String sourceStreamArn() {
        return sourceStreamArn;
    }

    public AwsTarget source() {
        return source;
    }

    public String targetStreamArn() {
        return targetStreamArn;
    }

    public AwsTarget target() {
        return target;
    }

    public AwsTarget controlStore() {
        return controlStore;
    }

    public String controlTable() {
        return controlTable;
    }

    public ClientTuning tuning() {
        return tuning;
    }

    /** The largest record the source stream accepts (data plus key), as read when the plan was made. */
    public int sourceMaxRecordBytes() {
        return sourceMaxRecordBytes;
    }

    /** The source stream's open shards when the plan was made (0 if it could not be read). */
    public int sourceOpenShards() {
        return sourceOpenShards;
    }

    /** Explicit starting positions per source shard (progress or cut); others use the default. */
    public Map<String, ShardStartingPosition> startPositions() {
        return start.positions();
    }

    /** Source records not to copy ({@code <shard>@<sequence number>}: orphan copies from the target region). */
    public Set<String> excluded() {
        return start.excluded();
    }

    /**
     * Epoch of the source region's cut when orphans of the target region can be republished into the source against
     * it while the job runs (the source took over from the target); the job then screens by the ledger.
     */
    public java.util.OptionalLong republishCutEpoch() {
        return start.republishCutEpoch();
    }

    /** True when the job continues from a cut, so shards without an explicit position are read whole. */
    public boolean resumes() {
        return start.fromCut();
    }

    /** Where the job starts, for the operator. */
    public String startSummary() {
        return start.summary();
    }

    @Override
    public String toString() {
        return pairName + " " + direction + " epoch " + epoch + ", from " + start.summary();
    }
}
