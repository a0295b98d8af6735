package io.kinesisha.replicator.source.enumerator;

import static io.kinesisha.replicator.source.proxy.FakeStreamProxy.shardId;
import static org.assertj.core.api.Assertions.assertThat;

import io.kinesisha.common.aws.AwsTarget;
import io.kinesisha.common.config.ReaderType;
import io.kinesisha.replicator.source.KinesisSource;
import io.kinesisha.replicator.source.KinesisSourceBuilder;
import io.kinesisha.replicator.source.KinesisSourceConfig;
import io.kinesisha.replicator.source.enumerator.assigner.HashRangeShardAssigner;
import io.kinesisha.replicator.source.event.ConsumerArnEvent;
import io.kinesisha.replicator.source.event.ShardsClosedEvent;
import io.kinesisha.replicator.source.event.SplitsFinishedEvent;
import io.kinesisha.replicator.source.proxy.FakeStreamProxy;
import io.kinesisha.replicator.source.split.ShardSplit;
import io.kinesisha.replicator.source.split.ShardStartingPosition;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.flink.api.connector.source.ReaderInfo;
import org.apache.flink.api.connector.source.SourceEvent;
import org.apache.flink.api.connector.source.SplitsAssignment;
import org.apache.flink.api.connector.source.mocks.MockSplitEnumeratorContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.kinesis.model.ShardIteratorType;

/**
 * The enumerator's lineage rules against a fake stream, through the restarts Flink really does: a single subtask
 * restarted alone (region failover) while its parent shard is being finished, a restore onto another parallelism,
 * LATEST across a restore, and an EFO consumer that disappears.
 */
class ShardSplitEnumeratorTest {
    private static final String STREAM = "arn:aws:kinesis:us-west-2:111111111111:stream/orders";
    private static final long NOW = Instant.parse("2026-12-06T12:00:00Z").toEpochMilli();

    private final MockSplitEnumeratorContext<ShardSplit> context = new MockSplitEnumeratorContext<>(2);
    private final FakeStreamProxy stream = FakeStreamProxy.withShards(2);

    @AfterEach
    void close() throws Exception {
        context.close();
    }

    @Test
    void childIsAssignedOnlyAfterTheParentsFinishIsCheckpointed() throws Throwable {
        ShardSplitEnumerator enumerator = started(polling(), null);
        readers(0, 1);
        discover();
        assertThat(assignedIds()).containsExactlyInAnyOrder(shardId(0), shardId(1));

        stream.split(shardId(0), shardId(2), shardId(3));
        discover();
        enumerator.handleSourceEvent(subtaskOf(shardId(0)), finished(shardId(0)));
        assertThat(assignedIds()).doesNotContain(shardId(2), shardId(3));
        enumerator.snapshotState(1);
        assertThat(assignedIds()).as("checkpoint taken, not yet complete").doesNotContain(shardId(2));
        enumerator.notifyCheckpointComplete(1);
        assertThat(assignedIds()).contains(shardId(2), shardId(3));
    }

    /** Defect 1, loss: the split came after the last checkpoint, was read to its end, then its subtask failed. */
    @Test
    void aSplitFinishedByASubtaskThatRestartsBeforeTheNextCheckpointIsReadAgain() throws Throwable {
        ShardSplitEnumerator enumerator = started(polling(), null);
        readers(0, 1);
        discover();
        int owner = subtaskOf(shardId(0));
        ShardSplit parent = assigned(shardId(0));
        stream.split(shardId(0), shardId(2), shardId(3));
        discover();

        enumerator.handleSourceEvent(owner, finished(shardId(0)));
        // the subtask fails before any checkpoint: Flink gives back what it was assigned since, and restarts it
        context.unregisterReader(owner);
        enumerator.addSplitsBack(List.of(parent), owner);
        context.getSplitsAssignmentSequence().clear();
        register(owner);
        enumerator.addReader(owner);

        assertThat(assignedIds())
                .as("the parent is read again by the restarted subtask")
                .containsExactly(shardId(0));
        enumerator.snapshotState(1);
        enumerator.notifyCheckpointComplete(1);
        assertThat(assignedIds()).as("children wait for the re-read parent").containsExactly(shardId(0));

        enumerator.handleSourceEvent(owner, finished(shardId(0)));
        enumerator.snapshotState(2);
        enumerator.notifyCheckpointComplete(2);
        assertThat(assignedIds()).contains(shardId(2), shardId(3));
    }

