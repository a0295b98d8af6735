package io.kinesisha.replicator;

/**
 * The parallelism a replicator job gets when the operator names none: one reader and one writer per open source
 * shard (a shard is read by one subtask at a time, so more subtasks than shards idle), capped by the machine. The
 * subtasks wait on network round trips far more than they compute, so the cap is two per core: measured on 2 cores
 * against the emulators, parallelism 4 for 4 shards kept up with raw ingest where 2 did not (docs/performance.md).
 */
public final class JobParallelism {
    /** Flink's and {@code --parallelism}'s upper bound. */
    public static final int MAX = 64;

    private JobParallelism() {}

    /** The most subtasks this machine runs by default. */
    public static int machineCap() {
        return cap(Runtime.getRuntime().availableProcessors());
    }

    static int cap(int cores) {
        return Math.max(1, Math.min(MAX, 2 * cores));
    }

    /** One subtask per open shard, at least one, at most {@code cap}. */
    public static int forOpenShards(int openShards, int cap) {
        return Math.max(1, Math.min(openShards, cap));
    }
}
