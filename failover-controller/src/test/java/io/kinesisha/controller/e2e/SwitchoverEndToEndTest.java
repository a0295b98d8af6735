package io.kinesisha.controller.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kinesisha.common.control.ActiveRegionResolver;
import io.kinesisha.common.control.AuditEntry;
import io.kinesisha.common.control.ReplicationDirection;
import io.kinesisha.controller.operations.LocalPair;
import io.kinesisha.controller.operations.OperationDriver;
import io.kinesisha.replicator.it.RegionsAndFlink;
import io.kinesisha.testkit.KeyedLoad;
import io.kinesisha.testkit.StreamContents;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Planned switchover under load with the real replicator: producers following the resolver pause, the barrier
 * drains, they resume in the secondary. Nothing acknowledged may be missing from the secondary (RPO 0) and no
 * key's records may be out of order there.
 */
class SwitchoverEndToEndTest {
    @RegisterExtension
    static final RegionsAndFlink LOCAL = new RegionsAndFlink();

    @Test
    void switchoverUnderLoadLosesNothingAndKeepsPerKeyOrder() throws Exception {
        try (EndToEndRig rig =
                        EndToEndRig.start(LOCAL.env(), new LocalPair(LOCAL.env(), "switch", 2, Map.of()), "cli:test");
                ActiveRegionResolver resolver = new ActiveRegionResolver(rig.ctx.store(), rig.pair.name).start()) {
            double raw = EndToEndSupport.rawIngestPerSecond(rig.env, rig.west);
            // half the emulator's raw ingest, in batches of 10 every period
            int batch = 10;
            long period = Math.max(10, Math.round(1000.0 * batch / (raw / 2)));
            try (KeyedLoad producer = rig.load(resolver)
                    .keys(500)
                    .maxBatch(batch)
                    .ratePerSecond(1000.0 * batch / period)
                    .maxBackoff(Duration.ofMillis(50))
                    .build()
                    .start()) {
                ReplicationDirection forward = new ReplicationDirection(rig.primary, rig.secondary);
                // steady state first: the replicator has worked off its start-up backlog (within 2 s of load)
                long slack = Math.round(2 * 1000.0 * batch / period);
                await().atMost(Duration.ofSeconds(40))
                        .pollInterval(Duration.ofMillis(500))
                        .until(() -> rig.replicated(forward) > 200
                                && rig.replicated(forward) >= producer.acknowledgedCount() - slack);
                long beforeSwitch = producer.acknowledgedCount();
                long replicatedAtSwitch = rig.replicated(forward);

                OperationDriver.Report report = new OperationDriver(
                                rig.ctx, line -> System.out.println("switchover: " + line))
                        .switchover(Duration.ofSeconds(30), Duration.ofMillis(1500), "end-to-end test");

                assertThat(report.result()).as(report.message()).isEqualTo(OperationDriver.Result.COMPLETED);
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> producer.firstAcknowledgedIn(rig.secondary).isPresent());
                long atSwitch = producer.acknowledgedCount();
                await().atMost(Duration.ofSeconds(10)).until(() -> producer.acknowledgedCount() > atSwitch + 200);
                producer.close();

                Map<String, String> acked = producer.acknowledgedRegions();
                StreamContents target = StreamContents.read(rig.east, rig.pair.secondaryArn);
                Set<String> inSecondary = target.counts().keySet();
                long lost = acked.keySet().stream()
                        .filter(p -> !inSecondary.contains(p))
                        .count();
                long reorders = target.orderViolations();
                List<AuditEntry> trail = rig.ctx.store().readAudit(rig.pair.name, 100);
                Instant paused = trail.stream()
                        .filter(a -> a.message().equals("paused producers (control record)"))
                        .map(AuditEntry::at)
                        .findFirst()
                        .orElseThrow();
                Instant resumed = trail.stream()
                        .filter(a -> a.message().equals("resumed producers (control record)"))
                        .map(AuditEntry::at)
                        .findFirst()
                        .orElseThrow();
                System.out.printf(
                        "SWITCHOVER RESULT: load %.0f records/s (raw ingest %.0f records/s, 50%%), replication "
                                + "%d records behind when it started, acknowledged %d (%d before the switchover, %d in %s), lost %d, per-key reorders %d, producers held %s ms "
                                + "(as producers saw it), paused->resumed in the control record %d ms, switchover took %d ms%n",
                        1000.0 * batch / period,
                        raw,
                        beforeSwitch - replicatedAtSwitch,
                        acked.size(),
                        beforeSwitch,
                        acked.values().stream().filter(rig.secondary::equals).count(),
                        rig.secondary,
                        lost,
                        reorders,
                        producer.holds().stream().map(Duration::toMillis).toList(),
                        Duration.between(paused, resumed).toMillis(),
                        report.took().toMillis());

                assertThat(acked.values()).as("both regions took writes").contains(rig.primary, rig.secondary);
                assertThat(lost)
                        .as("RPO 0: every acknowledged record is in the secondary")
                        .isZero();
                assertThat(reorders).as("per-key order across the switch").isZero();
                assertThat(producer.holds()).as("producers held exactly once").hasSize(1);
                assertThat(report.record().activeRegion()).isEqualTo(rig.secondary);
                assertThat(report.record().producersPaused()).isFalse();
            }
        }
    }
}
