package io.kinesisha.common.sizing;

/**
 * The published per-unit list prices a pair's cost is made of, for one region, with the date they were taken: a cost
 * estimate is only as good as its prices, so the estimate prints them and their date next to every figure.
 */
public final class UnitPrices {
    /** us-east-1 list prices as AWS published them (aws.amazon.com/managed-service-apache-flink/pricing,
     * /kinesis/data-streams/pricing, /ec2/pricing/on-demand data transfer); check them before budgeting. */
    public static final UnitPrices US_EAST_1 =
            new UnitPrices("us-east-1", "2025-06", 0.11, 0.10, 50, 0.015, 0.013, 0.02);

    private final String region;
    private final String asOf;
    private final double kpuHour;
    private final double storageGbMonth;
    private final int storageGbPerKpu;
    private final double efoConsumerShardHour;
    private final double efoRetrievalGb;
    private final double interRegionTransferGb;

    public UnitPrices(
            String region,
            String asOf,
            double kpuHour,
            double storageGbMonth,
            int storageGbPerKpu,
            double efoConsumerShardHour,
            double efoRetrievalGb,
            double interRegionTransferGb) {
        this.region = region;
        this.asOf = asOf;
        this.kpuHour = kpuHour;
        this.storageGbMonth = storageGbMonth;
        this.storageGbPerKpu = storageGbPerKpu;
        this.efoConsumerShardHour = efoConsumerShardHour;
        this.efoRetrievalGb = efoRetrievalGb;
        this.interRegionTransferGb = interRegionTransferGb;
    }

    public String region() {
        return region;
    }

    /** When the prices were taken from AWS's pricing pages (year-month). */
    public String asOf() {
        return asOf;
    }

    /** Managed Service for Apache Flink, per KPU-hour (1 vCPU, 4 GiB). */
    public double kpuHour() {
        return kpuHour;
    }

    /** Managed Flink running-application storage, per GB-month. */
    public double storageGbMonth() {
        return storageGbMonth;
    }

    /** Running-application storage each KPU comes with (GB). */
    public int storageGbPerKpu() {
        return storageGbPerKpu;
    }

    /** Kinesis Data Streams (provisioned) enhanced fan-out, per consumer-shard-hour. */
    public double efoConsumerShardHour() {
        return efoConsumerShardHour;
    }

    /** Kinesis Data Streams (provisioned) enhanced fan-out data retrieval, per GB. */
    public double efoRetrievalGb() {
        return efoRetrievalGb;
    }

    /** Data transfer out to another AWS region, per GB (between US regions). */
    public double interRegionTransferGb() {
        return interRegionTransferGb;
    }
}
