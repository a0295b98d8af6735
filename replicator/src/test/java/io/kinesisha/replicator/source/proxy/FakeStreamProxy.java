package io.kinesisha.replicator.source.proxy;

import io.kinesisha.common.kinesis.HashKeys;
import io.kinesisha.replicator.source.split.ShardStartingPosition;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.services.kinesis.model.GetRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.Record;
import software.amazon.awssdk.services.kinesis.model.ResourceNotFoundException;
import software.amazon.awssdk.services.kinesis.model.SequenceNumberRange;
import software.amazon.awssdk.services.kinesis.model.Shard;
import software.amazon.awssdk.services.kinesis.model.SubscribeToShardResponseHandler;

/**
 * An in-memory stream behind {@link StreamProxy}: shards with lineage and records, polling through GetRecords-like
 * iterators, consumers that can be deregistered, shards that can expire. Thread-safe (enumerator worker threads).
 */
public final class FakeStreamProxy implements StreamProxy {
    private final Map<String, Shard> shards = new LinkedHashMap<>();
    private final Map<String, List<Record>> records = new LinkedHashMap<>();
    private final Map<String, String> consumers = new LinkedHashMap<>();
    private final AtomicInteger registrations = new AtomicInteger();
    private RuntimeException registrationFailure;
    private RuntimeException readFailure;
    private RuntimeException listingFailure;
    private volatile boolean closed;

    /** An open shard over the given hash range. */
    public synchronized FakeStreamProxy shard(String id, BigInteger start, BigInteger end, String... parents) {
        Shard.Builder b = Shard.builder()
                .shardId(id)
                .hashKeyRange(r -> r.startingHashKey(start.toString()).endingHashKey(end.toString()))
                .sequenceNumberRange(SequenceNumberRange.builder()
                        .startingSequenceNumber("0")
                        .build());
        if (parents.length > 0) {
            b.parentShardId(parents[0]);
        }
        if (parents.length > 1) {
            b.adjacentParentShardId(parents[1]);
        }
        shards.put(id, b.build());
        records.putIfAbsent(id, new ArrayList<>());
        return this;
    }

    /** One open shard per slice of the hash-key space. */
    public static FakeStreamProxy withShards(int count) {
        FakeStreamProxy proxy = new FakeStreamProxy();
        BigInteger space = HashKeys.MAX.add(BigInteger.ONE);
        for (int i = 0; i < count; i++) {
            BigInteger start = space.multiply(BigInteger.valueOf(i)).divide(BigInteger.valueOf(count));
            BigInteger end = space.multiply(BigInteger.valueOf(i + 1))
                    .divide(BigInteger.valueOf(count))
                    .subtract(BigInteger.ONE);
            proxy.shard(shardId(i), start, end);
        }
        return proxy;
    }

    public static String shardId(int i) {
        return String.format("shardId-%012d", i);
    }

    /** Closes {@code parent} and adds two children splitting its range. */
    public synchronized void split(String parent, String left, String right) {
        Shard p = shards.get(parent);
        BigInteger start = new BigInteger(p.hashKeyRange().startingHashKey());
        BigInteger end = new BigInteger(p.hashKeyRange().endingHashKey());
        BigInteger middle = start.add(end).shiftRight(1);
        close(parent);
        shard(left, start, middle, parent);
        shard(right, middle.add(BigInteger.ONE), end, parent);
    }

    public synchronized void close(String shardId) {
        Shard s = shards.get(shardId);
        shards.put(
                shardId,
                s.toBuilder()
                        .sequenceNumberRange(s.sequenceNumberRange().toBuilder()
                                .endingSequenceNumber(
                                        String.valueOf(records.get(shardId).size()))
                                .build())
                        .build());
    }

    /** The shard ages out of retention: not listed, not readable. */
    public synchronized void expire(String shardId) {
        shards.remove(shardId);
        records.remove(shardId);
    }

