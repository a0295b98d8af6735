package io.kinesisha.common.sizing;

/**
 * How many Flink subtasks (one per KPU) a replication direction needs: the peak write rate times a catch-up factor
 * (after an interruption the job must replicate faster than producers write, or the lag never shrinks), divided by
 * what one core was measured to replicate. A provisioned source caps it at its shard count (a subtask without a shard
 * idles). The CDK app sizes the Managed Flink application with it and {@code ./kinesis-ha size} prints it, so the
 * estimate and the deployment never disagree.
 */
public final class ReplicatorCapacity {
    /**
     * MB/s one core replicated for the whole JVM in {@code ReplicatorBenchmark} (docs/performance.md, the final
     * method's lowest run: run 8; runs 6 and 9 measured 26.1 and 18.3): a measured floor, not a guess.
     */
    public static final double MEASURED_MB_PER_SECOND_PER_CORE = 11.6;
    /** Replicate twice as fast as producers write: a backlog drains in the time it took to build. */
    public static final double DEFAULT_CATCH_UP_FACTOR = 2.0;

    private final double mbPerSecond;
    private final double catchUpFactor;
    private final double mbPerSecondPerCore;
    private final int shards;

    /** @param shards the source's open shards, or 0 for an on-demand stream (no cap) */
    public ReplicatorCapacity(double mbPerSecond, double catchUpFactor, double mbPerSecondPerCore, int shards) {
        if (!(mbPerSecond > 0) || !(catchUpFactor >= 1) || !(mbPerSecondPerCore > 0) || shards < 0) {
            throw new IllegalArgumentException(
                    "sizing needs a write rate > 0, a catch-up factor >= 1, a per-core rate > 0"
                            + " and shards >= 0; was " + mbPerSecond + ", " + catchUpFactor + ", " + mbPerSecondPerCore
                            + ", " + shards);
        }
        this.mbPerSecond = mbPerSecond;
        this.catchUpFactor = catchUpFactor;
        this.mbPerSecondPerCore = mbPerSecondPerCore;
        this.shards = shards;
    }

    /** Cores the write rate and catch-up factor need, before any cap. */
    public double coresNeeded() {
        return mbPerSecond * catchUpFactor / mbPerSecondPerCore;
    }

    /** The job's parallelism: the cores needed, rounded up, at least 1, at most the shard count. */
    public int parallelism() {
        int p = (int) Math.max(1, Math.ceil(coresNeeded() - 1e-9));
        return shards > 0 ? Math.min(p, shards) : p;
    }

    /** True when the shard count, not the write rate, set the parallelism below what the rate needs. */
    public boolean cappedByShards() {
        return shards > 0 && Math.ceil(coresNeeded() - 1e-9) > shards;
    }

    public double mbPerSecond() {
        return mbPerSecond;
    }

    public double catchUpFactor() {
        return catchUpFactor;
    }

    public double mbPerSecondPerCore() {
        return mbPerSecondPerCore;
    }

    public int shards() {
        return shards;
    }
}
