package io.kinesisha.cli.verify;

import io.kinesisha.cli.ConfigOptions;
import io.kinesisha.cli.OutputOptions;
import io.kinesisha.cli.TimeArgument;
import io.kinesisha.common.aws.AwsClientFactory;
import io.kinesisha.common.aws.AwsTargets;
import io.kinesisha.common.config.RegionConfig;
import io.kinesisha.common.config.ReplicationPairConfig;
import io.kinesisha.controller.verify.StreamScanner;
import io.kinesisha.controller.verify.StreamVerifier;
import io.kinesisha.controller.verify.VerifyReport;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import software.amazon.awssdk.services.kinesis.KinesisClient;

/** Reads both streams of the pair over a window and reports what is missing, duplicated or out of order. */
@Command(
        name = "verify",
        mixinStandardHelpOptions = true,
        description = {
            "Compare the records the source stream received between --from and --to with the replica:",
            "records missing in either stream, duplicates, per-key order violations, with counts and examples."
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:the streams agree (duplicates are allowed: at-least-once)",
            "1:the check could not run",
            "2:bad command line or configuration",
            "4:records missing in either stream or out of order"
        })
public final class VerifyCommand implements Callable<Integer> {
    static final int DIFFERENCES = 4;

    @Spec
    CommandSpec spec;

    @Mixin
    ConfigOptions config;

    @Mixin
    OutputOptions output;

    @Option(
            names = "--from",
            required = true,
            converter = TimeArgument.class,
            paramLabel = "TIME",
            description = "Start of the window (ISO-8601, 'now', or relative like -15m).")
    Instant from;

    @Option(
            names = "--to",
            defaultValue = "now",
            converter = TimeArgument.class,
            paramLabel = "TIME",
            description = "End of the window (default: now).")
    Instant to;

    @Option(
            names = "--grace-seconds",
            defaultValue = "300",
            paramLabel = "SECONDS",
            description = "How much later than --to copies may arrive in the replica (default: ${DEFAULT-VALUE}).")
    long graceSeconds;

    @Option(names = "--reverse", description = "Verify secondary -> primary (after failback) instead.")
    boolean reverse;

    @Override
    public Integer call() {
        if (!from.isBefore(to)) {
            throw new IllegalArgumentException("--from (" + from + ") must be before --to (" + to + ")");
        }
        if (graceSeconds < 0) {
            throw new IllegalArgumentException("--grace-seconds must be >= 0, was " + graceSeconds);
        }
        ReplicationPairConfig pair = config.load();
        RegionConfig source = reverse ? pair.secondary() : pair.primary();
        RegionConfig target = reverse ? pair.primary() : pair.secondary();
        Instant until = to.plus(Duration.ofSeconds(graceSeconds));
        Instant now = Instant.now();
        VerifyReport report;
        try (AwsClientFactory clients = new AwsClientFactory(AwsTargets.tuning(pair));
                KinesisClient sourceClient = clients.kinesis(AwsTargets.kinesis(pair, source));
                KinesisClient targetClient = clients.kinesis(AwsTargets.kinesis(pair, target))) {
            report = new StreamVerifier(new StreamScanner(sourceClient), new StreamScanner(targetClient))
                    .verify(
                            source.streamArn().toString(),
                            target.streamArn().toString(),
                            from,
                            to,
                            until.isAfter(now) ? now : until);
        }
        print(spec.commandLine().getOut(), report);
        return report.clean() ? 0 : DIFFERENCES;
    }

    private void print(PrintWriter out, VerifyReport r) {
        if (output.json()) {
            output.printJson(out, r);
            return;
        }
        out.printf("verify %s -> %s, %s .. %s%n", r.sourceStreamArn, r.targetStreamArn, r.from, r.to);
        out.printf("  source records %d (%d keys), replica records %d%n", r.sourceRecords, r.keys, r.targetRecords);
        line(out, "missing in the replica", r.missingInTarget, r.missingExamples);
        line(out, "in the replica but not in the source", r.unexpectedInTarget, r.unexpectedExamples);
        line(out, "duplicates in the replica", r.duplicatesInTarget, r.duplicateExamples);
        line(out, "per-key order violations", r.orderViolations, r.orderExamples);
        out.println(r.clean() ? "RESULT: the streams agree" : "RESULT: differences found");
        out.flush();
    }

    private static void line(PrintWriter out, String what, long count, List<String> examples) {
        out.printf("  %-38s %d%n", what, count);
        for (String example : examples) {
            out.printf("      e.g. %s%n", example);
        }
    }
}
