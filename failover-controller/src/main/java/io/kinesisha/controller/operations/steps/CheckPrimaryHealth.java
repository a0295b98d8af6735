package io.kinesisha.controller.operations.steps;

import io.kinesisha.common.aws.AwsTargets;
import io.kinesisha.common.control.ControlRecord;
import io.kinesisha.controller.actions.ApiCall;
import io.kinesisha.controller.health.KinesisProbe;
import io.kinesisha.controller.health.ProbeResult;
import io.kinesisha.controller.operations.PairContext;
import io.kinesisha.controller.statemachine.Operation;
import io.kinesisha.controller.statemachine.OperationRunner.StepResult;
import io.kinesisha.controller.statemachine.Step;
import io.kinesisha.controller.time.ControllerTime.Stopwatch;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The failback's dwell: probes the primary until it has answered every probe for the dwell time, and fails at the
 * first bad probe (the failback waits at this step until it is run again), so a flapping region is not failed back to.
 */
public final class CheckPrimaryHealth implements OperationStep {
    /** Probes one region's stream; closed when the step is done. */
    interface Probe extends AutoCloseable {
        ProbeResult probe();

        @Override
        void close();
    }

    private final StepSupport s;
    private final Function<String, Probe> probes;

    public CheckPrimaryHealth(StepSupport support) {
        this(support, region -> {
            PairContext ctx = support.ctx();
            KinesisProbe probe = new KinesisProbe(
                    AwsTargets.kinesis(ctx.config(), ctx.side(region)),
                    ctx.streamArn(region),
                    ctx.config().health().probeTimeout(),
                    ctx.clock());
            return new Probe() {
                @Override
                public ProbeResult probe() {
                    return probe.probe();
                }

                @Override
                public void close() {
                    probe.close();
                }
            };
        });
    }

    /** With the probe of a region made by {@code probes} (tests probe a fake). */
    CheckPrimaryHealth(StepSupport support, Function<String, Probe> probes) {
        this.s = support;
        this.probes = probes;
    }

    @Override
    public Step id() {
        return Step.CHECK_PRIMARY_HEALTH;
    }

    @Override
    public StepResult run(Operation op, ControlRecord record) throws InterruptedException {
        String region = s.ctx().primaryRegion();
        Duration dwell = StepParameters.DWELL.in(op, s.ctx().config().failback().healthDwell());
        Duration interval = interval(dwell);
        Stopwatch healthy = s.time().stopwatch();
        int probeCount = 0;
        long worstMillis = 0;
        try (Probe probe = probes.apply(region)) {
            while (true) {
                ProbeResult r = probe.probe();
                probeCount++;
                if (!r.healthy()) {
                    throw new IllegalStateException(
                            "failback refused: " + region + " is not healthy (" + r.error()
                                    + "); the failback waits at this step: run ./kinesis-ha failback --yes again once it is back");
                }
                worstMillis = Math.max(worstMillis, r.latency().toMillis());
                long elapsed = healthy.elapsedMillis();
                if (elapsed >= dwell.toMillis()) {
                    break;
                }
                s.waiting(region + " to stay healthy");
                if (probeCount % 5 == 1) {
                    s.progress(region + " healthy for " + elapsed + " ms of " + dwell.toMillis() + " ms dwell");
                }
                s.time().sleep(interval);
            }
        }
        return StepResult.done(Map.of(
                "health.region",
                region,
                "health.probes",
                Integer.toString(probeCount),
                StepParameters.DWELL.key(),
                Long.toString(dwell.toMillis()),
                "health.worstLatencyMillis",
                Long.toString(worstMillis)));
    }

    /** Five probes per dwell, between 100 ms and 1 s apart. */
    static Duration interval(Duration dwell) {
        return Duration.ofMillis(Math.max(100, Math.min(1000, dwell.toMillis() / 5)));
    }

    @Override
    public List<ApiCall> plan(ControlRecord record, String active) {
        return List.of(); // probes only
    }
}
