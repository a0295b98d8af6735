package io.kinesisha.controller.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kinesisha.common.control.AuditEntry;
import io.kinesisha.common.control.ReplicationDirection;
import io.kinesisha.controller.actions.ApiCall;
import io.kinesisha.controller.operations.LocalPair;
import io.kinesisha.controller.operations.OperationDriver;
import io.kinesisha.controller.statemachine.PairEvent;
import io.kinesisha.controller.statemachine.Step;
import io.kinesisha.replicator.it.RegionsAndFlink;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;

/**
 * A real KCL 3.x application across a failover: it processes about half the primary stream, stops, the controller
 * fails over (writing its leases for the re-partitioned secondary stream), and it restarts against the secondary.
 * The union of what it processed is every record, no gap in any key; duplicates are at most what the controller
 * reported, and it reported no skip.
 */
class KclFailoverTest {
    static final int RECORDS = 2000;
    static final int KEYS = 200;
    static final String APP = "orders";

    @RegisterExtension
    static final RegionsAndFlink LOCAL = new RegionsAndFlink();

    @Test
    void aKclApplicationResumesInTheSecondaryWithoutAGap() throws Exception {
        String primary = LOCAL.env().primary().name();
        String secondary = LOCAL.env().secondary().name();
        LocalPair kcl = new LocalPair(LOCAL.env(), "kcl", 2, 3, Map.of("failover.fence-settle-ms", "0",
                "consumers.kcl-applications", APP + ":" + primary + "=orders-leases-west," + secondary + "=orders-leases-east"));
        try (EndToEndRig rig = EndToEndRig.start(LOCAL.env(), kcl, "cli:test")) {
            for (int batch = 0; batch < RECORDS; batch += 500) {
                int base = batch;
                rig.west.putRecords(b -> b.streamARN(rig.pair.primaryArn).records(IntStream.range(base, base + 500)
                        .mapToObj(i -> PutRecordsRequestEntry.builder().partitionKey(key(i))
                                .data(SdkBytes.fromUtf8String(Integer.toString(i / KEYS))).build()).toList()));
            }
            Set<String> all = IntStream.range(0, RECORDS).mapToObj(i -> key(i) + "|" + (i / KEYS)).collect(Collectors.toSet());

            List<String> inPrimary;
            try (KclConsumer first = new KclConsumer(rig.clients, rig.env.primary().target(),
                    rig.env.controlStoreTarget(primary), "kcl", APP, "orders-leases-west").start()) {
                await().atMost(Duration.ofSeconds(90)).until(() -> first.processed.size() >= RECORDS / 2);
                first.close();
                inPrimary = List.copyOf(first.processed);
            }
            ReplicationDirection forward = new ReplicationDirection(primary, secondary);
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                    .until(() -> rig.replicated(forward) >= RECORDS);

            OperationDriver driver = new OperationDriver(rig.ctx, line -> System.out.println("failover: " + line));
            List<ApiCall> planned = driver.plan(PairEvent.FAILOVER_REQUESTED).steps().stream()
                    .filter(s -> s.step() == Step.START_CONSUMERS).flatMap(s -> s.calls().stream()).toList();
            planned.forEach(c -> System.out.println("dry run: " + c));
            assertThat(planned).filteredOn(c -> c.operation().equals("PutItem")).hasSize(3)
                    .allSatisfy(c -> assertThat(c.parameters()).containsEntry("TableName", "orders-leases-east"));

            OperationDriver.Report report = driver.failover("kcl test");
            assertThat(report.result()).as(report.message()).isEqualTo(OperationDriver.Result.COMPLETED);
            Map<String, String> evidence = rig.ctx.store().readAudit(rig.pair.name, 200).stream()
                    .filter(a -> a.message().equals("completed step START_CONSUMERS")).map(AuditEntry::evidence)
                    .findFirst().orElseThrow();
            long reportedDuplicates = Long.parseLong(evidence.get("kcl." + APP + ".duplicates"));
            assertThat(evidence).containsEntry("kcl." + APP + ".skips", "0");

            List<String> inSecondary;
            try (KclConsumer second = new KclConsumer(rig.clients, rig.env.secondary().target(),
                    rig.env.controlStoreTarget(secondary), "kcl", APP, "orders-leases-east").start()) {
                await().atMost(Duration.ofSeconds(90)).until(() -> {
                    Set<String> union = new HashSet<>(inPrimary);
                    union.addAll(second.processed);
                    return union.containsAll(all);
                });
                second.close();
                inSecondary = List.copyOf(second.processed);
            }
            Set<String> seenInPrimary = new HashSet<>(inPrimary);
            long duplicates = inSecondary.stream().filter(seenInPrimary::contains).count();
            System.out.printf("KCL FAILOVER RESULT: %d records, %d keys; processed %d in %s and %d in %s; duplicates %d "
                            + "(reported %d), skips reported %s; leases %s%n", RECORDS, KEYS, inPrimary.size(), primary,
                    inSecondary.size(), secondary, duplicates, reportedDuplicates, evidence.get("kcl." + APP + ".skips"),
                    evidence.entrySet().stream().filter(e -> e.getKey().startsWith("kcl.")).toList());

            Set<String> union = new HashSet<>(inPrimary);
            union.addAll(inSecondary);
            assertThat(union).as("every record of every key, no gap").isEqualTo(all);
            assertThat(inPrimary.size()).as("the primary run stopped part way").isLessThan(RECORDS);
            assertThat(duplicates).as("duplicates within what the controller reported").isLessThanOrEqualTo(reportedDuplicates);
        }
    }

    private static String key(int i) {
        return "k" + (i % KEYS);
    }
}
