package io.kinesisha.infra.constructs;

import io.kinesisha.infra.DeploymentSettings;

/**
 * How many Flink subtasks the replicator gets: the peak write rate times a catch-up factor (after an interruption
 * the job must replicate faster than producers write, or the lag never shrinks), divided by what one core was
 * measured to sustain. One subtask per KPU, because the work (decompress, order per key, PutRecords) is CPU- and
 * network-bound, not memory-bound. A provisioned stream caps it at the shard count: a source subtask without a shard
 * idles.
 *
 * @param parallelism total parallelism of the application
 * @param parallelismPerKpu subtasks per Kinesis Processing Unit (1 vCPU, 4 GiB)
 */
public record ReplicatorSizing(int parallelism, int parallelismPerKpu) {
    public static ReplicatorSizing of(DeploymentSettings settings) {
        double needed = settings.expectedMbPerSecond() * settings.catchUpFactor() / settings.mbPerSecondPerCore();
        int parallelism = (int) Math.max(1, Math.ceil(needed - 1e-9));
        if (!settings.onDemand()) {
            parallelism = Math.min(parallelism, settings.shards());
        }
        return new ReplicatorSizing(parallelism, 1);
    }
}
