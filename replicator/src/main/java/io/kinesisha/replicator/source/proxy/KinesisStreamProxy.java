package io.kinesisha.replicator.source.proxy;

import io.kinesisha.common.aws.AwsClientFactory;
import io.kinesisha.common.aws.AwsTarget;
import io.kinesisha.common.aws.ClientRole;
import io.kinesisha.common.aws.ClientTuning;
import io.kinesisha.common.kinesis.ShardListing;
import io.kinesisha.replicator.source.split.ShardStartingPosition;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.Consumer;
import software.amazon.awssdk.services.kinesis.model.ConsumerDescription;
import software.amazon.awssdk.services.kinesis.model.ConsumerStatus;
import software.amazon.awssdk.services.kinesis.model.GetRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.ResourceInUseException;
import software.amazon.awssdk.services.kinesis.model.ResourceNotFoundException;
import software.amazon.awssdk.services.kinesis.model.Shard;
import software.amazon.awssdk.services.kinesis.model.SubscribeToShardResponseHandler;

/**
 * The source's Kinesis calls on the AWS SDK: a synchronous client for discovery, polling and consumer registration,
 * and (created on first use) an asynchronous HTTP/2 client for Enhanced Fan-Out subscriptions. The SDK's retry
 * strategy (from {@link AwsClientFactory}) handles throttling and transient errors.
 */
public final class KinesisStreamProxy implements StreamProxy {
    /** Longer than the 5 minutes a subscription lasts: the client's per-call timeouts must not cut it. */
    private static final Duration SUBSCRIPTION_TIMEOUT = Duration.ofMinutes(6);

    private static final Logger LOG = LoggerFactory.getLogger(KinesisStreamProxy.class);

    private final AwsClientFactory factory;
    private final AwsTarget target;
    private final KinesisClient kinesis;
    private KinesisAsyncClient kinesisAsync;

    public KinesisStreamProxy(AwsTarget target, ClientTuning tuning) {
        this.factory = new AwsClientFactory(tuning);
        this.target = target;
        this.kinesis = factory.kinesis(target);
    }

    @Override
    public List<Shard> listShards(String streamArn) {
        return ShardListing.all(kinesis, streamArn);
    }

    @Override
    public String shardIterator(String streamArn, String shardId, ShardStartingPosition position) {
        return kinesis.getShardIterator(b -> b.streamARN(streamArn)
                        .shardId(shardId)
                        .shardIteratorType(position.type())
                        .startingSequenceNumber(position.sequenceNumber())
                        .timestamp(position.timestamp()))
                .shardIterator();
    }

    @Override
    public GetRecordsResponse getRecords(String streamArn, String shardIterator, int limit) {
        return kinesis.getRecords(
                b -> b.streamARN(streamArn).shardIterator(shardIterator).limit(limit));
    }

    @Override
    public String registerConsumer(String streamArn, String name, Duration timeout) {
        String arn;
        try {
            Consumer consumer = kinesis.registerStreamConsumer(
                            b -> b.streamARN(streamArn).consumerName(name))
                    .consumer();
            arn = consumer.consumerARN();
            LOG.info("registered EFO consumer {} on {}", name, streamArn);
        } catch (ResourceInUseException exists) {
            arn = kinesis.describeStreamConsumer(b -> b.streamARN(streamArn).consumerName(name))
                    .consumerDescription()
                    .consumerARN();
        }
        return awaitActive(arn, timeout);
    }

    @Override
    public String awaitActive(String consumerArn, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            ConsumerDescription description;
            try {
                description = kinesis.describeStreamConsumer(b -> b.consumerARN(consumerArn))
                        .consumerDescription();
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
    public boolean consumerUsable(String consumerArn) {
        try {
            ConsumerStatus status = kinesis.describeStreamConsumer(b -> b.consumerARN(consumerArn))
                    .consumerDescription()
                    .consumerStatus();
            return status != ConsumerStatus.DELETING;
        } catch (ResourceNotFoundException e) {
            return false;
        }
    }

    @Override
    public void deregisterConsumer(String streamArn, String consumerName) {
        try {
            kinesis.deregisterStreamConsumer(b -> b.streamARN(streamArn).consumerName(consumerName));
            LOG.info("deregistered EFO consumer {} of {}", consumerName, streamArn);
        } catch (ResourceNotFoundException gone) {
            LOG.info("EFO consumer {} of {} was already deregistered", consumerName, streamArn);
        }
    }

    @Override
    public synchronized CompletableFuture<Void> subscribeToShard(
            String consumerArn,
            String shardId,
            ShardStartingPosition position,
            SubscribeToShardResponseHandler handler) {
        if (kinesisAsync == null) {
            kinesisAsync = factory.kinesisAsync(target, ClientRole.SOURCE);
        }
        return kinesisAsync.subscribeToShard(
                b -> b.consumerARN(consumerArn)
                        .shardId(shardId)
                        .startingPosition(position.toStartingPosition())
                        .overrideConfiguration(o ->
                                o.apiCallTimeout(SUBSCRIPTION_TIMEOUT).apiCallAttemptTimeout(SUBSCRIPTION_TIMEOUT)),
                handler);
    }

    @Override
    public synchronized void close() {
        if (kinesisAsync != null) {
            kinesisAsync.close();
        }
        kinesis.close();
        factory.close();
    }
}
