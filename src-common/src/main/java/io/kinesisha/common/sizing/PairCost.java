package io.kinesisha.common.sizing;

/**
 * What one replication direction costs a month: the Managed Flink application (its subtasks' KPUs plus the one KPU
 * every application is billed for orchestration, and their running storage), the replicator's enhanced fan-out
 * consumer on the source (consumer-shard-hours and data retrieval), and the cross-region transfer of every byte.
 * The streams themselves and the controller (a Lambda running a few seconds a minute) are left out: the first exist
 * without kinesis-ha, the second costs cents.
 */
public final class PairCost {
    /** Hours in a month as AWS bills them. */
    public static final double HOURS_PER_MONTH = 730;

    private final ReplicatorCapacity capacity;
    private final UnitPrices prices;

    public PairCost(ReplicatorCapacity capacity, UnitPrices prices) {
        this.capacity = capacity;
        this.prices = prices;
    }

    /** KPUs billed: one per subtask plus one for the application's orchestration. */
    public int kpus() {
        return capacity.parallelism() + 1;
    }

    /** GB replicated a month at the write rate (decimal units, as AWS bills). */
    public double gbPerMonth() {
        return capacity.mbPerSecond() * HOURS_PER_MONTH * 3600 / 1000;
    }

    public double flinkPerMonth() {
        return kpus() * prices.kpuHour() * HOURS_PER_MONTH
                + capacity.parallelism() * prices.storageGbPerKpu() * prices.storageGbMonth();
    }

    /** The consumer holds every open shard of the source all month; one consumer-shard per shard (1 if on-demand). */
    public double efoPerMonth() {
        int consumerShards = Math.max(1, capacity.shards());
        return consumerShards * prices.efoConsumerShardHour() * HOURS_PER_MONTH
                + gbPerMonth() * prices.efoRetrievalGb();
    }

    public double transferPerMonth() {
        return gbPerMonth() * prices.interRegionTransferGb();
    }

    public double totalPerMonth() {
        return flinkPerMonth() + efoPerMonth() + transferPerMonth();
    }

    public ReplicatorCapacity capacity() {
        return capacity;
    }

    public UnitPrices prices() {
        return prices;
    }
}
