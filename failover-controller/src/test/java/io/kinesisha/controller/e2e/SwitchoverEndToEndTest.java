package io.kinesisha.controller.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kinesisha.common.aws.AwsClientFactory;
import io.kinesisha.common.control.ActiveRegionResolver;
import io.kinesisha.common.control.AuditEntry;
import io.kinesisha.common.control.ReplicationDirection;
import io.kinesisha.testkit.LocalEnvironment;
import io.kinesisha.testkit.LocalEnvironmentExtension;
import io.kinesisha.controller.operations.LocalPair;
import io.kinesisha.controller.operations.OperationDriver;
import io.kinesisha.controller.operations.PairContext;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.kinesis.KinesisClient;

/**
 * Planned switchover under load with the real replicator: producers following the resolver pause, the barrier
 * drains, they resume in the secondary. Nothing acknowledged may be missing from the secondary (RPO 0) and no
 * key's records may be out of order there.
 */
class SwitchoverEndToEndTest {
    @RegisterExtension
    static final LocalEnvironmentExtension LOCAL = new LocalEnvironmentExtension();

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    @Test
    void switchoverUnderLoadLosesNothingAndKeepsPerKeyOrder() throws Exception {
        LocalEnvironment env = LOCAL.env();
        LocalPair pair = new LocalPair(env, "switch", 2, Map.of());
        String primary = env.primary().name();
        String secondary = env.secondary().name();
        JobClient job = EndToEndSupport.startReplicator(pair);
        try (AwsClientFactory clients = EndToEndSupport.producerClients();
             KinesisClient west = clients.kinesis(env.primary().target());
             KinesisClient east = clients.kinesis(env.secondary().target());
             PairContext ctx = PairContext.open(pair.config, "cli:test", Clock.systemUTC());
             ActiveRegionResolver resolver = new ActiveRegionResolver(ctx.store(), pair.name).start()) {
            double raw = EndToEndSupport.rawIngestPerSecond(env, west);
            // half the emulator's raw ingest, in batches of 10 every period
            int batch = 10;
            long period = Math.max(10, Math.round(1000.0 * batch / (raw / 2)));
            try (ResolvedProducer producer = new ResolvedProducer(resolver, Map.of(primary, west, secondary, east),
                    Map.of(primary, pair.primaryArn, secondary, pair.secondaryArn), 500, batch, period, secondary).start()) {
                ReplicationDirection forward = new ReplicationDirection(primary, secondary);
                // steady state first: the replicator has worked off its start-up backlog (within 2 s of load)
                long slack = Math.round(2 * 1000.0 * batch / period);
                await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(500)).until(() ->
                        EndToEndSupport.replicated(ctx.store().readProgress(pair.name, forward, 1)) > 200
                                && EndToEndSupport.replicated(ctx.store().readProgress(pair.name, forward, 1))
                                        >= producer.acknowledgedCount() - slack);
                int beforeSwitch = producer.acknowledgedCount();
                long replicatedAtSwitch = EndToEndSupport.replicated(ctx.store().readProgress(pair.name, forward, 1));

                OperationDriver.Report report = new OperationDriver(ctx, line -> System.out.println("switchover: " + line))
                        .switchover(Duration.ofSeconds(30), Duration.ofMillis(1500), "end-to-end test");

                assertThat(report.result()).as(report.message()).isEqualTo(OperationDriver.Result.COMPLETED);
                await().atMost(Duration.ofSeconds(10)).until(() -> producer.firstAckNanosIn != 0);
                int atSwitch = producer.acknowledgedCount();
                await().atMost(Duration.ofSeconds(10)).until(() -> producer.acknowledgedCount() > atSwitch + 200);
                producer.close();

                Map<String, String> acked = producer.acknowledgedSnapshot();
                List<Streams.Entry> target = Streams.read(east, pair.secondaryArn);
                Set<String> inSecondary = new HashSet<>();
                target.forEach(e -> inSecondary.add(e.payload()));
                long lost = acked.keySet().stream().filter(p -> !inSecondary.contains(p)).count();
                long reorders = Streams.orderViolations(target);
                List<AuditEntry> trail = ctx.store().readAudit(pair.name, 100);
                Instant paused = trail.stream().filter(a -> a.message().equals("paused producers (control record)"))
                        .map(AuditEntry::at).findFirst().orElseThrow();
                Instant resumed = trail.stream().filter(a -> a.message().equals("resumed producers (control record)"))
                        .map(AuditEntry::at).findFirst().orElseThrow();
                System.out.printf("SWITCHOVER RESULT: load %.0f records/s (raw ingest %.0f records/s, 50%%), replication "
                                + "%d records behind when it started, acknowledged %d (%d before the switchover, %d in %s), lost %d, per-key reorders %d, producers held %s ms "
                                + "(as producers saw it), paused->resumed in the control record %d ms, switchover took %d ms%n",
                        1000.0 * batch / period, raw, beforeSwitch - replicatedAtSwitch, acked.size(), beforeSwitch,
                        acked.values().stream().filter(secondary::equals).count(), secondary, lost, reorders,
                        producer.holdsMillis, Duration.between(paused, resumed).toMillis(), report.took().toMillis());

                assertThat(acked.values()).as("both regions took writes").contains(primary, secondary);
                assertThat(lost).as("RPO 0: every acknowledged record is in the secondary").isZero();
                assertThat(reorders).as("per-key order across the switch").isZero();
                assertThat(producer.holdsMillis).as("producers held exactly once").hasSize(1);
                assertThat(report.record().activeRegion()).isEqualTo(secondary);
                assertThat(report.record().producersPaused()).isFalse();
            }
        } finally {
            job.cancel().get();
        }
    }
}
