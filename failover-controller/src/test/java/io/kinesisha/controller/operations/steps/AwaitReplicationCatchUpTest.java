package io.kinesisha.controller.operations.steps;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kinesisha.controller.operations.ReplicationBarrier.Status;
import io.kinesisha.controller.statemachine.OperationRunner.StepResult;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The failback's catch-up wait on a simulated clock: it polls until replication back is within 200 records of the
 * active stream's end, keeps the runner lease alive at every poll, and gives up after its timeout with a message
 * naming the direction and what to check; no real time passes.
 */
class AwaitReplicationCatchUpTest {
    private final StepFixture f = new StepFixture();

    @AfterEach
    void close() {
        f.close();
    }

    /** Behind by {@code behind[i]} records at the i-th look (the last value repeats). */
    private AwaitReplicationCatchUp step(int... behind) {
        AtomicInteger looks = new AtomicInteger();
        return new AwaitReplicationCatchUp(
                f.support,
                record -> () -> new Status(
                        Map.of("shardId-000000000000", behind[Math.min(looks.getAndIncrement(), behind.length - 1)])));
    }

    @Test
    void waitsPollByPollUntilWithinTheCaughtUpMargin() throws Exception {
        StepResult r = step(5000, 900, 201, 200)
                .run(
                        StepFixture.failback(Map.of(StepParameters.CATCH_UP_TIMEOUT.key(), "60000")),
                        StepFixture.failedOver());

        assertThat(r.evidence())
                .containsEntry("catchUp.waitedMillis", "1500")
                .containsEntry("catchUp.recordsBehind", "200")
                .containsEntry("catchUp.direction", "us-east-2->us-west-2")
                .containsEntry("catchUp.epoch", "4");
        assertThat(f.clock.instant()).isEqualTo(StepFixture.START.plus(AwaitReplicationCatchUp.POLL.multipliedBy(3)));
        assertThat(f.waits).as("the lease kept alive before each sleep").hasSize(3);
        assertThat(f.progress).first().asString().contains("behind by 5000");
    }

    @Test
    void givesUpAfterItsTimeoutAndNamesTheDirection() {
        Duration timeout = Duration.ofSeconds(10);

        assertThatThrownBy(() -> step(1000)
                        .run(
                                StepFixture.failback(Map.of(
                                        StepParameters.CATCH_UP_TIMEOUT.key(), Long.toString(timeout.toMillis()))),
                                StepFixture.failedOver()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("us-east-2->us-west-2 (epoch 4) did not catch up within 10000 ms")
                .hasMessageContaining("resumes at this step");
        assertThat(f.clock.instant())
                .as("gave up at the first look past the timeout")
                .isEqualTo(StepFixture.START.plus(timeout).plus(AwaitReplicationCatchUp.POLL));
        assertThat(f.progress).as("reported every 2 s, not at every poll").hasSize(6);
    }

    @Test
    void withoutADirectionNothingCanCatchUp() {
        assertThatThrownBy(() -> step(0).run(StepFixture.failback(Map.of()), StepFixture.record(null, 5)))
                .hasMessageContaining("no replication direction");
    }
}
