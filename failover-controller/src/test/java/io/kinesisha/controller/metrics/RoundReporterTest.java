package io.kinesisha.controller.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.kinesisha.controller.health.Verdict;
import io.kinesisha.controller.operations.LocalPairs;
import io.kinesisha.controller.operations.PairContext;
import io.kinesisha.controller.runtime.ControllerTick;
import io.kinesisha.controller.statemachine.PairState;
import io.kinesisha.testkit.LocalEnvironmentExtension;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** After a round, what the control store holds is published; a failed publish is logged and never fails the round. */
class RoundReporterTest {
    @RegisterExtension
    static final LocalEnvironmentExtension LOCAL = new LocalEnvironmentExtension("us-west-2", "us-east-2");

    @RegisterExtension
    static final LocalPairs PAIRS = new LocalPairs(LOCAL, "metrics");

    private final List<String> log = new ArrayList<>();

    @Test
    void publishesThePairsStateFromTheControlStoreAndTheRoundsDecision() {
        PairContext ctx = PAIRS.open(1);
        List<RoundMetrics> published = new ArrayList<>();
        RoundReporter reporter = new RoundReporter(
                ctx,
                (pair, m) -> {
                    assertThat(pair).isEqualTo(ctx.pair());
                    published.add(m);
                },
                log::add);

        boolean ok =
                reporter.report(new ControllerTick.Result("evaluated", "NONE (healthy)", Verdict.Decision.NONE, null));

        assertThat(ok).isTrue();
        assertThat(published).hasSize(1);
        assertThat(published.get(0).state()).isEqualTo(PairState.ACTIVE_PRIMARY);
        assertThat(published.get(0).decision()).isEqualTo(Verdict.Decision.NONE);
        assertThat(published.get(0).orphanRecords())
                .as("no reconciliation has run")
                .isNull();
        assertThat(log).isEmpty();
    }

    @Test
    void aFailedPublishIsLoggedAndReportedNotThrown() {
        PairContext ctx = PAIRS.open(1);
        RoundReporter reporter = new RoundReporter(
                ctx,
                (pair, m) -> {
                    throw new IllegalStateException("CloudWatch unreachable");
                },
                log::add);

        boolean ok = reporter.report(new ControllerTick.Result("idle", "pair is ACTIVE_SECONDARY", null, null));

        assertThat(ok).isFalse();
        assertThat(log)
                .singleElement()
                .asString()
                .contains("metrics of " + ctx.pair() + " not published", "CloudWatch unreachable");
    }
}
