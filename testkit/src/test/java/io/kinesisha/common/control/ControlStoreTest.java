package io.kinesisha.common.control;

import static org.assertj.core.api.Assertions.assertThat;

import io.kinesisha.testkit.LocalEnvironmentExtension;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** Transitions without transactions (global tables in strong consistency have none): the audit is never lost. */
class ControlStoreTest {
    @RegisterExtension
    static final LocalEnvironmentExtension LOCAL = new LocalEnvironmentExtension("us-west-2");

    @Test
    void aLeaseHasOneHolderUntilItExpiresOrIsReleased() {
        try (DynamoDbClient dynamo = LOCAL.env().clients().dynamoDb(LOCAL.env().controlStoreTarget("us-west-2"))) {
            ControlStore store = new ControlStore(dynamo, "control-store-leases");
            store.createTableIfMissing();
            long t = 1_000_000L;
            assertThat(store.acquireLease("p", "replicator", "run-a", t, 60_000, "first"))
                    .isTrue();
            assertThat(store.acquireLease("p", "replicator", "run-b", t + 1_000, 60_000, "second"))
                    .as("held")
                    .isFalse();
            assertThat(store.acquireLease("p", "replicator", "run-a", t + 30_000, 60_000, "renewal"))
                    .isTrue();
            assertThat(store.acquireLease("p", "replicator", "run-b", t + 80_000, 60_000, "second"))
                    .as("renewed")
                    .isFalse();
            assertThat(store.readLease("p", "replicator"))
                    .get()
                    .extracting(RunnerLease::owner, RunnerLease::expiresEpochMillis)
                    .containsExactly("run-a", t + 90_000);
            assertThat(store.acquireLease("p", "replicator", "run-b", t + 90_001, 60_000, "second"))
                    .as("expired")
                    .isTrue();

            store.releaseLease("p", "replicator", "run-a", t + 90_002);
            assertThat(store.readLease("p", "replicator"))
                    .get()
                    .extracting(RunnerLease::owner)
                    .as("not a's to release")
                    .isEqualTo("run-b");
            store.releaseLease("p", "replicator", "run-b", t + 90_003);
            assertThat(store.acquireLease("p", "replicator", "run-c", t + 90_004, 60_000, "third"))
                    .as("released")
                    .isTrue();
            assertThat(store.readLease("p", "other")).isEmpty();
        }
    }

    @Test
    void progressRowsKeepTheirFlushMarkAndReplicationStartsAreWrittenOnce() {
        try (DynamoDbClient dynamo = LOCAL.env().clients().dynamoDb(LOCAL.env().controlStoreTarget("us-west-2"))) {
            ControlStore store = new ControlStore(dynamo, "control-store-marks");
            store.createTableIfMissing();
            ReplicationDirection d = new ReplicationDirection("us-west-2", "us-east-2");
            ShardProgress plain = new ShardProgress("p", d, 3, "s0", "100", 1L, 0, "t0", "900", 1, 1, false, 2L);
            store.putProgress(plain);
            assertThat(store.readProgress("p", d, 3))
                    .singleElement()
                    .extracting(ShardProgress::markSequenceNumber)
                    .as("a row without a mark (older writers) reads as unmarked")
                    .isNull();
            store.putProgress(new ShardProgress("p", d, 3, "s0", "120", 1L, 0, "t0", "950", 2, 2, false, 3L)
                    .withMark("110", Map.of("t0", "940", "t1", "20")));
            ShardProgress read = store.readProgress("p", d, 3).get(0);
            assertThat(read.markSequenceNumber()).isEqualTo("110");
            assertThat(read.markTargets()).isEqualTo(Map.of("t0", "940", "t1", "20"));

            ReplicationLedger ledger = new ReplicationLedger(dynamo, "control-store-marks");
            ReplicationStart first =
                    new ReplicationStart("p", d, 4, Instant.EPOCH, Map.of("s0", "120"), Map.of("t0", "950", "t1", ""));
            ledger.putStart(first);
            ReplicationStart again = ledger.putStart(
                    new ReplicationStart("p", d, 4, Instant.EPOCH.plusSeconds(9), Map.of(), Map.of("t0", "999")));
            assertThat(again.targetTips()).as("the first start stays").isEqualTo(first.targetTips());
            assertThat(ledger.start("p", d, 4))
                    .get()
                    .extracting(ReplicationStart::sourceTips)
                    .isEqualTo(Map.of("s0", "120"));
            assertThat(ledger.starts("p", "us-east-2")).hasSize(1);
            assertThat(ledger.starts("p", "us-west-2")).isEmpty();
        }
    }

    @Test
    void aTransitionIsOneConditionalWriteAndItsAuditSurvivesALostAppend() {
        try (DynamoDbClient dynamo = LOCAL.env().clients().dynamoDb(LOCAL.env().controlStoreTarget("us-west-2"))) {
            ControlStore store = new ControlStore(dynamo, "control-store-test");
            store.createTableIfMissing();
            Instant now = Instant.parse("2026-11-22T00:00:00Z");
            ControlRecord first = ControlRecord.initial("p", "us-west-2", "us-east-2", now);
            assertThat(store.create(first)).isTrue();
            ControlRecord second = first.next("us-east-2", null, "ACTIVE_SECONDARY", false, now.plusSeconds(1));
            AuditEntry decision = AuditEntry.of(
                    "p", now.plusSeconds(1), AuditEntry.Kind.DECISION, "fail over", Map.of("probe", "timeout"));

            assertThat(store.replace(first, second, decision)).isTrue();
            assertThat(store.read("p"))
                    .get()
                    .extracting(ControlRecord::epoch, ControlRecord::activeRegion)
                    .containsExactly(2L, "us-east-2");
            assertThat(store.readAudit("p", 10)).extracting(AuditEntry::message).containsExactly("fail over");

            // a racing writer that read the first version loses, and its audit entry is not written
            AuditEntry late = AuditEntry.of("p", now.plusSeconds(2), AuditEntry.Kind.DECISION, "stay", Map.of());
            assertThat(store.replace(
                            first,
                            first.next("us-west-2", first.direction(), "ACTIVE_PRIMARY", false, now.plusSeconds(2)),
                            late))
                    .isFalse();
            assertThat(store.readAudit("p", 10)).extracting(AuditEntry::message).containsExactly("fail over");

            // the process died after the record write: the trail lacks the entry, the record still carries it
            dynamo.deleteItem(b -> b.tableName("control-store-test")
                    .key(Map.of(
                            "pk", software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS("pair#p#audit"),
                            "sk",
                                    software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS(
                                            decision.sortKey()))));
            List<AuditEntry> audit = store.readAudit("p", 10);
            assertThat(audit).extracting(AuditEntry::message).containsExactly("fail over");
            assertThat(audit.get(0).evidence()).containsEntry("probe", "timeout");
        }
    }
}
