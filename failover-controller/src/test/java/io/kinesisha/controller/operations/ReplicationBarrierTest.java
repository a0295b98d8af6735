package io.kinesisha.controller.operations;

import static org.assertj.core.api.Assertions.assertThat;

import io.kinesisha.common.aws.AwsClientFactory;
import io.kinesisha.common.control.ControlRecord;
import io.kinesisha.common.control.ShardProgress;
import io.kinesisha.controller.SimulatedClock;
import io.kinesisha.controller.operations.ReplicationBarrier.Status;
import io.kinesisha.testkit.LocalEnvironmentExtension;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.GetRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResultEntry;

/**
 * What the catch-up and drain waits cost the active stream. On AWS a shard serves 5 GetRecords and 5
 * GetShardIterator calls and 2 MB per second to all its polling consumers together (KCL, Lambda without EFO); a
 * barrier that re-reads the backlog at every look (twice a second while catching up, five times while draining)
 * takes that from them exactly while they must keep up. The barrier reads each record once over its whole wait,
 * keeps its place in the shard between looks, and still counts exactly.
 */
class ReplicationBarrierTest {
    @RegisterExtension
    static final LocalEnvironmentExtension LOCAL = new LocalEnvironmentExtension();

    @RegisterExtension
    static final LocalPairs PAIRS = new LocalPairs(LOCAL, "barrier");

    private static final String SHARD = "shardId-000000000000";

