package io.kinesisha.replicator.source.reader;

import static io.kinesisha.replicator.source.proxy.FakeStreamProxy.shardId;
import static org.assertj.core.api.Assertions.assertThat;

import io.kinesisha.common.aws.AwsTarget;
import io.kinesisha.common.config.ReaderType;
import io.kinesisha.common.metrics.MetricNames;
import io.kinesisha.replicator.source.KinesisDeserializationSchema;
import io.kinesisha.replicator.source.KinesisRecord;
import io.kinesisha.replicator.source.KinesisSource;
import io.kinesisha.replicator.source.KinesisSourceConfig;
import io.kinesisha.replicator.source.RecordScreen;
import io.kinesisha.replicator.source.ShardStatus;
import io.kinesisha.replicator.source.proxy.FakeStreamProxy;
import io.kinesisha.replicator.source.split.ShardSplit;
import io.kinesisha.replicator.source.split.ShardStartingPosition;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.connector.base.source.reader.RecordsWithSplitIds;
import org.apache.flink.connector.base.source.reader.splitreader.SplitsAddition;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.SimpleCounter;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.Test;

/** The split reader against a fake stream with a manual clock: expired shards, stalled shards, true lag. */
class ShardSplitReaderTest {
    private static final String STREAM = "arn:aws:kinesis:us-west-2:111111111111:stream/orders";

    private final FakeStreamProxy stream = FakeStreamProxy.withShards(2);
    private final AtomicLong nanos = new AtomicLong(TimeUnit.SECONDS.toNanos(1_000));
    private final CountingGroup metrics = new CountingGroup();

    /** Defect 5: a shard past retention finishes (children can go on) and is counted, instead of failing the task forever. */
    @Test
    void aShardThatNoLongerExistsIsFinishedAndCounted() throws Exception {
        stream.put(shardId(0), "k", "a");
        ShardSplitReader reader = reader(ReaderType.POLLING, () -> null);
        reader.handleSplitsChanges(new SplitsAddition<>(List.of(split(shardId(0)))));
        stream.expire(shardId(0));

        Fetched fetched = fetch(reader);
        assertThat(fetched.finished).containsExactly(shardId(0));
        assertThat(fetched.statuses).anySatisfy(s -> assertThat(s.finished()).isTrue());
        assertThat(metrics.counters.get(MetricNames.SHARDS_EXPIRED).getCount()).isEqualTo(1);
    }

