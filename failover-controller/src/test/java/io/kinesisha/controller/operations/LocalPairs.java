package io.kinesisha.controller.operations;

import io.kinesisha.controller.operations.steps.StepParameters;
import io.kinesisha.controller.statemachine.OperationRunner;
import io.kinesisha.controller.statemachine.Step;
import io.kinesisha.testkit.LocalEnvironment;
import io.kinesisha.testkit.LocalEnvironmentExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fresh pairs for controller tests on the local environment: unique names within a test class, no fence settle,
 * control table and first record created; every context opened in a test is closed after it. Register it as a
 * static field after the {@link LocalEnvironmentExtension} it uses.
 */
public final class LocalPairs implements AfterEachCallback {
    private final LocalEnvironmentExtension local;
    private final String prefix;
    private final List<PairContext> opened = new ArrayList<>();
    private int count;

    public LocalPairs(LocalEnvironmentExtension local, String prefix) {
        this.local = local;
        this.prefix = prefix;
    }

    /** Streams with {@code shards} shards in both regions and the config naming them. */
    public LocalPair create(int shards) {
        return new LocalPair(local.env(), prefix + (++count), shards, Map.of("failover.fence-settle-ms", "0"));
    }

    /** A controller context on {@code pair}, closed after the test. */
    public PairContext open(LocalPair pair) {
        LocalEnvironment env = local.env();
        PairContext ctx = pair.openWithRecord(env);
        opened.add(ctx);
        return ctx;
    }

    /** A controller context on a new pair of {@code shards}-shard streams, closed after the test. */
    public PairContext open(int shards) {
        return open(create(shards));
    }

    /** A completed failover, then a failback recorded with no dwell and short bounds (not yet run). */
    static void failOverThenRequestFailback(PairContext ctx, java.util.function.Consumer<String> progress)
            throws Exception {
        OperationDriver.Report failover = new OperationDriver(ctx, progress).failover("test outage");
        org.assertj.core.api.Assertions.assertThat(failover.result())
                .as(failover.message())
                .isEqualTo(OperationDriver.Result.COMPLETED);
        Map<String, String> params = new java.util.HashMap<>(
                OperationDriver.failoverParameters(ctx.control().read(ctx.pair())));
        params.put(StepParameters.DWELL.key(), "0");
        params.put(StepParameters.PAUSE_GRACE.key(), "50");
        params.put(StepParameters.DRAIN_TIMEOUT.key(), "10000");
        params.put(StepParameters.CATCH_UP_TIMEOUT.key(), "10000");
        org.assertj.core.api.Assertions.assertThat(ctx.control()
                        .fire(
                                ctx.pair(),
                                io.kinesisha.controller.statemachine.PairEvent.FAILBACK_REQUESTED,
                                params,
                                Map.of("reason", "test"))
                        .applied())
                .isTrue();
    }

    /**
     * Runs the pair's recorded operation until {@code last} is recorded, then the controller "dies" (as a crash or a
     * kill right after that step would leave it).
     */
    static void runUntilAfter(PairContext ctx, Step last, java.util.function.Consumer<String> progress) {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new OperationRunner(ctx.control())
                        .run(ctx.pair(), (step, op, record) -> {
                            if (op.currentStep() > 0 && op.steps().get(op.currentStep() - 1) == last) {
                                throw new IllegalStateException("controller stopped after " + last);
                            }
                            return new OperationDriver(ctx, progress)
                                    .handler(op.type())
                                    .run(step, op, record);
                        }))
                .hasMessageContaining("controller stopped after " + last);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        opened.forEach(PairContext::close);
        opened.clear();
    }
}
