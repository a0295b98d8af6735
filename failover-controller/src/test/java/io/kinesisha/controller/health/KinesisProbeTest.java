package io.kinesisha.controller.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kinesisha.testkit.LocalEnvironmentExtension;
import io.kinesisha.testkit.LocalRegion;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The probe against a real emulator: healthy, a stream that is not there, and a blackholed region. */
class KinesisProbeTest {
    private static final Duration TIMEOUT = Duration.ofMillis(1500);
    /** Time the probe may take beyond its timeout (thread scheduling, connection teardown) on a busy 2-core box. */
    private static final Duration SLACK = Duration.ofMillis(1000);

    @RegisterExtension
    static final LocalEnvironmentExtension LOCAL = new LocalEnvironmentExtension("us-west-2");

    private static String streamArn;

    @BeforeAll
    static void createStream() {
        streamArn = LOCAL.env().primary().createStream("orders", 2);
    }

    @AfterEach
    void restore() {
        LOCAL.env().primary().restore();
    }

    @Test
    void aHealthyRegionAnswersWellWithinTheTimeout() {
        try (KinesisProbe probe = probe(streamArn)) {
            ProbeResult r = probe.probe();

            assertThat(r.healthy()).as(r.toString()).isTrue();
            assertThat(r.streamStatus()).isEqualTo("ACTIVE");
            assertThat(r.error()).isNull();
            assertThat(r.latency()).isLessThan(TIMEOUT);
            assertThat(r.region()).isEqualTo("us-west-2");
        }
    }

    @Test
    void aMissingStreamIsAFailedProbeWithTheServiceError() {
        try (KinesisProbe probe = probe(LOCAL.env().primary().streamArn("no-such-stream"))) {
            ProbeResult r = probe.probe();

            assertThat(r.healthy()).isFalse();
            assertThat(r.error()).contains("ResourceNotFoundException");
        }
    }

    @Test
    void aBlackholedRegionFailsWithinTheTimeoutAndRecoversWhenRestored() {
        LocalRegion region = LOCAL.env().primary();
        try (KinesisProbe probe = probe(streamArn)) {
            assertThat(probe.probe().healthy()).isTrue();
            region.blackhole();

            long started = System.nanoTime();
            ProbeResult r = probe.probe();
            Duration took = Duration.ofNanos(System.nanoTime() - started);

            assertThat(r.healthy()).isFalse();
            assertThat(r.error()).containsIgnoringCase("timeout").doesNotContain("ResourceNotFound");
            assertThat(r.latency()).isGreaterThanOrEqualTo(TIMEOUT.minusMillis(50));
            assertThat(took).as("probe returned after %s", took).isLessThan(TIMEOUT.plus(SLACK));
            System.out.printf(
                    "blackholed probe: timeout %d ms, returned after %d ms: %s%n",
                    TIMEOUT.toMillis(), took.toMillis(), r.error());

            region.restore();
            await().atMost(Duration.ofSeconds(20)).until(() -> probe.probe().healthy());
        }
    }

    private static KinesisProbe probe(String arn) {
        return new KinesisProbe(LOCAL.env().primary().target(), arn, TIMEOUT, Clock.systemUTC());
    }
}
