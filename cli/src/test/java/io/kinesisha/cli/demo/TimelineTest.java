package io.kinesisha.cli.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class TimelineTest {
    private static final Instant T0 = Instant.parse("2025-01-01T10:00:00Z");

    @Test
    void ratesComeFromTotalsAndTheTimeBetweenSamples() {
        Timeline t = new Timeline(Clock.fixed(T0, ZoneOffset.UTC));
        Timeline.Sample first = t.sample(T0, 100, 40, 250L, "us-west-2");
        Timeline.Sample second = t.sample(T0.plusSeconds(2), 500, 240, null, "us-east-2");

        assertThat(first.producedPerSecond()).isZero();
        assertThat(second.producedPerSecond()).isCloseTo(200.0, within(1e-9));
        assertThat(second.consumedPerSecond()).isCloseTo(100.0, within(1e-9));
        assertThat(second.lagMillis()).isNull();
        assertThat(t.samples()).containsExactly(first, second);
        assertThat(t.lagValues()).containsExactly(250L);
        assertThatThrownBy(() -> t.sample(T0.plusSeconds(1), 600, 300, 1L, "us-east-2"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void eventsAreKeptInTimeOrderWithTheirLabels() {
        Timeline t = new Timeline(Clock.fixed(T0, ZoneOffset.UTC));
        t.mark(Timeline.FAILOVER_DONE, T0.plusSeconds(9));
        t.mark(Timeline.OUTAGE, T0.plusSeconds(3));
        t.mark(Timeline.FAILOVER_DETECTED, T0.plusSeconds(6));
        Timeline.Event now = t.mark("note");

        assertThat(now.at()).isEqualTo(T0);
        assertThat(t.events())
                .extracting(Timeline.Event::label)
                .containsExactly("note", Timeline.OUTAGE, Timeline.FAILOVER_DETECTED, Timeline.FAILOVER_DONE);
        assertThat(t.event(Timeline.OUTAGE)).map(Timeline.Event::at).contains(T0.plusSeconds(3));
        assertThat(t.event("never")).isEmpty();
    }

    @Test
    void samplesOnItsOwnThreadAndSurvivesAFailingSupplier() {
        AtomicLong produced = new AtomicLong();
        AtomicLong calls = new AtomicLong();
        try (Timeline t = new Timeline()) {
            t.startSampling(
                    () -> produced.addAndGet(10),
                    () -> 0,
                    () -> {
                        if (calls.incrementAndGet() % 2 == 0) {
                            throw new IllegalStateException("control store unreachable");
                        }
                        return 42L;
                    },
                    () -> "us-west-2",
                    Duration.ofMillis(50));
            await().atMost(Duration.ofSeconds(5)).until(() -> t.samples().size() >= 4);
            t.close();
            int after = t.samples().size();
            List<Timeline.Sample> samples = t.samples();
            assertThat(samples).extracting(Timeline.Sample::lagMillis).contains(42L, (Long) null);
            assertThat(samples).allSatisfy(s -> assertThat(s.activeRegion()).isEqualTo("us-west-2"));
            assertThat(samples.get(samples.size() - 1).producedPerSecond()).isPositive();
            assertThat(t.samples()).hasSize(after); // stopped
        }
    }
}
