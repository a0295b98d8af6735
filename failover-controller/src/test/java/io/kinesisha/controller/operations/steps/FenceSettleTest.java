package io.kinesisha.controller.operations.steps;

import static org.assertj.core.api.Assertions.assertThat;

import io.kinesisha.common.control.FenceAck;
import io.kinesisha.common.control.ReplicationDirection;
import io.kinesisha.common.control.RunnerLease;
import io.kinesisha.controller.SimulatedClock;
import io.kinesisha.controller.time.ControllerTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The settle after an unplanned fence ends early only when every writer of the run holding the fenced direction's
 * job lease acknowledged this fence (this direction, this epoch); otherwise it lasts the full settle. Simulated
 * clock: no real waiting.
 */
class FenceSettleTest {
    private static final Instant FENCED_AT = Instant.parse("2026-12-06T10:00:00Z");
    private static final Duration SETTLE = Duration.ofSeconds(8);
    private static final ReplicationDirection FORWARD = new ReplicationDirection("us-west-2", "us-east-2");
    private static final long EPOCH = 4;

    private final SimulatedClock clock = new SimulatedClock(FENCED_AT);
    private final Map<String, RunnerLease> leases = new HashMap<>();
    private final List<FenceAck> acks = new ArrayList<>();
    /** Acknowledgements that arrive when the clock passes their time. */
    private final Map<Instant, FenceAck> arriving = new HashMap<>();

    private final FenceSettle settle = new FenceSettle(
            new FenceSettle.Records() {
                @Override
                public Optional<RunnerLease> lease(String name) {
                    return Optional.ofNullable(leases.get(name));
                }

                @Override
                public List<FenceAck> acks(ReplicationDirection direction, long epoch) {
                    // everything stored, as a careless query would return it: the settle itself must check what it
                    // counts
                    return List.copyOf(acks);
                }
            },
            ControllerTime.of(clock, d -> {
                clock.advance(d);
                arriving.entrySet().removeIf(e -> {
                    if (!e.getKey().isAfter(clock.instant())) {
                        acks.add(e.getValue());
                        return true;
                    }
                    return false;
                });
            }));

    private void leaseHeldBy(String run) {
        String name = FenceAck.jobLeaseName(FORWARD, EPOCH);
        leases.put(
                name,
                new RunnerLease(name, run, FENCED_AT.toEpochMilli() - 2000, FENCED_AT.toEpochMilli() + 58_000, "job"));
    }

    private FenceSettle.Ended run() throws InterruptedException {
        return settle.await(FORWARD, EPOCH, FENCED_AT.plus(SETTLE));
    }

    @Test
    void endsAsSoonAsEveryWriterOfTheLeaseHolderAcknowledgedThisFence() throws Exception {
        leaseHeldBy("run-a");
        acks.add(new FenceAck(FORWARD, EPOCH, "run-a", 0, 2, 0));
        arriving.put(FENCED_AT.plusMillis(1250), new FenceAck(FORWARD, EPOCH, "run-a", 1, 2, 0));

        FenceSettle.Ended ended = run();

        assertThat(ended.acknowledged()).isTrue();
        assertThat(ended.waited())
                .isBetween(Duration.ofMillis(1250), Duration.ofMillis(1250).plus(FenceSettle.POLL));
        assertThat(ended.detail()).contains("run-a").contains("all 2 writer(s)");
    }

    @Test
    void acknowledgementsOfAnEarlierFenceOrTheOtherDirectionDoNotCount() throws Exception {
        leaseHeldBy("run-a");
        acks.add(new FenceAck(FORWARD, EPOCH - 1, "run-a", 0, 1, 0));
        acks.add(new FenceAck(FORWARD.reversed(), EPOCH, "run-a", 0, 1, 0));

        assertFullSettle(run());
    }

    @Test
    void acknowledgementsOfAnotherRunThanTheLeaseHolderDoNotCount() throws Exception {
        leaseHeldBy("run-a");
        acks.add(new FenceAck(FORWARD, EPOCH, "run-b", 0, 1, 0));

        assertFullSettle(run());
    }

    @Test
    void oneWriterOfTwoIsNotEnough() throws Exception {
        leaseHeldBy("run-a");
        acks.add(new FenceAck(FORWARD, EPOCH, "run-a", 1, 2, 0));

        assertFullSettle(run());
    }

    @Test
    void withoutAJobLeaseNobodyKnowsWhoWroteSoTheFullSettleApplies() throws Exception {
        acks.add(new FenceAck(FORWARD, EPOCH, "run-a", 0, 1, 0));

        assertFullSettle(run());
    }

    @Test
    void anUnreadableStoreMeansTheFullSettle() throws Exception {
        FenceSettle failing = new FenceSettle(
                new FenceSettle.Records() {
                    @Override
                    public Optional<RunnerLease> lease(String name) {
                        throw new IllegalStateException("control store unreachable");
                    }

                    @Override
                    public List<FenceAck> acks(ReplicationDirection direction, long epoch) {
                        throw new IllegalStateException("control store unreachable");
                    }
                },
                clock.time());

        assertFullSettle(failing.await(FORWARD, EPOCH, FENCED_AT.plus(SETTLE)));
    }

    private void assertFullSettle(FenceSettle.Ended ended) {
        assertThat(ended.acknowledged()).isFalse();
        assertThat(ended.waited()).isEqualTo(SETTLE);
        assertThat(clock.instant()).isEqualTo(FENCED_AT.plus(SETTLE));
    }
}