    /** Defect 1, reorder: the restored reader re-reads the parent's tail; children must not start meanwhile. */
    @Test
    void aFinishReportOfARestartedSubtaskIsWithdrawnUntilItsReaderReportsAgain() throws Throwable {
        ShardSplitEnumerator enumerator = started(polling(), null);
        readers(0, 1);
        discover();
        int owner = subtaskOf(shardId(0));
        enumerator.snapshotState(1);
        enumerator.notifyCheckpointComplete(1); // the parent is in the reader's checkpointed state now
        stream.split(shardId(0), shardId(2), shardId(3));
        discover();

        enumerator.handleSourceEvent(owner, finished(shardId(0)));
        enumerator.snapshotState(2);
        // checkpoint 2 never completes: the subtask fails and restarts from checkpoint 1, re-reading the parent's tail
        context.unregisterReader(owner);
        enumerator.addSplitsBack(List.of(), owner);
        register(owner);
        enumerator.addReader(owner);
        context.getSplitsAssignmentSequence().clear();
        enumerator.snapshotState(3);
        enumerator.notifyCheckpointComplete(3);
        assertThat(assignedIds())
                .as("no child while the parent's tail is re-read")
                .isEmpty();

        enumerator.handleSourceEvent(owner, finished(shardId(0)));
        enumerator.snapshotState(4);
        enumerator.notifyCheckpointComplete(4);
        assertThat(assignedIds()).containsExactlyInAnyOrder(shardId(2), shardId(3));
    }

    @Test
    void aFailureOfAnotherSubtaskDoesNotWithdrawAFinishReport() throws Throwable {
        ShardSplitEnumerator enumerator = started(polling(), null);
        readers(0, 1);
        discover();
        int owner = subtaskOf(shardId(0));
        int other = 1 - owner;
        stream.split(shardId(0), shardId(2), shardId(3));
        discover();
        enumerator.handleSourceEvent(owner, finished(shardId(0)));
        context.unregisterReader(other);
        enumerator.addSplitsBack(List.of(), other);
        register(other);
        enumerator.addReader(other);
        enumerator.snapshotState(1);
        enumerator.notifyCheckpointComplete(1);
        assertThat(assignedIds()).contains(shardId(2), shardId(3));
    }

    /** After a restore or a rescale the enumerator cannot know which reader holds a closed shard: all hear of it. */
    @Test
    void closedShardsReachEveryReader() throws Throwable {
        EnumeratorState restoredOnOtherParallelism =
                new EnumeratorState(Map.of(), Set.of(shardId(0), shardId(1)), Set.of());
        started(polling(), restoredOnOtherParallelism);
        readers(0, 1);
        stream.split(shardId(0), shardId(2), shardId(3));
        discover();
        Map<Integer, List<SourceEvent>> events = context.getSentSourceEvent();
        for (int reader : List.of(0, 1)) {
            assertThat(events.get(reader))
                    .as("reader %d", reader)
                    .anySatisfy(
                            e -> assertThat(((ShardsClosedEvent) e).shardIds()).containsExactly(shardId(0)));
        }
    }

    /** Defect 4: a shard started at LATEST is checkpointed at the resolved time, never as LATEST again. */
    @Test
    void latestIsResolvedOnceSoARestoreDoesNotSkipWhatArrivedMeanwhile() throws Throwable {
        KinesisSourceConfig config = builder()
                .readerType(ReaderType.POLLING)
                .initialPosition(ShardStartingPosition.latest())
                .build()
                .config();
        ShardSplitEnumerator enumerator =
                new ShardSplitEnumerator(context, config, new HashRangeShardAssigner(), null, stream, () -> NOW);
        enumerator.start();
        discover();
        EnumeratorState state = enumerator.snapshotState(1);
        assertThat(state.unassigned().values()).hasSize(2).allSatisfy(split -> {
            assertThat(split.startingPosition().type()).isEqualTo(ShardIteratorType.AT_TIMESTAMP);
            assertThat(split.startingPosition().timestamp()).isEqualTo(Instant.ofEpochMilli(NOW));
        });
    }

