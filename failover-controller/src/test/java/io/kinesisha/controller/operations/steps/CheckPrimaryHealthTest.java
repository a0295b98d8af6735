package io.kinesisha.controller.operations.steps;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kinesisha.controller.health.ProbeResult;
import io.kinesisha.controller.statemachine.OperationRunner.StepResult;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The failback's dwell on a simulated clock: the primary must answer every probe, one a second, for the whole dwell
 * (10 s here, in no real time); one bad probe refuses the failback at this step, and a zero dwell is one probe.
 */
class CheckPrimaryHealthTest {
    private final StepFixture f = new StepFixture();
    private final List<Instant> probedAt = new ArrayList<>();
    private final List<String> probedRegions = new ArrayList<>();
    private boolean closed;

    @AfterEach
    void close() {
        f.close();
    }

    /** A primary that answers in 40 ms, except at and after {@code failsAt} (null: never fails). */
    private CheckPrimaryHealth step(Instant failsAt) {
        return new CheckPrimaryHealth(f.support, region -> {
            probedRegions.add(region);
            return new CheckPrimaryHealth.Probe() {
                @Override
                public ProbeResult probe() {
                    Instant now = f.clock.instant();
                    probedAt.add(now);
                    boolean healthy = failsAt == null || now.isBefore(failsAt);
                    return new ProbeResult(
                            now,
                            region,
                            healthy,
                            Duration.ofMillis(40),
                            healthy ? "ACTIVE" : null,
                            healthy ? null : "SdkClientException: connect timed out");
                }

                @Override
                public void close() {
                    closed = true;
                }
            };
        });
    }

    private static Map<String, String> dwell(Duration d) {
        return Map.of(StepParameters.DWELL.key(), Long.toString(d.toMillis()));
    }

    @Test
    void thePrimaryMustAnswerEveryProbeForTheWholeDwell() throws Exception {
        StepResult r = step(null).run(StepFixture.failback(dwell(Duration.ofSeconds(10))), StepFixture.failedOver());

        assertThat(probedRegions).containsExactly("us-west-2");
        assertThat(probedAt)
                .as("one probe a second, from the start to the end of the dwell")
                .hasSize(11)
                .startsWith(StepFixture.START)
                .endsWith(StepFixture.START.plusSeconds(10));
        assertThat(r.evidence())
                .containsEntry("health.region", "us-west-2")
                .containsEntry("health.probes", "11")
                .containsEntry("health.dwellMillis", "10000")
                .containsEntry("health.worstLatencyMillis", "40");
        assertThat(f.waits).as("the lease kept alive while dwelling").hasSize(10);
        assertThat(closed).isTrue();
    }

    @Test
    void oneBadProbeDuringTheDwellRefusesTheFailback() {
        assertThatThrownBy(() -> step(StepFixture.START.plusSeconds(7))
                        .run(StepFixture.failback(dwell(Duration.ofSeconds(10))), StepFixture.failedOver()))
                .hasMessageContaining(
                        "failback refused: us-west-2 is not healthy (SdkClientException: connect timed out)")
                .hasMessageContaining("waits at this step");
        assertThat(probedAt)
                .as("stopped at the first bad probe")
                .hasSize(8)
                .last()
                .isEqualTo(StepFixture.START.plusSeconds(7));
        assertThat(closed).isTrue();
    }

    @Test
    void aShortDwellProbesMoreOftenAndZeroIsOneProbe() throws Exception {
        assertThat(CheckPrimaryHealth.interval(Duration.ofSeconds(2))).isEqualTo(Duration.ofMillis(400));
        assertThat(CheckPrimaryHealth.interval(Duration.ofMillis(100))).isEqualTo(Duration.ofMillis(100));

        StepResult r = step(null).run(StepFixture.failback(dwell(Duration.ZERO)), StepFixture.failedOver());

        assertThat(r.evidence()).containsEntry("health.probes", "1");
        assertThat(f.clock.instant()).isEqualTo(StepFixture.START);
    }
}