    @Test
    void aStreamThatCannotBeListedIsAnErrorNotAFinishedShard() throws Exception {
        ShardSplitReader reader = reader(ReaderType.POLLING, () -> null);
        reader.handleSplitsChanges(new SplitsAddition<>(List.of(split(shardId(0)))));
        stream.expire(shardId(0));
        stream.failListingWith(software.amazon.awssdk.services.kinesis.model.ResourceNotFoundException.builder()
                .message("Stream orders not found")
                .build());
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> fetch(reader))
                .isInstanceOf(java.io.IOException.class)
                .hasMessageContaining(shardId(0))
                .hasMessageContaining("listed");
    }

    /** Defect 8: a shard whose reads keep failing reports a lag that grows with the silence, never its last value. */
    @Test
    void lagGrowsWhileAShardGetsNoAnswer() throws Exception {
        ShardSplitReader reader = reader(ReaderType.POLLING, () -> null);
        reader.handleSplitsChanges(new SplitsAddition<>(List.of(split(shardId(0)))));
        fetch(reader); // answered: caught up
        stream.failReadsWith(software.amazon.awssdk.core.exception.SdkClientException.create("connection reset"));
        nanos.addAndGet(TimeUnit.SECONDS.toNanos(30));
        Fetched stalled = fetch(reader);
        assertThat(stalled.statuses)
                .isNotEmpty()
                .allSatisfy(s -> assertThat(s.millisBehindLatest()).isGreaterThanOrEqualTo(30_000));

        stream.failReadsWith(null);
        nanos.addAndGet(TimeUnit.SECONDS.toNanos(2));
        fetch(reader);
        nanos.addAndGet(TimeUnit.SECONDS.toNanos(2));
        Fetched recovered = fetch(reader);
        assertThat(recovered.statuses)
                .isNotEmpty()
                .allSatisfy(s -> assertThat(s.millisBehindLatest()).isZero());
    }

    /** Defect 8: a shard never read (no consumer to subscribe with) does not report lag 0. */
    @Test
    void aShardNeverReadReportsTheTimeSinceItWasAssigned() throws Exception {
        ShardSplitReader reader = reader(ReaderType.EFO, () -> null);
        reader.handleSplitsChanges(new SplitsAddition<>(List.of(split(shardId(1)))));
        nanos.addAndGet(TimeUnit.SECONDS.toNanos(45));
        Fetched fetched = fetch(reader);
        assertThat(fetched.statuses)
                .isNotEmpty()
                .allSatisfy(s -> assertThat(s.millisBehindLatest()).isGreaterThanOrEqualTo(45_000));
    }

    /**
     * With a screen, polled records wait for an answer asked after the poll (no shard is read meanwhile, nothing claims
     * progress), then leave in order carrying the verdict; a poll without records asks nothing.
     */
    @Test
    void recordsWaitForTheScreenAndCarryItsVerdict() throws Exception {
        ScriptedScreen.ANSWERS.clear();
        ScriptedScreen.ASKED.set(0);
        stream.put(shardId(0), "k", "copy");
        stream.put(shardId(0), "k", "own");
        ShardSplitReader reader = reader(ReaderType.POLLING, () -> null, new ScriptedScreen());
        reader.handleSplitsChanges(new SplitsAddition<>(List.of(split(shardId(0)), split(shardId(1)))));

        ScriptedScreen.ANSWERS.add(Optional.empty());
        nanos.addAndGet(TimeUnit.SECONDS.toNanos(5));
        Fetched held = fetch(reader);
        assertThat(held.records).isEmpty();
        assertThat(held.statuses).as("no heartbeat while records are held").isEmpty();

        stream.put(shardId(0), "k", "later");
        ScriptedScreen.ANSWERS.add(Optional.of(Set.of(shardId(0) + "@1")));
        nanos.addAndGet(TimeUnit.SECONDS.toNanos(5));
        Fetched released = fetch(reader);
        assertThat(released.records).extracting(KinesisRecord::sequenceNumber).containsExactly("1", "2");
        assertThat(released.records).extracting(KinesisRecord::passOver).containsExactly(true, false);

        nanos.addAndGet(TimeUnit.SECONDS.toNanos(5));
        Fetched next = fetch(reader);
        assertThat(next.records).extracting(KinesisRecord::sequenceNumber).containsExactly("3");
        assertThat(next.records).extracting(KinesisRecord::passOver).containsExactly(false);
        assertThat(ScriptedScreen.ASKED).hasValue(3);

        nanos.addAndGet(TimeUnit.SECONDS.toNanos(5));
        fetch(reader);
        assertThat(ScriptedScreen.ASKED).as("nothing polled, nothing asked").hasValue(3);
        reader.close();
    }

    private ShardSplitReader reader(ReaderType type, java.util.function.Supplier<String> arns) {
        return reader(type, arns, null);
    }

    private ShardSplitReader reader(ReaderType type, java.util.function.Supplier<String> arns, RecordScreen screen) {
        KinesisSourceConfig config = KinesisSource.<String>builder()
                .streamArn(STREAM)
                .target(AwsTarget.of("us-west-2"))
                .readerType(type)
                .heartbeatInterval(Duration.ofSeconds(1))
                .deserializer(new Strings())
                .screen(screen)
                .build()
                .config();
        return new ShardSplitReader(
                config, stream, ConcurrentHashMap.newKeySet(), arns, new SourceMetrics(metrics), nanos::get);
    }

    private ShardSplit split(String id) {
        return new ShardSplit(
                STREAM,
                id,
                List.of(),
                BigInteger.ZERO,
                BigInteger.TEN,
                null,
                ShardStartingPosition.trimHorizon(),
                false);
    }

    private static Fetched fetch(ShardSplitReader reader) throws Exception {
        RecordsWithSplitIds<ShardElement> batch = reader.fetch();
        Fetched fetched = new Fetched();
        while (batch.nextSplit() != null) {
            ShardElement e;
            while ((e = batch.nextRecordFromSplit()) != null) {
                if (e.status() != null) {
                    fetched.statuses.add(e.status());
                } else {
                    fetched.records.add(e.record());
                }
            }
        }
        fetched.finished.addAll(batch.finishedSplits());
        return fetched;
    }

    /** Answers from a script shared by its copies (the reader works on its own copy); an empty script lets all pass. */
    private static final class ScriptedScreen implements RecordScreen {
        static final java.util.Queue<Optional<Set<String>>> ANSWERS =
                new java.util.concurrent.ConcurrentLinkedQueue<>();
        static final java.util.concurrent.atomic.AtomicInteger ASKED = new java.util.concurrent.atomic.AtomicInteger();

        @Override
        public Optional<Set<String>> passOver() {
            ASKED.incrementAndGet();
            Optional<Set<String>> next = ANSWERS.poll();
            return next != null ? next : Optional.of(Set.of());
        }
    }

    private static final class Fetched {
        final List<KinesisRecord> records = new ArrayList<>();
        final List<ShardStatus> statuses = new ArrayList<>();
        final List<String> finished = new ArrayList<>();
    }

    private static final class CountingGroup extends UnregisteredMetricsGroup {
        final Map<String, Counter> counters = new HashMap<>();

        @Override
        public Counter counter(String name) {
            return counters.computeIfAbsent(name, n -> new SimpleCounter());
        }
    }

    private static final class Strings implements KinesisDeserializationSchema<String> {
        @Override
        public void deserialize(KinesisRecord record, Collector<String> out) {
            out.collect(record.partitionKey());
        }

        @Override
        public TypeInformation<String> getProducedType() {
            return Types.STRING;
        }
    }
}
