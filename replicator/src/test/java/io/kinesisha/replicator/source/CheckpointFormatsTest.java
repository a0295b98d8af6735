package io.kinesisha.replicator.source;

import static org.assertj.core.api.Assertions.assertThat;

import io.kinesisha.replicator.source.enumerator.EnumeratorState;
import io.kinesisha.replicator.source.enumerator.EnumeratorStateSerializer;
import io.kinesisha.replicator.source.split.ShardSplit;
import io.kinesisha.replicator.source.split.ShardSplitSerializer;
import io.kinesisha.replicator.source.split.ShardStartingPosition;
import java.io.InputStream;
import java.math.BigInteger;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Savepoints outlive jars: every format the source ever wrote is restored from a committed fixture (written by the
 * jar of that format, never regenerated), and the current one round-trips.
 */
class CheckpointFormatsTest {
    private static final String STREAM = "arn:aws:kinesis:us-west-2:111111111111:stream/orders";

    @Test
    void splitFormat1() throws Exception {
        ShardSplit read = ShardSplitSerializer.INSTANCE.deserialize(1, fixture("split-v1-after-sequence.bin"));
        assertThat(read.shardId()).isEqualTo("shardId-000000000001");
        assertThat(read.parentShardIds()).isEmpty();
        assertThat(read.startingHashKey()).isEqualTo(new BigInteger("170141183460469231731687303715884105728"));
        assertThat(read.startingPosition())
                .isEqualTo(ShardStartingPosition.afterSequenceNumber(
                        "49650000000000000000000000000000000000000000000000000001"));
        assertThat(read.finished()).isFalse();

        ShardSplit finished =
                ShardSplitSerializer.INSTANCE.deserialize(1, fixture("split-v1-finished-at-timestamp.bin"));
        assertThat(finished.parentShardIds()).containsExactly("shardId-000000000000", "shardId-000000000001");
        assertThat(finished.startingPosition())
                .isEqualTo(ShardStartingPosition.atTimestamp(Instant.parse("2026-12-06T12:00:00Z")));
        assertThat(finished.finished()).isTrue();
    }

    @Test
    void enumeratorStateFormat1() throws Exception {
        EnumeratorState state = new EnumeratorStateSerializer().deserialize(1, fixture("enumerator-state-v1.bin"));
        assertThat(state.assigned()).containsExactly("shardId-000000000001");
        assertThat(state.finished()).containsExactly("shardId-000000000000");
        ShardSplit child = state.unassigned().get("shardId-000000000002");
        assertThat(child.parentShardIds()).containsExactly("shardId-000000000000");
        assertThat(child.startingPosition()).isEqualTo(ShardStartingPosition.trimHorizon());
    }

    @Test
    void currentFormatsRoundTrip() throws Exception {
        ShardSplit split = new ShardSplit(
                STREAM,
                "shardId-000000000007",
                List.of("shardId-000000000003"),
                BigInteger.ONE,
                BigInteger.TEN,
                null,
                ShardStartingPosition.atSequenceNumber("42"),
                false);
        ShardSplitSerializer splits = ShardSplitSerializer.INSTANCE;
        assertThat(splits.deserialize(splits.getVersion(), splits.serialize(split)))
                .isEqualTo(split);

        EnumeratorState state = new EnumeratorState(
                Map.of(split.splitId(), split), Set.of("shardId-000000000004"), Set.of("shardId-000000000003"));
        EnumeratorStateSerializer states = new EnumeratorStateSerializer();
        EnumeratorState back = states.deserialize(states.getVersion(), states.serialize(state));
        assertThat(back.unassigned()).isEqualTo(state.unassigned());
        assertThat(back.assigned()).isEqualTo(state.assigned());
        assertThat(back.finished()).isEqualTo(state.finished());
    }

    private static byte[] fixture(String name) throws Exception {
        try (InputStream in = CheckpointFormatsTest.class.getResourceAsStream("/checkpoint-formats/" + name)) {
            return in.readAllBytes();
        }
    }
}
