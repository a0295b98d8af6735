package io.kinesisha.replicator.source.proxy;

import io.kinesisha.common.aws.AwsClientFactory;
import io.kinesisha.common.aws.AwsTarget;
import io.kinesisha.common.aws.ClientTuning;
import io.kinesisha.replicator.source.split.ShardStartingPosition;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.Consumer;
import software.amazon.awssdk.services.kinesis.model.ConsumerDescription;
import software.amazon.awssdk.services.kinesis.model.ConsumerStatus;
import software.amazon.awssdk.services.kinesis.model.GetRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.ListShardsResponse;
import software.amazon.awssdk.services.kinesis.model.ResourceInUseException;
import software.amazon.awssdk.services.kinesis.model.ResourceNotFoundException;
import software.amazon.awssdk.services.kinesis.model.Shard;

/**
 * The synchronous Kinesis calls of the source (shard discovery, polling, EFO consumer registration) in one
 * place; the SDK's retry strategy (from {@link AwsClientFactory}) handles throttling and transient errors.
 */
public final class KinesisStreamProxy implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(KinesisStreamProxy.class);

    private final AwsClientFactory factory;
    private final KinesisClient kinesis;

    public KinesisStreamProxy(AwsTarget target, ClientTuning tuning) {
        this.factory = new AwsClientFactory(tuning);
        this.kinesis = factory.kinesis(target);
    }

    /** Every shard of the stream, open and closed (within retention), following pagination. */
    public List<Shard> listShards(String streamArn) {
        List<Shard> shards = new ArrayList<>();
        String next = null;
        do {
            String token = next;
            ListShardsResponse page = token == null
                    ? kinesis.listShards(b -> b.streamARN(streamArn))
                    : kinesis.listShards(b -> b.nextToken(token));
            shards.addAll(page.shards());
            next = page.nextToken();
        } while (next != null);
        return shards;
    }

    public String shardIterator(String streamArn, String shardId, ShardStartingPosition position) {
        return kinesis.getShardIterator(b -> b.streamARN(streamArn).shardId(shardId).shardIteratorType(position.type())
                .startingSequenceNumber(position.sequenceNumber()).timestamp(position.timestamp())).shardIterator();
    }

    public GetRecordsResponse getRecords(String streamArn, String shardIterator, int limit) {
        return kinesis.getRecords(b -> b.streamARN(streamArn).shardIterator(shardIterator).limit(limit));
    }

    /**
     * The ACTIVE consumer named {@code name} on the stream, registering it if it does not exist (JOB_MANAGED).
     * Idempotent: a job that restarts reuses its consumer, so nothing leaks.
     */
    public String registerConsumer(String streamArn, String name, Duration timeout) {
        String arn;
        try {
            Consumer consumer = kinesis.registerStreamConsumer(b -> b.streamARN(streamArn).consumerName(name)).consumer();
            arn = consumer.consumerARN();
            LOG.info("registered EFO consumer {} on {}", name, streamArn);
        } catch (ResourceInUseException exists) {
            arn = kinesis.describeStreamConsumer(b -> b.streamARN(streamArn).consumerName(name))
                    .consumerDescription().consumerARN();
        }
        return awaitActive(arn, timeout);
    }

    /** Waits until the given (SELF_MANAGED) consumer is ACTIVE; fails clearly if it does not exist. */
    public String awaitActive(String consumerArn, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            ConsumerDescription description;
            try {
                description = kinesis.describeStreamConsumer(b -> b.consumerARN(consumerArn)).consumerDescription();
            } catch (ResourceNotFoundException e) {
                throw new IllegalStateException("EFO consumer " + consumerArn + " does not exist", e);
            }
            if (description.consumerStatus() == ConsumerStatus.ACTIVE) {
                return description.consumerARN();
            }
            if (description.consumerStatus() == ConsumerStatus.DELETING || System.nanoTime() > deadline) {
                throw new IllegalStateException("EFO consumer " + consumerArn + " is " + description.consumerStatus()
                        + ", not ACTIVE, after " + timeout.toMillis() + " ms");
            }
            LockSupport.parkNanos(Duration.ofMillis(200).toNanos());
        }
    }

    @Override
    public void close() {
        kinesis.close();
        factory.close();
    }
}
