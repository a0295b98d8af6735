package io.kinesisha.replicator.progress;

import static org.assertj.core.api.Assertions.assertThat;

import io.kinesisha.common.control.ReplicationDirection;
import io.kinesisha.common.control.ShardProgress;
import io.kinesisha.replicator.ReplicatedRecord;
import io.kinesisha.replicator.source.KinesisRecord;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The flush mark: set only at a flush, from what is written then, and carried in every later row. */
class ShardProgressTrackerTest {
    private final ShardProgressTracker tracker = new ShardProgressTracker("p", new ReplicationDirection("a", "b"), 3);

    @Test
    void aFlushMarksTheShardPositionAndTheWritersHighestTargetPerShard() {
        ReplicatedRecord first = record("10", "k1");
        ReplicatedRecord second = record("11", "k2");
        tracker.accepted(first);
        tracker.accepted(second);
        tracker.written(second, "t1", "900"); // out of order across keys
        tracker.written(first, "t0", "500");
        assertThat(row().markSequenceNumber()).as("no flush yet").isNull();

        tracker.flushed();
        ReplicatedRecord later = record("12", "k1");
        tracker.accepted(later);
        tracker.written(later, "t0", "600");

        ShardProgress row = row();
        assertThat(row.lastSequenceNumber()).isEqualTo("12");
        assertThat(row.markSequenceNumber())
                .as("the position at the flush, not after it")
                .isEqualTo("11");
        assertThat(row.markTargets()).isEqualTo(Map.of("t0", "500", "t1", "900"));
    }

    private ShardProgress row() {
        List<ShardProgress> rows = tracker.progress(1, 0);
        assertThat(rows).hasSize(1);
        return rows.get(0);
    }

    private static ReplicatedRecord record(String sequence, String key) {
        return ReplicatedRecord.of(new KinesisRecord("arn", "s0", key, sequence, 0, 0, new byte[] {1}));
    }
}
