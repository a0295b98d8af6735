package io.kinesisha.replicator;

import static org.assertj.core.api.Assertions.assertThat;

import io.kinesisha.common.config.ReplicationPairConfig;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.environment.CheckpointConfig;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;

/** The job's checkpoints come from the pair's config: a stuck flush is abandoned, not waited for forever. */
class ReplicatorCheckpointingTest {
    @Test
    void checkpointTimeoutAndToleratedFailuresComeFromTheConfig() {
        Map<String, String> keys = new HashMap<>();
        keys.put("pair.name", "orders");
        keys.put("primary.stream-arn", "arn:aws:kinesis:us-east-1:123456789012:stream/orders");
        keys.put("secondary.stream-arn", "arn:aws:kinesis:us-west-2:123456789012:stream/orders-replica");
        keys.put("replication.checkpoint-interval-ms", "5000");
        keys.put("replication.checkpoint-timeout-ms", "45000");
        keys.put("replication.tolerable-checkpoint-failures", "7");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();

        Replicator.configureCheckpointing(
                env, ReplicationPairConfig.fromMap(keys).replication());

        CheckpointConfig checkpoints = env.getCheckpointConfig();
        assertThat(checkpoints.getCheckpointInterval()).isEqualTo(5000);
        assertThat(checkpoints.getCheckpointingConsistencyMode()).isEqualTo(CheckpointingMode.AT_LEAST_ONCE);
        assertThat(checkpoints.getCheckpointTimeout()).isEqualTo(45000);
        assertThat(checkpoints.getTolerableCheckpointFailureNumber()).isEqualTo(7);
    }

    @Test
    void defaultsAbandonACheckpointAfterTwoMinutesAndTolerateThree() {
        Map<String, String> keys = new HashMap<>();
        keys.put("pair.name", "orders");
        keys.put("primary.stream-arn", "arn:aws:kinesis:us-east-1:123456789012:stream/orders");
        keys.put("secondary.stream-arn", "arn:aws:kinesis:us-west-2:123456789012:stream/orders-replica");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();

        Replicator.configureCheckpointing(
                env, ReplicationPairConfig.fromMap(keys).replication());

        assertThat(env.getCheckpointConfig().getCheckpointTimeout()).isEqualTo(120_000);
        assertThat(env.getCheckpointConfig().getTolerableCheckpointFailureNumber())
                .isEqualTo(3);
        assertThat(ReplicationPairConfig.fromMap(keys).replication().maxBufferedPerKey())
                .isEqualTo(200);
    }
}
