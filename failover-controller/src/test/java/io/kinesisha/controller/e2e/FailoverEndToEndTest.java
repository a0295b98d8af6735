package io.kinesisha.controller.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kinesisha.common.aws.AwsClientFactory;
import io.kinesisha.common.control.ActiveRegionResolver;
import io.kinesisha.common.control.AuditEntry;
import io.kinesisha.common.control.ControlRecord;
import io.kinesisha.common.control.ReplicationDirection;
import io.kinesisha.testkit.LocalEnvironment;
import io.kinesisha.testkit.LocalEnvironmentExtension;
import io.kinesisha.controller.operations.LocalPair;
import io.kinesisha.controller.operations.PairContext;
import io.kinesisha.controller.runtime.ControllerLoop;
import io.kinesisha.controller.runtime.ControllerTick;
import io.kinesisha.controller.runtime.EvidenceCollector;
import java.math.BigInteger;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.kinesis.KinesisClient;

/**
 * A regional outage under load with the real replicator and the controller loop (probe every second, three
 * misses): the primary's emulator is stopped (SIGTERM), the controller fails over on its own, producers following
 * the resolver move to the secondary. After the primary returns, everything acknowledged is in the secondary but
 * the unreplicated tail, and every record of that tail lies after the RPO position the failover recorded.
 */
