package io.kinesisha.replicator;

import com.amazonaws.services.kinesisanalytics.runtime.KinesisAnalyticsRuntime;
import io.kinesisha.common.aws.AwsClientFactory;
import io.kinesisha.common.config.ConfigLoader;
import io.kinesisha.common.config.ConsumerLifecycle;
import io.kinesisha.common.config.ReplicationPairConfig;
import io.kinesisha.common.config.ReplicationSettings;
import io.kinesisha.common.config.StartingPosition;
import io.kinesisha.common.kinesis.JobManagedConsumer;
import io.kinesisha.replicator.fence.EpochFence;
import io.kinesisha.replicator.fence.JobLease;
import io.kinesisha.replicator.orphans.RepublishedCopies;
import io.kinesisha.replicator.progress.ProgressListener;
import io.kinesisha.replicator.sink.ClientOverrides;
import io.kinesisha.replicator.sink.KinesisStreamsSink;
import io.kinesisha.replicator.sink.RecordDescriber;
import io.kinesisha.replicator.source.KinesisSource;
import io.kinesisha.replicator.source.KinesisSourceBuilder;
import io.kinesisha.replicator.source.split.ShardStartingPosition;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.environment.CheckpointConfig;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import software.amazon.awssdk.services.kinesis.KinesisClient;

/**
 * The replicator job: primary stream (EFO) to secondary stream, records unchanged (KPL aggregates as their user
 * records, see {@link ReplicatedRecordConverter}), per-key order kept, progress
 * in the control store, fenced by the epoch it was started under. Runs on any Flink cluster or Managed Service
 * for Apache Flink (configuration from the runtime property group {@code kinesis-ha}), or embedded through
 * {@code ./kinesis-ha replicate --config FILE}.
 */
public final class Replicator {
    /** How often progress rows are refreshed between checkpoints (the switchover barrier reads them). */
    static final Duration PROGRESS_INTERVAL = Duration.ofSeconds(1);

    private Replicator() {}