    public synchronized void put(String shardId, String partitionKey, String data) {
        List<Record> list = records.get(shardId);
        list.add(Record.builder()
                .partitionKey(partitionKey)
                .sequenceNumber(String.valueOf(list.size() + 1))
                .data(software.amazon.awssdk.core.SdkBytes.fromUtf8String(data))
                .approximateArrivalTimestamp(java.time.Instant.now())
                .build());
    }

    public synchronized void failRegistrationWith(RuntimeException failure) {
        this.registrationFailure = failure;
    }

    public synchronized void failReadsWith(RuntimeException failure) {
        this.readFailure = failure;
    }

    public synchronized void failListingWith(RuntimeException failure) {
        this.listingFailure = failure;
    }

    public synchronized void deregisterAll() {
        consumers.clear();
    }

    public int registrations() {
        return registrations.get();
    }

    public boolean closed() {
        return closed;
    }

    @Override
    public synchronized List<Shard> listShards(String streamArn) {
        if (listingFailure != null) {
            throw listingFailure;
        }
        return new ArrayList<>(shards.values());
    }

    @Override
    public synchronized String shardIterator(String streamArn, String shardId, ShardStartingPosition position) {
        if (!records.containsKey(shardId)) {
            throw ResourceNotFoundException.builder()
                    .message("Shard " + shardId + " does not exist")
                    .build();
        }
        int from;
        switch (position.type()) {
            case TRIM_HORIZON:
            case AT_TIMESTAMP:
                from = 0;
                break;
            case LATEST:
                from = records.get(shardId).size();
                break;
            case AT_SEQUENCE_NUMBER:
                from = Integer.parseInt(position.sequenceNumber()) - 1;
                break;
            default:
                from = Integer.parseInt(position.sequenceNumber());
        }
        return shardId + "/" + from;
    }

    @Override
    public synchronized GetRecordsResponse getRecords(String streamArn, String shardIterator, int limit) {
        if (readFailure != null) {
            throw readFailure;
        }
        String shardId = shardIterator.substring(0, shardIterator.indexOf('/'));
        int from = Integer.parseInt(shardIterator.substring(shardIterator.indexOf('/') + 1));
        List<Record> list = records.get(shardId);
        if (list == null) {
            throw ResourceNotFoundException.builder()
                    .message("Shard " + shardId + " does not exist")
                    .build();
        }
        int to = Math.min(list.size(), from + limit);
        boolean closedShard = shards.get(shardId).sequenceNumberRange().endingSequenceNumber() != null;
        String next = closedShard && to == list.size() ? null : shardId + "/" + to;
        return GetRecordsResponse.builder()
                .records(new ArrayList<>(list.subList(from, to)))
                .nextShardIterator(next)
                .millisBehindLatest(0L)
                .build();
    }

    @Override
    public synchronized String registerConsumer(String streamArn, String name, Duration timeout) {
        if (registrationFailure != null) {
            throw registrationFailure;
        }
        return consumers.computeIfAbsent(
                name, n -> streamArn + "/consumer/" + n + ":" + registrations.incrementAndGet());
    }

    @Override
    public synchronized String awaitActive(String consumerArn, Duration timeout) {
        if (!consumers.containsValue(consumerArn)) {
            throw new IllegalStateException("EFO consumer " + consumerArn + " does not exist");
        }
        return consumerArn;
    }

    @Override
    public synchronized boolean consumerUsable(String consumerArn) {
        return consumers.containsValue(consumerArn);
    }

    @Override
    public synchronized void deregisterConsumer(String streamArn, String consumerName) {
        consumers.remove(consumerName);
    }

    @Override
    public CompletableFuture<Void> subscribeToShard(
            String consumerArn,
            String shardId,
            ShardStartingPosition position,
            SubscribeToShardResponseHandler handler) {
        CompletableFuture<Void> failed = new CompletableFuture<>();
        failed.completeExceptionally(new UnsupportedOperationException("the fake proxy has no EFO"));
        return failed;
    }

    @Override
    public void close() {
        closed = true;
    }
}
