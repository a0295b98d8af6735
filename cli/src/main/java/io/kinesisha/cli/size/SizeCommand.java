package io.kinesisha.cli.size;

import io.kinesisha.cli.OutputOptions;
import io.kinesisha.common.sizing.PairCost;
import io.kinesisha.common.sizing.ReplicatorCapacity;
import io.kinesisha.common.sizing.UnitPrices;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code size}: what a pair needs and costs before anyone deploys it, from the throughput one core was measured to
 * replicate and the published unit prices (with their date). The CDK app sizes the application with the same model.
 */
@Command(
        name = "size",
        mixinStandardHelpOptions = true,
        description = {
            "Estimate the Managed Flink KPUs, the EFO consumer and the cross-region transfer one replication",
            "direction needs at a peak write rate, and what they cost a month (us-east-1 list prices, dated).",
            "Provisioned source streams; the streams themselves are not counted."
        })
public final class SizeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(
            names = "--mb-per-second",
            required = true,
            paramLabel = "X",
            description = "Peak write rate of the primary stream, MB/s (decimal).")
    double mbPerSecond;

    @Option(names = "--shards", required = true, paramLabel = "N", description = "Open shards of the primary stream.")
    int shards;

    @Option(
            names = "--catch-up-factor",
            paramLabel = "F",
            defaultValue = "2.0",
            description = "Replication capacity over the write rate, so a backlog drains (default ${DEFAULT-VALUE}).")
    double catchUpFactor;

    @Option(
            names = "--mb-per-second-per-core",
            paramLabel = "R",
            description =
                    "What one core replicates, MB/s (default: the measured floor, 11.6; see docs/performance.md).")
    Double perCore;

    @Mixin
    OutputOptions output;

    @Override
    public Integer call() {
        if (!(mbPerSecond > 0)) {
            throw new ParameterException(spec.commandLine(), "--mb-per-second must be more than 0, was " + mbPerSecond);
        }
        if (shards < 1 || shards > 10_000) {
            throw new ParameterException(spec.commandLine(), "--shards must be 1..10000, was " + shards);
        }
        if (mbPerSecond > shards) {
            throw new ParameterException(
                    spec.commandLine(),
                    "--mb-per-second " + fmt(mbPerSecond) + " is more than " + shards
                            + " shards accept (1 MB/s each): raise --shards");
        }
        if (!(catchUpFactor >= 1 && catchUpFactor <= 10)) {
            throw new ParameterException(spec.commandLine(), "--catch-up-factor must be 1..10, was " + catchUpFactor);
        }
        double rate = perCore == null ? ReplicatorCapacity.MEASURED_MB_PER_SECOND_PER_CORE : perCore;
        if (!(rate > 0)) {
            throw new ParameterException(
                    spec.commandLine(), "--mb-per-second-per-core must be more than 0, was " + rate);
        }
        PairCost cost =
                new PairCost(new ReplicatorCapacity(mbPerSecond, catchUpFactor, rate, shards), UnitPrices.US_EAST_1);
        PrintWriter out = spec.commandLine().getOut();
        if (output.json()) {
            output.printJson(out, json(cost));
        } else {
            print(out, cost);
        }
        return 0;
    }

    private static Map<String, Object> json(PairCost cost) {
        ReplicatorCapacity c = cost.capacity();
        UnitPrices p = cost.prices();
        Map<String, Object> input = new LinkedHashMap<>();
        input.put("mbPerSecond", c.mbPerSecond());
        input.put("shards", c.shards());
        input.put("catchUpFactor", c.catchUpFactor());
        input.put("mbPerSecondPerCore", c.mbPerSecondPerCore());
        Map<String, Object> flink = new LinkedHashMap<>();
        flink.put("coresNeeded", round(c.coresNeeded()));
        flink.put("parallelism", c.parallelism());
        flink.put("cappedByShards", c.cappedByShards());
        flink.put("kpus", cost.kpus());
        flink.put("usdPerMonth", round(cost.flinkPerMonth()));
        Map<String, Object> efo = new LinkedHashMap<>();
        efo.put("consumerShards", c.shards());
        efo.put("gbPerMonth", round(cost.gbPerMonth()));
        efo.put("usdPerMonth", round(cost.efoPerMonth()));
        Map<String, Object> transfer = new LinkedHashMap<>();
        transfer.put("gbPerMonth", round(cost.gbPerMonth()));
        transfer.put("usdPerMonth", round(cost.transferPerMonth()));
        Map<String, Object> prices = new LinkedHashMap<>();
        prices.put("region", p.region());
        prices.put("asOf", p.asOf());
        prices.put("kpuHour", p.kpuHour());
        prices.put("storageGbMonth", p.storageGbMonth());
        prices.put("efoConsumerShardHour", p.efoConsumerShardHour());
        prices.put("efoRetrievalGb", p.efoRetrievalGb());
        prices.put("interRegionTransferGb", p.interRegionTransferGb());
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("input", input);
        result.put("flink", flink);
        result.put("efo", efo);
        result.put("transfer", transfer);
        result.put("usdPerMonth", round(cost.totalPerMonth()));
        result.put("prices", prices);
        return result;
    }

    private static void print(PrintWriter out, PairCost cost) {
        ReplicatorCapacity c = cost.capacity();
        UnitPrices p = cost.prices();
        out.printf(
                Locale.ROOT,
                "One replication direction at %s MB/s peak, %d shards, catch-up x%s, %s MB/s per core:%n",
                fmt(c.mbPerSecond()),
                c.shards(),
                fmt(c.catchUpFactor()),
                fmt(c.mbPerSecondPerCore()));
        out.printf(Locale.ROOT, "%-22s %-44s %12s%n", "part", "units", "USD/month");
        out.printf(
                Locale.ROOT,
                "%-22s %-44s %12.2f%n",
                "Managed Flink",
                cost.kpus() + " KPU (parallelism " + c.parallelism() + " + 1 orchestration)",
                cost.flinkPerMonth());
        out.printf(
                Locale.ROOT,
                "%-22s %-44s %12.2f%n",
                "EFO consumer",
                c.shards() + " consumer-shards, " + fmt(cost.gbPerMonth()) + " GB retrieved",
                cost.efoPerMonth());
        out.printf(
                Locale.ROOT,
                "%-22s %-44s %12.2f%n",
                "cross-region transfer",
                fmt(cost.gbPerMonth()) + " GB",
                cost.transferPerMonth());
        out.printf(Locale.ROOT, "%-22s %-44s %12.2f%n", "total", "", cost.totalPerMonth());
        if (c.cappedByShards()) {
            out.printf(
                    Locale.ROOT,
                    "note: %s cores are needed but %d shards cap the parallelism at %d; the job cannot"
                            + " catch up at x%s: add shards%n",
                    fmt(c.coresNeeded()),
                    c.shards(),
                    c.parallelism(),
                    fmt(c.catchUpFactor()));
        }
        out.printf(
                Locale.ROOT,
                "prices: %s list prices as of %s (KPU-hour $%s, EFO consumer-shard-hour $%s, EFO GB $%s,"
                        + " inter-region GB $%s); check them before budgeting%n",
                p.region(),
                p.asOf(),
                fmt(p.kpuHour()),
                fmt(p.efoConsumerShardHour()),
                fmt(p.efoRetrievalGb()),
                fmt(p.interRegionTransferGb()));
        out.flush();
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }

    private static String fmt(double v) {
        return java.math.BigDecimal.valueOf(v)
                .setScale(3, java.math.RoundingMode.HALF_UP)
                .stripTrailingZeros()
                .toPlainString();
    }
}