    private final Calls calls = new Calls();
    private final SimulatedClock clock = new SimulatedClock(Instant.parse("2026-12-07T12:00:00Z"));
    private final List<AutoCloseable> closing = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : closing) {
            c.close();
        }
    }

    @Test
    void looksReadEachRecordOnceAndCountExactlyAsReplicationAdvances() {
        PairContext ctx = PAIRS.open(1);
        String arn = ctx.streamArn(ctx.primaryRegion());
        List<String> written = put(ctx, 1200);
        ControlRecord record = ctx.control().read(ctx.pair());
        ReplicationBarrier barrier = barrier(ctx);

        progress(ctx, record, written.get(499));
        for (int look = 0; look < 5; look++) {
            assertThat(look(barrier, record).behind())
                    .as("look %d: records 501-1200 not replicated", look)
                    .containsExactly(Map.entry(SHARD, 700));
        }
        progress(ctx, record, written.get(1099));
        assertThat(look(barrier, record).behind()).containsExactly(Map.entry(SHARD, 100));
        written.addAll(put(ctx, 50));
        clock.advance(ReplicationBarrier.READ_INTERVAL);
        assertThat(look(barrier, record).behind())
                .as("records that arrived between looks are counted")
                .containsExactly(Map.entry(SHARD, 150));
        progress(ctx, record, written.get(written.size() - 1));
        Status drained = look(barrier, record);
        assertThat(drained.drained()).as(drained.summary()).isTrue();

        assertThat(calls.records.get())
                .as("records read from %s over 8 looks (1,250 in the shard)", arn)
                .isLessThanOrEqualTo(1250);
        assertThat(calls.count("GetShardIterator"))
                .as("iterators asked for: the barrier keeps its place between looks")
                .isLessThanOrEqualTo(1);
        assertThat(calls.count("GetRecords"))
                .as("GetRecords calls over 8 looks")
                .isLessThanOrEqualTo(8 + 3);
    }

    @Test
    void aShardStillBehindIsReadOncePerIntervalAndOneThatCaughtUpAtOnce() {
        PairContext ctx = PAIRS.open(1);
        List<String> written = put(ctx, 100);
        ControlRecord record = ctx.control().read(ctx.pair());
        ReplicationBarrier barrier = barrier(ctx);
        progress(ctx, record, written.get(49));

        for (int look = 0; look < 10; look++) {
            assertThat(look(barrier, record).behind())
                    .as("look %d within the read interval", look)
                    .containsExactly(Map.entry(SHARD, 50));
        }
        assertThat(calls.count("GetRecords"))
                .as("ten looks a shard still behind: one read (the drain looks 5 times a second)")
                .isEqualTo(1);
        progress(ctx, record, written.get(99));
        assertThat(look(barrier, record).drained())
                .as("nothing left to replicate: read again at once to confirm the tip")
                .isTrue();
        assertThat(calls.count("GetRecords")).isEqualTo(2);
    }

    @Test
    void aCountCutAtTheLimitIsReadOnAsSoonAsReplicationEatsIntoIt() {
        PairContext ctx = PAIRS.open(1);
        List<String> written = put(ctx, 2500);
        ControlRecord record = ctx.control().read(ctx.pair());
        ReplicationBarrier barrier = barrier(ctx);
        assertThat(look(barrier, record).behind()).containsExactly(Map.entry(SHARD, ReplicationBarrier.COUNT_LIMIT));

        progress(ctx, record, written.get(899));

        assertThat(look(barrier, record).behind())
                .as("1,600 left: at least the limit, not the 100 read so far (a catch-up would end at 200)")
                .containsExactly(Map.entry(SHARD, ReplicationBarrier.COUNT_LIMIT));
    }

    @Test
    void excludedCopiesAreReadOnceAndNeverCounted() {
        PairContext ctx = PAIRS.open(1);
        List<String> written = put(ctx, 300);
        ControlRecord record = ctx.control().read(ctx.pair());
        Set<String> copies = Set.copyOf(
                written.subList(100, 300).stream().map(s -> SHARD + "@" + s).toList());
        ReplicationBarrier barrier = barrier(ctx).withExcluded(copies);

        progress(ctx, record, written.get(49));
        for (int look = 0; look < 4; look++) {
            assertThat(look(barrier, record).behind())
                    .as("look %d: 50 records, then 200 republished orphans replication passes over", look)
                    .containsExactly(Map.entry(SHARD, 50));
        }
        progress(ctx, record, written.get(99));
        assertThat(look(barrier, record).drained()).isTrue();
        assertThat(calls.records.get()).as("records read over 5 looks").isLessThanOrEqualTo(300);
    }

    @Test
    void aBacklogBeyondTheCountIsAtLeastTheCountAndNotReadThroughOnceReplicationPassedIt() {
        PairContext ctx = PAIRS.open(1);
        List<String> written = put(ctx, 2500);
        ControlRecord record = ctx.control().read(ctx.pair());
        ReplicationBarrier barrier = barrier(ctx);

        assertThat(look(barrier, record).behind())
                .as("at least the count")
                .containsExactly(Map.entry(SHARD, ReplicationBarrier.COUNT_LIMIT));
        progress(ctx, record, written.get(1999));
        assertThat(look(barrier, record).behind()).containsExactly(Map.entry(SHARD, 500));
        assertThat(calls.records.get())
                .as("records read: the count, then from the replicated position on")
                .isEqualTo(1500);
    }

    @Test
    void aShardWithoutProgressIsCountedFromItsStart() {
        PairContext ctx = PAIRS.open(1);
        put(ctx, 30);
        ControlRecord record = ctx.control().read(ctx.pair());

        Status status = barrier(ctx).check(record.direction(), record.epoch());

        assertThat(status.behind()).containsExactly(Map.entry(SHARD, 30));
    }

    private static Status look(ReplicationBarrier barrier, ControlRecord record) {
        return barrier.check(record.direction(), record.epoch());
    }

    private ReplicationBarrier barrier(PairContext ctx) {
        AwsClientFactory factory = new AwsClientFactory();
        KinesisClient counted = factory.configure(
                        KinesisClient.builder(), LOCAL.env().primary().target())
                .overrideConfiguration(factory.overrides().toBuilder()
                        .addExecutionInterceptor(calls)
                        .build())
                .httpClientBuilder(ApacheHttpClient.builder())
                .build();
        closing.add(counted);
        closing.add(factory);
        return new ReplicationBarrier(
                ctx.store(), counted, ctx.streamArn(ctx.primaryRegion()), ctx.pair(), clock.time());
    }

    /** Writes {@code n} records to the primary's single shard; their sequence numbers in order. */
    private static List<String> put(PairContext ctx, int n) {
        KinesisClient kinesis = ctx.kinesis(ctx.primaryRegion());
        List<String> sequenceNumbers = new ArrayList<>();
        for (int from = 0; from < n; from += 500) {
            List<PutRecordsRequestEntry> batch = new ArrayList<>();
            for (int i = from; i < Math.min(n, from + 500); i++) {
                batch.add(PutRecordsRequestEntry.builder()
                        .partitionKey("k" + (i % 7))
                        .data(SdkBytes.fromUtf8String("r" + i))
                        .build());
            }
            List<PutRecordsResultEntry> results = kinesis.putRecords(
                            b -> b.streamARN(ctx.streamArn(ctx.primaryRegion())).records(batch))
                    .records();
            for (PutRecordsResultEntry r : results) {
                assertThat(r.errorCode()).isNull();
                sequenceNumbers.add(r.sequenceNumber());
            }
        }
        return sequenceNumbers;
    }

    /** The replicator's progress row: everything up to {@code sequenceNumber} is in the target. */
    private static void progress(PairContext ctx, ControlRecord record, String sequenceNumber) {
        ctx.store()
                .putProgress(new ShardProgress(
                        ctx.pair(),
                        record.direction(),
                        record.epoch(),
                        SHARD,
                        sequenceNumber,
                        System.currentTimeMillis(),
                        0,
                        SHARD,
                        "1",
                        1,
                        System.nanoTime(),
                        false,
                        System.currentTimeMillis()));
    }

    /** Counts calls by operation and the records GetRecords returned. */
    private static final class Calls implements ExecutionInterceptor {
        final Map<String, AtomicLong> byOperation = new ConcurrentHashMap<>();
        final AtomicLong records = new AtomicLong();

        @Override
        public void afterExecution(Context.AfterExecution context, ExecutionAttributes attributes) {
            byOperation
                    .computeIfAbsent(
                            attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME), k -> new AtomicLong())
                    .incrementAndGet();
            if (context.response() instanceof GetRecordsResponse r) {
                records.addAndGet(r.records().size());
            }
        }

        long count(String operation) {
            AtomicLong n = byOperation.get(operation);
            return n == null ? 0 : n.get();
        }
    }
}