class FailoverEndToEndTest {
    @RegisterExtension
    static final LocalEnvironmentExtension LOCAL = new LocalEnvironmentExtension();

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    @Test
    void anOutageOfThePrimaryFailsOverAutomaticallyAndLosesOnlyTheCountedTail() throws Exception {
        LocalEnvironment env = LOCAL.env();
        LocalPair pair = new LocalPair(env, "outage", 2, Map.of("health.min-dwell-minutes", "0"));
        String primary = env.primary().name();
        String secondary = env.secondary().name();
        JobClient job = EndToEndSupport.startReplicator(pair);
        List<ControllerTick.Result> rounds = new CopyOnWriteArrayList<>();
        try (AwsClientFactory clients = EndToEndSupport.producerClients();
             KinesisClient west = clients.kinesis(env.primary().target());
             KinesisClient east = clients.kinesis(env.secondary().target());
             PairContext ctx = PairContext.open(pair.config, "controller:test", Clock.systemUTC());
             EvidenceCollector evidence = new EvidenceCollector(ctx, false);
             ControllerLoop loop = new ControllerLoop(new ControllerTick(ctx, evidence, l -> System.out.println("controller: " + l),
                     ControllerTick.DEFAULT_STALE_OPERATION), pair.config.health().probeInterval(), rounds::add,
                     e -> System.out.println("controller round failed: " + e));
             ActiveRegionResolver resolver = new ActiveRegionResolver(ctx.store(), pair.name).start()) {
            ReplicationDirection forward = new ReplicationDirection(primary, secondary);
            try (ResolvedProducer producer = new ResolvedProducer(resolver, Map.of(primary, west, secondary, east),
                    Map.of(primary, pair.primaryArn, secondary, pair.secondaryArn), 500, 10, 50, secondary).start()) {
                await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(500))
                        .until(() -> EndToEndSupport.replicated(ctx.store().readProgress(pair.name, forward, 1)) > 200);
                loop.start();
                await().atMost(Duration.ofSeconds(5)).until(() -> rounds.stream().anyMatch(r -> r.action().equals("evaluated")));

                long outageNanos = System.nanoTime();
                Instant outageAt = Instant.now();
                CompletableFuture<Void> stopped = CompletableFuture.runAsync(() -> env.primary().stop());
                await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                        .until(() -> producer.firstAckNanosIn != 0);
                long outageToSwitched = TimeUnit.NANOSECONDS.toMillis(producer.firstAckNanosIn - outageNanos);
                int atSwitch = producer.acknowledgedCount();
                await().atMost(Duration.ofSeconds(10)).until(() -> producer.acknowledgedCount() > atSwitch + 100);
                producer.close();
                loop.close();
                stopped.get(30, TimeUnit.SECONDS);

                ControlRecord after = ctx.control().read(pair.name);
                assertThat(after.state()).isEqualTo("ACTIVE_SECONDARY");
                assertThat(after.activeRegion()).isEqualTo(secondary);
                List<AuditEntry> trail = ctx.store().readAudit(pair.name, 200);
                AuditEntry decision = trail.stream().filter(a -> a.message().contains("--PRIMARY_UNHEALTHY--> FAILING_OVER"))
                        .findFirst().orElseThrow(() -> new AssertionError("no automatic failover decision in " + trail));
                AuditEntry fence = trail.stream().filter(a -> a.message().equals("completed step FENCE_REPLICATION"))
                        .findFirst().orElseThrow();
                Instant firstBadProbe = trail.stream().filter(a -> a.kind() == AuditEntry.Kind.EVALUATION
                                && a.at().isAfter(outageAt) && a.evidence().getOrDefault("consecutiveBad", "").startsWith("1/"))
                        .map(AuditEntry::at).min(Instant::compareTo).orElse(decision.at());

                // the primary returns with everything it acknowledged
                env.primary().start();
                Map<String, String> acked = producer.acknowledgedSnapshot();
                List<Streams.Entry> inPrimary = Streams.read(west, pair.primaryArn);
                List<Streams.Entry> inSecondary = Streams.read(east, pair.secondaryArn);
                Set<String> secondaryPayloads = new HashSet<>();
                inSecondary.forEach(e -> secondaryPayloads.add(e.payload()));
                Map<String, Streams.Entry> primaryByPayload = new HashMap<>();
                inPrimary.forEach(e -> primaryByPayload.putIfAbsent(e.payload(), e));
                List<String> missing = acked.keySet().stream().filter(p -> !secondaryPayloads.contains(p)).toList();

                System.out.printf("FAILOVER RESULT: detection %d ms (outage to the failover decision; first bad evaluation "
                                + "after %d ms), outage to switched %d ms (first write acknowledged by %s), acknowledged %d "
                                + "(%d by %s, %d by %s), producer write failures %d, unreplicated tail %d record(s), RPO "
                                + "evidence %s%n",
                        Duration.between(outageAt, decision.at()).toMillis(), Duration.between(outageAt, firstBadProbe).toMillis(),
                        outageToSwitched, secondary, acked.size(), acked.values().stream().filter(primary::equals).count(),
                        primary, acked.values().stream().filter(secondary::equals).count(), secondary, producer.failures,
                        missing.size(), fence.evidence().entrySet().stream().filter(e -> e.getKey().startsWith("rpo.")).toList());

                assertThat(decision.evidence()).containsEntry("actor", "controller:test").containsEntry("consecutiveBad", "3/3");
                assertThat(missing).as("only records the primary acknowledged can be missing")
                        .allSatisfy(p -> assertThat(acked.get(p)).isEqualTo(primary));
                for (String p : missing) {
                    Streams.Entry e = primaryByPayload.get(p);
                    assertThat(e).as("%s was acknowledged by the primary, so it is there after the restart", p).isNotNull();
                    String rpo = fence.evidence().get("rpo." + e.shardId());
                    if (rpo != null && !rpo.startsWith("last=null")) {
                        String last = rpo.substring("last=".length(), rpo.indexOf(' '));
                        assertThat(new BigInteger(e.sequenceNumber())).as("%s lies after the recorded RPO position", p)
                                .isGreaterThan(new BigInteger(last));
                    }
                }
                // a batch cut off by the outage may have landed in the primary although the producer saw a failure;
                // it was retried to the secondary (at least once). That in-doubt batch is the only overlap allowed.
                long inDoubt = inPrimary.stream().filter(e -> secondary.equals(acked.get(e.payload()))).count();
                System.out.printf("FAILOVER IN-DOUBT: %d record(s) of the batch in flight at the outage are in both regions%n",
                        inDoubt);
                assertThat(inDoubt).as("only the one batch in flight at the outage may be in both regions")
                        .isLessThanOrEqualTo(10);
            }
        } finally {
            job.cancel().get(30, TimeUnit.SECONDS);
        }
    }
}