    /** Defect 5: a deregistered consumer is replaced and every reader told; a failing registration never throws. */
    @Test
    void aDeregisteredConsumerIsRegisteredAgainAndAnnouncedToEveryReader() throws Throwable {
        ShardSplitEnumerator enumerator =
                started(builder().jobManagedConsumer("replicator").build().config(), null);
        readers(0, 1);
        discover();
        String first = lastArn(0);
        assertThat(first).isNotNull().isEqualTo(lastArn(1));

        stream.deregisterAll();
        stream.failRegistrationWith(new IllegalStateException("consumer is DELETING"));
        discover();
        assertThat(lastArn(0)).as("nothing usable yet, nothing announced").isEqualTo(first);

        stream.failRegistrationWith(null);
        discover();
        assertThat(lastArn(0)).isNotEqualTo(first).isEqualTo(lastArn(1));
        context.unregisterReader(1);
        register(1);
        enumerator.addReader(1);
        assertThat(lastArn(1))
                .as("a (re)registered reader hears the current ARN")
                .isEqualTo(lastArn(0));
    }

    private ShardSplitEnumerator started(KinesisSourceConfig config, EnumeratorState state) {
        ShardSplitEnumerator enumerator =
                new ShardSplitEnumerator(context, config, new HashRangeShardAssigner(), state, stream, () -> NOW);
        enumerator.start();
        this.enumerator = enumerator;
        return enumerator;
    }

    private ShardSplitEnumerator enumerator;

    private static KinesisSourceBuilder<String> builder() {
        return KinesisSource.<String>builder()
                .streamArn(STREAM)
                .target(AwsTarget.of("us-west-2"))
                .deserializer(new io.kinesisha.replicator.source.KinesisDeserializationSchema<>() {
                    @Override
                    public void deserialize(
                            io.kinesisha.replicator.source.KinesisRecord record,
                            org.apache.flink.util.Collector<String> out) {}

                    @Override
                    public org.apache.flink.api.common.typeinfo.TypeInformation<String> getProducedType() {
                        return org.apache.flink.api.common.typeinfo.Types.STRING;
                    }
                });
    }

    private static KinesisSourceConfig polling() {
        return builder().readerType(ReaderType.POLLING).build().config();
    }

    private void discover() throws Throwable {
        context.runPeriodicCallable(0);
    }

    private void readers(int... subtasks) {
        for (int subtask : subtasks) {
            register(subtask);
            enumerator.addReader(subtask);
        }
    }

    private void register(int subtask) {
        context.registerReader(new ReaderInfo(subtask, "localhost"));
    }

    private List<String> assignedIds() {
        List<String> ids = new ArrayList<>();
        for (SplitsAssignment<ShardSplit> a : context.getSplitsAssignmentSequence()) {
            a.assignment().values().forEach(splits -> splits.forEach(s -> ids.add(s.splitId())));
        }
        return ids;
    }

    private ShardSplit assigned(String id) {
        return context.getSplitsAssignmentSequence().stream()
                .flatMap(a -> a.assignment().values().stream())
                .flatMap(List::stream)
                .filter(s -> s.splitId().equals(id))
                .findFirst()
                .orElseThrow();
    }

    private int subtaskOf(String id) {
        for (SplitsAssignment<ShardSplit> a : context.getSplitsAssignmentSequence()) {
            for (Map.Entry<Integer, List<ShardSplit>> e : a.assignment().entrySet()) {
                if (e.getValue().stream().anyMatch(s -> s.splitId().equals(id))) {
                    return e.getKey();
                }
            }
        }
        throw new AssertionError(id + " was never assigned");
    }

    private String lastArn(int reader) throws Exception {
        List<SourceEvent> events = context.getSentSourceEvent().getOrDefault(reader, List.of());
        List<String> arns = events.stream()
                .filter(e -> e instanceof ConsumerArnEvent)
                .map(e -> ((ConsumerArnEvent) e).consumerArn())
                .collect(Collectors.toList());
        return arns.isEmpty() ? null : arns.get(arns.size() - 1);
    }

    private static SplitsFinishedEvent finished(String... ids) {
        return new SplitsFinishedEvent(Set.of(ids));
    }
}
