package io.kinesisha.cli.control;

import io.kinesisha.cli.ConfigOptions;
import io.kinesisha.cli.OutputOptions;
import io.kinesisha.common.control.ControlRecord;
import io.kinesisha.controller.health.Evidence;
import io.kinesisha.controller.health.HealthPolicy;
import io.kinesisha.controller.health.PolicyMemory;
import io.kinesisha.controller.health.PolicySettings;
import io.kinesisha.controller.health.Verdict;
import io.kinesisha.controller.operations.PairContext;
import io.kinesisha.controller.runtime.ControllerLoop;
import io.kinesisha.controller.runtime.ControllerTick;
import io.kinesisha.controller.runtime.EvidenceCollector;
import io.kinesisha.controller.statemachine.PairState;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** The local run mode of the controller: evaluates every probe interval and fails over on its own. */
@Command(
        name = "controller",
        mixinStandardHelpOptions = true,
        description = {
            "Run the failover controller until Ctrl-C: every probe interval (health.probe-interval-ms) probe",
            "the primary (and read CloudWatch unless the endpoints are local), evaluate the health policy, and fail",
            "over automatically when it says so; also resumes an unfinished failover."
        })
public final class ControllerCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ConfigOptions config;

    @Mixin
    OutputOptions output;

    @Mixin
    Confirmation confirmation;

    @Option(names = "--no-cloudwatch", description = "Judge by probes and replication progress only.")
    boolean noCloudWatch;

    @Override
    public Integer call() throws Exception {
        try (PairContext ctx = PairContext.open(
                config.load(), "controller:" + System.getProperty("user.name", "unknown"), Clock.systemUTC())) {
            ControlSession.requireRecord(ctx);
            boolean cloudWatch = !noCloudWatch && !EvidenceCollector.isLocal(ctx);
            PrintWriter out = spec.commandLine().getOut();
            try (EvidenceCollector evidence = new EvidenceCollector(ctx, cloudWatch)) {
                if (confirmation.dryRun()) {
                    ControlRecord record = ctx.control().read(ctx.pair());
                    Evidence e = evidence.collect(record);
                    Verdict v = new HealthPolicy(
                                    PolicySettings.from(ctx.config().health()), ctx.clock())
                            .evaluate(
                                    e,
                                    PairState.valueOf(record.state()),
                                    record.automationPaused(),
                                    PolicyMemory.fromJson(record.policyMemory()));
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("dryRun", true);
                    m.put("decision", v.decision().name());
                    m.put("healthy", v.healthy());
                    m.put("reasons", v.reasons());
                    m.put("holdReason", v.holdReason());
                    m.put("inputs", v.inputs());
                    if (output.json()) {
                        output.printJson(out, m);
                    } else {
                        out.println("dry run: one evaluation, nothing written: " + v.decision()
                                + (v.healthy() ? " (healthy)" : " " + v.reasons())
                                + (v.holdReason() == null ? "" : ", holding: " + v.holdReason()));
                        out.flush();
                    }
                    return 0;
                }
                if (!confirmation.confirm(
                        "controller",
                        "run the controller for pair " + ctx.pair() + ", which fails over to " + ctx.secondaryRegion()
                                + " on its own",
                        spec.commandLine().getErr())) {
                    return Confirmation.DECLINED;
                }
                Duration interval = ctx.config().health().probeInterval();
                spec.commandLine()
                        .getErr()
                        .println("kinesis-ha controller: pair " + ctx.pair() + ", evaluating every "
                                + interval.toMillis() + " ms (" + (cloudWatch ? "probe + CloudWatch" : "probe only")
                                + "); Ctrl-C stops it");
                spec.commandLine().getErr().flush();
                CountDownLatch stopped = new CountDownLatch(1);
                Runtime.getRuntime().addShutdownHook(new Thread(stopped::countDown));
                ControllerTick tick = new ControllerTick(
                        ctx, evidence, Progress.to(spec, output), ControllerTick.DEFAULT_STALE_OPERATION);
                try (ControllerLoop loop = new ControllerLoop(tick, interval, r -> report(out, r), e -> {
                    spec.commandLine().getErr().println("kinesis-ha controller: round failed: " + e);
                    spec.commandLine().getErr().flush();
                })) {
                    loop.start();
                    stopped.await();
                }
                return 0;
            }
        }
    }

    private void report(PrintWriter out, ControllerTick.Result r) {
        if (output.json()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("at", java.time.Instant.now().toString());
            m.put("action", r.action());
            m.put("detail", r.detail());
            m.put("decision", r.decision() == null ? null : r.decision().name());
            out.println(io.kinesisha.cli.OutputOptions.mapper()
                    .copy()
                    .disable(com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT)
                    .valueToTree(m)
                    .toString());
        } else {
            out.println(java.time.Instant.now() + " " + r);
        }
        out.flush();
    }
}