    public static void main(String[] args) throws Exception {
        ReplicatorArgs parsed = ReplicatorArgs.parse(args);
        ReplicationPairConfig config;
        boolean reverse = parsed.reverse();
        if (parsed.configFile() != null) {
            config = ConfigLoader.load(parsed.configFile(), System.getenv(), parsed.overrides());
        } else {
            Map<String, Properties> groups = KinesisAnalyticsRuntime.getApplicationProperties();
            config = ConfigLoader.fromFlinkPropertyGroups(groups);
            Properties job = groups.get(ConfigLoader.FLINK_JOB_PROPERTY_GROUP);
            reverse |= job != null && Boolean.parseBoolean(job.getProperty(ConfigLoader.JOB_REVERSE, "false"));
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        if (parsed.parallelism() != null) {
            env.setParallelism(parsed.parallelism());
        }
        ReplicationPlan plan = ReplicationPlan.prepare(config, reverse);
        build(env, config, plan);
        env.execute("kinesis-ha replicator " + plan);
    }

    /** Adds the replication pipeline to {@code env}: source, sink, checkpointing. */
    public static void build(StreamExecutionEnvironment env, ReplicationPairConfig config, ReplicationPlan plan) {
        build(env, config, plan, builder -> {});
    }

    /**
     * As {@link #build(StreamExecutionEnvironment, ReplicationPairConfig, ReplicationPlan)}, with additions to the
     * sink's SDK client (interceptors for tracing or, in tests, fault injection).
     */
    public static void build(
            StreamExecutionEnvironment env,
            ReplicationPairConfig config,
            ReplicationPlan plan,
            ClientOverrides sinkOverrides) {
        configureCheckpointing(env, config.replication());
        // source and sink are chained: without object reuse Flink deep-copies every record between them. The source
        // makes a new record for each it reads and nothing changes one after emitting it, so the copy buys nothing.
        env.getConfig().enableObjectReuse();
        env.fromSource(
                        source(config, plan),
                        WatermarkStrategy.noWatermarks(),
                        "kinesis source " + plan.direction().sourceRegion())
                .uid("kinesis-source")
                .sinkTo(sink(config, plan, sinkOverrides))
                .name("kinesis sink " + plan.direction().targetRegion())
                .uid("kinesis-sink");
    }

    /**
     * At-least-once checkpoints: a checkpoint waits until the sink has every earlier record acknowledged, so it is
     * bounded (the sink caps a hot key's backlog) and a stuck one is abandoned instead of stalling progress forever.
     */
    static void configureCheckpointing(StreamExecutionEnvironment env, ReplicationSettings settings) {
        env.enableCheckpointing(settings.checkpointInterval().toMillis(), CheckpointingMode.AT_LEAST_ONCE);
        CheckpointConfig checkpoints = env.getCheckpointConfig();
        checkpoints.setCheckpointTimeout(settings.checkpointTimeout().toMillis());
        checkpoints.setTolerableCheckpointFailureNumber(settings.tolerableCheckpointFailures());
    }

    static KinesisSource<ReplicatedRecord> source(ReplicationPairConfig config, ReplicationPlan plan) {
        ReplicationSettings settings = config.replication();
        KinesisSourceBuilder<ReplicatedRecord> builder = KinesisSource.<ReplicatedRecord>builder()
                .streamArn(plan.sourceStreamArn())
                .target(plan.source())
                .clientTuning(plan.tuning())
                .readerType(settings.reader())
                .discoveryInterval(settings.shardDiscoveryInterval())
                .silenceTimeout(settings.efoSilenceTimeout())
                .initialPosition(
                        plan.resumes() || settings.startingPosition() != StartingPosition.LATEST
                                ? ShardStartingPosition.trimHorizon()
                                : ShardStartingPosition.latest())
                .deserializer(new ReplicatedRecordSchema(plan.excluded()))
                .readLease(jobLease(plan));
        plan.startPositions().forEach(builder::shardPosition);
        plan.republishCutEpoch()
                .ifPresent(cutEpoch -> builder.screen(new RepublishedCopies(
                        plan.pairName(),
                        cutEpoch,
                        plan.direction().sourceRegion(),
                        plan.controlStore(),
                        plan.controlTable(),
                        plan.tuning())));
        boolean selfManaged =
                settings.consumerLifecycle() == ConsumerLifecycle.SELF_MANAGED && !planIsReverse(config, plan);
        if (selfManaged) {
            builder.selfManagedConsumer(settings.consumerArn().orElseThrow());
        } else {
            builder.jobManagedConsumer(settings.consumerName());
        }
        return builder.build();
    }

    static KinesisStreamsSink<ReplicatedRecord> sink(
            ReplicationPairConfig config, ReplicationPlan plan, ClientOverrides overrides) {
        ReplicationSettings settings = config.replication();
        return KinesisStreamsSink.<ReplicatedRecord>builder()
                .target(plan.target())
                .streamArn(plan.targetStreamArn())
                .requestTimeout(settings.sinkRequestTimeout())
                .maxBatchSize(settings.maxBatchRecords())
                .maxInFlightBatches(settings.maxInFlightBatches())
                .maxBufferedPerKey(settings.maxBufferedPerKey())
                .clientOverrides(overrides)
                .elementConverter(new ReplicatedRecordConverter())
                .recordDescriber(describer(plan.sourceStreamArn(), plan.sourceMaxRecordBytes()))
                .listener(new ProgressListener(
                        plan.pairName(),
                        plan.direction(),
                        plan.epoch(),
                        plan.controlStore(),
                        plan.controlTable(),
                        plan.tuning(),
                        PROGRESS_INTERVAL))
                .writeGate(EpochFence.builder()
                        .pairName(plan.pairName())
                        .controlTable(plan.controlTable())
                        .controlStore(plan.controlStore())
                        .direction(plan.direction())
                        .epoch(plan.epoch())
                        .owner(plan.runId())
                        .build())
                .build();
    }

    private static JobLease jobLease(ReplicationPlan plan) {
        return new JobLease(
                plan.pairName(),
                plan.controlTable(),
                plan.controlStore(),
                plan.tuning(),
                plan.direction(),
                plan.epoch(),
                plan.runId());
    }

    /**
     * Releases the read lease of this plan's job once the job has ended. Its source releases it when it closes, but a
     * JVM that exits right after cancelling (Ctrl-C of an embedded job) may end before the source is closed, and the
     * next {@code replicate} would find the lease held for its whole TTL. Failures are logged: the lease expires.
     */
    public static void releaseJobLease(ReplicationPlan plan) {
        try {
            jobLease(plan).release();
        } catch (RuntimeException e) {
            org.slf4j.LoggerFactory.getLogger(Replicator.class)
                    .warn(
                            "could not release the read lease of {} (it expires" + " within {} s): {}",
                            plan,
                            JobLease.TTL.toSeconds(),
                            e.toString());
        }
    }

    /**
     * Retires the EFO consumer this plan's job registered for itself, once the job is stopped for good; empty when
     * the job registers none (polling reader, the operator's SELF_MANAGED consumer). A failure is logged and answered.
     */
    public static java.util.Optional<JobManagedConsumer.Retirement> retireJobManagedConsumer(
            ReplicationPairConfig config, ReplicationPlan plan) {
        java.util.Optional<JobManagedConsumer> consumer = JobManagedConsumer.of(config, plan.direction());
        if (consumer.isEmpty()) {
            return java.util.Optional.empty();
        }
        JobManagedConsumer.Retirement retired;
        try (AwsClientFactory clients = new AwsClientFactory(plan.tuning());
                KinesisClient kinesis = clients.kinesis(plan.source())) {
            retired = consumer.get().retire(kinesis);
        }
        org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(Replicator.class);
        if (retired.outcome() == JobManagedConsumer.Outcome.FAILED) {
            log.warn(
                    "could not retire the job's {}; deregister it by hand (aws kinesis deregister-stream-consumer)",
                    retired);
        } else {
            log.info("{}", retired);
        }
        return java.util.Optional.of(retired);
    }

    /** Names a record by its source position, with the source's limit next to the target's in the sink's error. */
    static RecordDescriber<ReplicatedRecord> describer(String sourceStreamArn, int sourceMaxRecordBytes) {
        return record -> "source stream " + sourceStreamArn + ", shard " + record.getSourceShardId()
                + ", sequence number " + record.getSequenceNumber() + "; the source accepts up to "
                + sourceMaxRecordBytes
                + " bytes (" + sourceMaxRecordBytes / 1024 + " KiB)";
    }

    /** The configured (SELF_MANAGED) consumer belongs to the primary stream; reverse replication manages its own. */
    private static boolean planIsReverse(ReplicationPairConfig config, ReplicationPlan plan) {
        return !plan.direction().sourceRegion().equals(config.primary().region());
    }
}
