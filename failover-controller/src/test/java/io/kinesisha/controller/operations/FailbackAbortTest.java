package io.kinesisha.controller.operations;

import static org.assertj.core.api.Assertions.assertThat;

import io.kinesisha.common.control.ControlRecord;
import io.kinesisha.common.control.ReplicationDirection;
import io.kinesisha.controller.operations.OperationDriver.Report;
import io.kinesisha.controller.operations.OperationDriver.Result;
import io.kinesisha.controller.statemachine.Step;
import io.kinesisha.testkit.LocalEnvironmentExtension;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An operator abandons a failback: before it fences replication the secondary stays active with producers
 * resumed and reverse replication running; once fenced the abort is refused and the failback completes.
 */
class FailbackAbortTest {
    @RegisterExtension
    static final LocalEnvironmentExtension LOCAL = new LocalEnvironmentExtension();

    @RegisterExtension
    static final LocalPairs PAIRS = new LocalPairs(LOCAL, "abort");

    private final List<String> progress = new CopyOnWriteArrayList<>();

    @Test
    void aFailbackStoppedAtItsDrainIsAbandonedAndTheSecondaryKeepsServing() throws Exception {
        PairContext ctx = failedOverPairInFailback();
        LocalPairs.runUntilAfter(ctx, Step.PAUSE_PRODUCERS, progress::add);
        assertThat(ctx.control().read(ctx.pair()).producersPaused()).isTrue();

        Report abort = new OperationDriver(ctx, progress::add).abortFailback("operator changed their mind");

        assertThat(abort.result()).as(abort.message()).isEqualTo(Result.ABORTED);
        ControlRecord r = ctx.control().read(ctx.pair());
        assertThat(r.state()).isEqualTo("ACTIVE_SECONDARY");
        assertThat(r.activeRegion()).isEqualTo(ctx.secondaryRegion());
        assertThat(r.producersPaused()).isFalse();
        assertThat(r.operation()).isNull();
        assertThat(r.direction())
                .as("reverse replication keeps the primary in step")
                .isEqualTo(new ReplicationDirection(ctx.secondaryRegion(), ctx.primaryRegion()));
        assertThat(ctx.store().readAudit(ctx.pair(), 50))
                .anyMatch(a -> a.message().startsWith("FAILING_BACK --OPERATION_ABORTED--> ACTIVE_SECONDARY"));
    }

    @Test
    void onceFencedTheFailbackCannotBeAbandonedAndCompletes() throws Exception {
        PairContext ctx = failedOverPairInFailback();
        LocalPairs.runUntilAfter(ctx, Step.FENCE_REPLICATION, progress::add);

        Report abort = new OperationDriver(ctx, progress::add).abortFailback("too late");

        assertThat(abort.result()).isEqualTo(Result.REJECTED);
        assertThat(abort.message()).contains("only before it fences replication");
        Report resumed = new OperationDriver(ctx, progress::add).failback(null, "finish it");
        assertThat(resumed.result()).as(resumed.message()).isEqualTo(Result.COMPLETED);
        assertThat(ctx.control().read(ctx.pair()).state()).isEqualTo("ACTIVE_PRIMARY");
    }

    @Test
    void thereIsNothingToAbandonWithoutAFailback() {
        PairContext ctx = pair();
        Report abort = new OperationDriver(ctx, progress::add).abortFailback("nothing");
        assertThat(abort.result()).isEqualTo(Result.REJECTED);
        assertThat(abort.message()).contains("no failback is in progress");
    }

    private PairContext failedOverPairInFailback() throws Exception {
        PairContext ctx = pair();
        LocalPairs.failOverThenRequestFailback(ctx, progress::add);
        return ctx;
    }

    private PairContext pair() {
        return PAIRS.open(1);
    }
}
