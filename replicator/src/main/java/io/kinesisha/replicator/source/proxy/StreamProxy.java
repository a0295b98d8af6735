package io.kinesisha.replicator.source.proxy;

import io.kinesisha.replicator.source.split.ShardStartingPosition;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import software.amazon.awssdk.services.kinesis.model.GetRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.Shard;
import software.amazon.awssdk.services.kinesis.model.SubscribeToShardResponseHandler;

/**
 * Every Kinesis call the source makes, behind one interface: the enumerator and the readers get it injected, so
 * their rules (lineage, assignment, draining, expiry) are tested against a fake in milliseconds, and there is one
 * place where paging, retries and client lifecycles live ({@link KinesisStreamProxy} for the AWS SDK).
 */
public interface StreamProxy extends AutoCloseable {

    /** Every shard of the stream, open and closed (within retention), all pages. */
    List<Shard> listShards(String streamArn);

    /** A shard iterator; throws {@code ResourceNotFoundException} when the shard no longer exists. */
    String shardIterator(String streamArn, String shardId, ShardStartingPosition position);

    GetRecordsResponse getRecords(String streamArn, String shardIterator, int limit);

    /** The ACTIVE consumer of this name, registered if missing (idempotent: a restarted job reuses it). */
    String registerConsumer(String streamArn, String name, Duration timeout);

    /** Waits until the consumer is ACTIVE; {@code IllegalStateException} if it does not exist or is being deleted. */
    String awaitActive(String consumerArn, Duration timeout);

    /** True while the consumer exists and is not being deleted. */
    boolean consumerUsable(String consumerArn);

    /** Deregisters the stream's consumer of this name; a consumer already gone is not an error. */
    void deregisterConsumer(String streamArn, String consumerName);

    /**
     * Starts an Enhanced Fan-Out subscription; the handler receives the events. The future completes when the
     * subscription ends (normally after 5 minutes) or fails.
     */
    CompletableFuture<Void> subscribeToShard(
            String consumerArn,
            String shardId,
            ShardStartingPosition position,
            SubscribeToShardResponseHandler handler);

    @Override
    void close();
}
