package io.kinesisha.testkit;

import io.kinesisha.common.aws.AwsClientFactory;
import io.kinesisha.common.aws.AwsTarget;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.services.cloudwatch.CloudWatchAsyncClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndexDescription;
import software.amazon.awssdk.services.dynamodb.model.IndexStatus;
import software.amazon.awssdk.services.dynamodb.model.Projection;
import software.amazon.awssdk.services.dynamodb.model.ProjectionType;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.kinesis.common.ConfigsBuilder;
import software.amazon.kinesis.common.InitialPositionInStream;
import software.amazon.kinesis.common.InitialPositionInStreamExtended;
import software.amazon.kinesis.coordinator.CoordinatorConfig;
import software.amazon.kinesis.coordinator.Scheduler;
import software.amazon.kinesis.exceptions.KinesisClientLibException;
import software.amazon.kinesis.leases.LeaseManagementConfig;
import software.amazon.kinesis.leases.dynamodb.DynamoDBLeaseSerializer;
import software.amazon.kinesis.lifecycle.events.InitializationInput;
import software.amazon.kinesis.lifecycle.events.LeaseLostInput;
import software.amazon.kinesis.lifecycle.events.ProcessRecordsInput;
import software.amazon.kinesis.lifecycle.events.ShardEndedInput;
import software.amazon.kinesis.lifecycle.events.ShutdownRequestedInput;
import software.amazon.kinesis.metrics.MetricsLevel;
import software.amazon.kinesis.processor.RecordProcessorCheckpointer;
import software.amazon.kinesis.processor.ShardRecordProcessor;
import software.amazon.kinesis.processor.SingleStreamTracker;
import software.amazon.kinesis.retrieval.polling.PollingConfig;

/**
 * A real KCL 3.x application on the local environment: polling retrieval (small batches, so it can be stopped
 * part way), no metrics, leases in DynamoDB Local, checkpoint after every batch. It records every record it
 * processed as {@code partitionKey|data}. The controller's KCL tests and the demo's KCL application run it.
 */
