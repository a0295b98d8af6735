package io.kinesisha.infra.constructs;

import io.kinesisha.common.sizing.ReplicatorCapacity;
import io.kinesisha.infra.DeploymentSettings;

/**
 * How many Flink subtasks the replicator gets, by the model {@code ./kinesis-ha size} prints
 * ({@link ReplicatorCapacity}: peak write rate times catch-up factor over the measured MB/s per core, capped by a
 * provisioned stream's shards). One subtask per KPU, because the work (decompress, order per key, PutRecords) is
 * CPU- and network-bound, not memory-bound.
 *
 * @param parallelism total parallelism of the application
 * @param parallelismPerKpu subtasks per Kinesis Processing Unit (1 vCPU, 4 GiB)
 */
public record ReplicatorSizing(int parallelism, int parallelismPerKpu) {
    public static ReplicatorSizing of(DeploymentSettings settings) {
        ReplicatorCapacity capacity = new ReplicatorCapacity(
                settings.expectedMbPerSecond(),
                settings.catchUpFactor(),
                settings.mbPerSecondPerCore(),
                settings.onDemand() ? 0 : settings.shards());
        return new ReplicatorSizing(capacity.parallelism(), 1);
    }
}
