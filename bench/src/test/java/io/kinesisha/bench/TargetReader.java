package io.kinesisha.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.GetRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.Shard;
import software.amazon.awssdk.services.kinesis.model.ShardIteratorType;

/**
 * A plain consumer of the target, as real ones are: every 0.5 s, one GetRecords per shard from where it left off.
 * Its requests compete with the writes for the single-threaded emulator, in the raw and the replicator phases alike.
 */
final class TargetReader implements AutoCloseable {
    static final Duration POLL = Duration.ofMillis(500);

    private final Thread thread;
    private final AtomicLong records = new AtomicLong();
    private volatile boolean running = true;

    TargetReader(KinesisClient kinesis, String streamArn) {
        List<String> iterators = new ArrayList<>();
        for (Shard shard : kinesis.listShards(b -> b.streamARN(streamArn)).shards()) {
            iterators.add(kinesis.getShardIterator(b -> b.streamARN(streamArn)
                            .shardId(shard.shardId())
                            .shardIteratorType(ShardIteratorType.TRIM_HORIZON))
                    .shardIterator());
        }
        thread = new Thread(
                () -> {
                    long next = System.nanoTime();
                    while (running) {
                        for (int i = 0; i < iterators.size() && running; i++) {
                            String it = iterators.get(i);
                            try {
                                GetRecordsResponse page = kinesis.getRecords(
                                        b -> b.streamARN(streamArn).shardIterator(it));
                                records.addAndGet(page.records().size());
                                iterators.set(i, page.nextShardIterator());
                            } catch (RuntimeException e) {
                                // a slow emulator: try again at the next poll
                            }
                        }
                        next += POLL.toNanos();
                        java.util.concurrent.locks.LockSupport.parkNanos(Math.max(0, next - System.nanoTime()));
                    }
                },
                "bench-target-reader");
        thread.setDaemon(true);
        thread.start();
    }

    /** Records read so far. */
    long records() {
        return records.get();
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join(Duration.ofSeconds(30).toMillis());
    }
}