public final class KclConsumer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(KclConsumer.class);
    private static final Duration GRACE = Duration.ofSeconds(60);
    private static final Duration STOP_WAIT = Duration.ofSeconds(5);
    /** The index KCL 3 queries for a worker's leases (KCL's own name for it). */
    private static final String LEASE_OWNER_INDEX = "LeaseOwnerToLeaseKeyIndex";

    private static final Duration INDEX_TIMEOUT = Duration.ofSeconds(30);
    /** How often a worker reports its metrics; its lease assignment takes a worker without a report for dead. */
    private static final Duration WORKER_METRICS_REPORT = Duration.ofSeconds(3);
    /** Every record processed, in order, as {@code partitionKey|data}. */
    public final List<String> processed = new CopyOnWriteArrayList<>();
    /** The shards this worker has a record processor for: it holds their leases and reads them. */
    private final Set<String> held = ConcurrentHashMap.newKeySet();

    private final KinesisAsyncClient kinesis;
    private final DynamoDbAsyncClient dynamo;
    private final CloudWatchAsyncClient cloudWatch;
    private final String leaseTable;
    private final Scheduler scheduler;
    private final Thread thread;
    private boolean closed;

    /** How a worker polls: small batches often (a test stops it part way), or larger ones seldom (less load). */
    public record Polling(int maxRecords, Duration idleBetweenReads) {
        /** 50 records every 200 ms per shard: a test can stop the application part way through a stream. */
        public static final Polling SMALL_BATCHES = new Polling(50, Duration.ofMillis(200));
    }

    public KclConsumer(
            AwsClientFactory clients,
            AwsTarget kinesisTarget,
            AwsTarget dynamoTarget,
            String streamName,
            String application,
            String leaseTable,
            Polling polling) {
        this.kinesis = clients.configure(KinesisAsyncClient.builder(), kinesisTarget)
                .httpClientBuilder(NettyNioAsyncHttpClient.builder())
                .build();
        this.dynamo = clients.configure(DynamoDbAsyncClient.builder(), dynamoTarget)
                .httpClientBuilder(NettyNioAsyncHttpClient.builder())
                .build();
        this.cloudWatch = clients.configure(CloudWatchAsyncClient.builder(), dynamoTarget)
                .httpClientBuilder(NettyNioAsyncHttpClient.builder())
                .build();
        ConfigsBuilder configs = new ConfigsBuilder(
                new SingleStreamTracker(
                        streamName,
                        InitialPositionInStreamExtended.newInitialPosition(InitialPositionInStream.TRIM_HORIZON)),
                application,
                kinesis,
                dynamo,
                cloudWatch,
                "worker-" + UUID.randomUUID(),
                Processor::new);
        configs.tableName(leaseTable);
        this.leaseTable = leaseTable;
        CoordinatorConfig coordinator = configs.coordinatorConfig()
                .parentShardPollIntervalMillis(200)
                .shardConsumerDispatchPollIntervalMillis(100);
        // KCL 3.x names its coordinator state and worker metrics tables after the application: where regions share
        // one DynamoDB (the local environment), named after the lease table they stay per region, as on AWS
        coordinator.coordinatorStateTableConfig().tableName(leaseTable + "-CoordinatorState");
        LeaseManagementConfig leases =
                configs.leaseManagementConfig().failoverTimeMillis(2000).shardSyncIntervalMillis(1000);
        leases.workerUtilizationAwareAssignmentConfig()
                // a worker counts as alive for two reports: 6 s after it stopped, not 60 s, no lease is given to it
                .workerMetricsReporterFreqInMillis(WORKER_METRICS_REPORT.toMillis())
                .workerMetricsTableConfig()
                .tableName(leaseTable + "-WorkerMetricStats");
        this.scheduler = new Scheduler(
                configs.checkpointConfig(),
                coordinator,
                leases,
                configs.lifecycleConfig(),
                configs.metricsConfig().metricsLevel(MetricsLevel.NONE),
                configs.processorConfig(),
                configs.retrievalConfig()
                        .retrievalSpecificConfig(new PollingConfig(streamName, kinesis)
                                .maxRecords(polling.maxRecords())
                                .idleTimeBetweenReadsInMillis(
                                        polling.idleBetweenReads().toMillis())));
        this.thread = new Thread(scheduler, "kcl-" + application + "-" + leaseTable);
        this.thread.setDaemon(true);
    }

    /**
     * The shards whose leases this worker holds and reads (a processor initialized, not yet ended, lost or shut
     * down): a caller waits for them rather than for a time, as a worker's start takes from seconds to minutes.
     */
    public Set<String> heldShards() {
        return Set.copyOf(held);
    }

    public KclConsumer start() {
        thread.start();
        return this;
    }

    /**
     * Gives the lease table (created if absent, as KCL creates it) the owner index KCL 3 adds on start, and returns
     * once the index is ACTIVE. KCL polls for that index every 10 s and DynamoDB Local reports a new index as not
     * yet active on the first poll, so a worker on a fresh table waits 10 s for nothing; tests call this before
     * {@link #start()}. KCL then finds the table and the index it would have created and goes on as usual.
     */
    public KclConsumer withLeaseOwnerIndexReady() {
        DynamoDBLeaseSerializer serializer = new DynamoDBLeaseSerializer();
        Map<String, AttributeDefinition> attributes = new LinkedHashMap<>();
        Stream.concat(
                        serializer.getAttributeDefinitions().stream(),
                        serializer.getWorkerIdToLeaseKeyIndexAttributeDefinitions().stream())
                .forEach(a -> attributes.putIfAbsent(a.attributeName(), a));
        Projection keysOnly =
                Projection.builder().projectionType(ProjectionType.KEYS_ONLY).build();
        Optional<TableDescription> table = describeLeaseTable();
        if (table.isEmpty()) {
            dynamo.createTable(b -> b.tableName(leaseTable)
                            .billingMode(BillingMode.PAY_PER_REQUEST)
                            .keySchema(serializer.getKeySchema())
                            .attributeDefinitions(attributes.values())
                            .globalSecondaryIndexes(i -> i.indexName(LEASE_OWNER_INDEX)
                                    .keySchema(serializer.getWorkerIdToLeaseKeyIndexKeySchema())
                                    .projection(keysOnly)))
                    .join();
        } else if (indexStatus(table.get()).isEmpty()) {
            dynamo.updateTable(b -> b.tableName(leaseTable)
                            .attributeDefinitions(attributes.values())
                            .globalSecondaryIndexUpdates(u -> u.create(c -> c.indexName(LEASE_OWNER_INDEX)
                                    .keySchema(serializer.getWorkerIdToLeaseKeyIndexKeySchema())
                                    .projection(keysOnly))))
                    .join();
        }
        Waits.until(
                () -> describeLeaseTable()
                        .flatMap(KclConsumer::indexStatus)
                        .filter(IndexStatus.ACTIVE::equals)
                        .isPresent(),
                INDEX_TIMEOUT,
                () -> LEASE_OWNER_INDEX + " of " + leaseTable + " ACTIVE");
        return this;
    }

    private Optional<TableDescription> describeLeaseTable() {
        try {
            return Optional.of(
                    dynamo.describeTable(b -> b.tableName(leaseTable)).join().table());
        } catch (CompletionException e) {
            if (e.getCause() instanceof ResourceNotFoundException) {
                return Optional.empty();
            }
            throw e;
        }
    }

    private static Optional<IndexStatus> indexStatus(TableDescription table) {
        return table.globalSecondaryIndexes().stream()
                .filter(i -> i.indexName().equals(LEASE_OWNER_INDEX))
                .map(GlobalSecondaryIndexDescription::indexStatus)
                .findFirst();
    }

    /** Graceful: every processor checkpoints what it processed before its lease is given up. */
    @Override
    public void close() throws Exception {
        close(GRACE);
    }

    /**
     * Graceful within {@code grace}, then stopped regardless: a worker whose stream is unreachable may never finish
     * its graceful shutdown, and one still initializing (KCL retries its initialization, holding the lock its
     * shutdown needs) cannot be shut down until that ends. It keeps the checkpoints it wrote last; a worker left
     * initializing loses its clients (closed here) and its daemon thread ends when its next call fails.
     */
    public synchronized void close(Duration grace) throws Exception {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (thread.isAlive()) {
                scheduler.startGracefulShutdown().get(grace.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (TimeoutException e) {
            LOG.warn(
                    "KCL worker {} not shut down gracefully within {} ms; its last checkpoints stand",
                    thread.getName(),
                    grace.toMillis());
        } finally {
            Thread stop = new Thread(scheduler::shutdown, thread.getName() + "-stop");
            stop.setDaemon(true);
            stop.start();
            stop.join(grace.toMillis() + STOP_WAIT.toMillis());
            thread.join(stop.isAlive() ? 1 : STOP_WAIT.toMillis());
            if (thread.isAlive()) {
                LOG.warn("KCL worker {} still running (initializing); closing its clients", thread.getName());
                thread.interrupt();
            }
            kinesis.close();
            dynamo.close();
            cloudWatch.close();
        }
    }

    private final class Processor implements ShardRecordProcessor {
        private String shardId;

        @Override
        public void initialize(InitializationInput input) {
            shardId = input.shardId();
            held.add(shardId);
        }

        @Override
        public void processRecords(ProcessRecordsInput input) {
            input.records()
                    .forEach(r -> processed.add(r.partitionKey() + "|"
                            + StandardCharsets.UTF_8.decode(r.data()).toString()));
            checkpoint(input.checkpointer());
        }

        @Override
        public void leaseLost(LeaseLostInput input) {
            held.remove(shardId);
        }

        @Override
        public void shardEnded(ShardEndedInput input) {
            checkpoint(input.checkpointer());
            held.remove(shardId);
        }

        @Override
        public void shutdownRequested(ShutdownRequestedInput input) {
            checkpoint(input.checkpointer());
            held.remove(shardId);
        }

        private void checkpoint(RecordProcessorCheckpointer checkpointer) {
            try {
                checkpointer.checkpoint();
            } catch (KinesisClientLibException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
