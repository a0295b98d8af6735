package io.kinesisha.replicator.fence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kinesisha.common.aws.AwsTarget;
import io.kinesisha.common.aws.ClientTuning;
import io.kinesisha.common.control.ControlStore;
import io.kinesisha.common.control.ReplicationDirection;
import io.kinesisha.replicator.source.ReadLease.Renewal;
import io.kinesisha.testkit.LocalEnvironmentExtension;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * A job resumed right after another stopped (stop-with-savepoint, then a resume) may find the stopped job's lease
 * still held: its release at close can fail (on a Flink cluster the job's class loader may already be gone, as in a CI
 * run of FlinkClusterIT). It waits while the holder does not renew, and reads once the lease expires; a holder that
 * renews is a running job, and the new one stops at once as before.
 */
class JobLeaseTest {
    private static final ReplicationDirection DIRECTION = new ReplicationDirection("us-west-2", "us-east-2");

    @RegisterExtension
    static final LocalEnvironmentExtension LOCAL = new LocalEnvironmentExtension("us-west-2");

    @Test
    void aJobWaitsForTheLeaseOfAStoppedJobAndTakesItWhenItExpires() {
        String table = table("stopped");
        JobLease stopped = lease(table, "run-a", Duration.ofSeconds(3));
        JobLease resumed = lease(table, "run-b", JobLease.TTL);

        assertThat(stopped.renew()).isEqualTo(Renewal.HELD);
        assertThat(resumed.renew()).as("held by a run that may have stopped").isEqualTo(Renewal.WAITING);
        assertThat(resumed.renew()).as("not renewed since").isEqualTo(Renewal.WAITING);
        assertThat(resumed.holder()).contains("run-a");
        await().atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(500))
                .until(resumed::renew, r -> r == Renewal.HELD);
        assertThat(stopped.renew()).as("the lease moved on").isEqualTo(Renewal.HELD_BY_ANOTHER);
    }

    @Test
    void aJobStopsWhenTheHolderRenewsWhileItWaits() {
        String table = table("running");
        JobLease running = lease(table, "run-a", JobLease.TTL);
        JobLease second = lease(table, "run-b", JobLease.TTL);

        assertThat(running.renew()).isEqualTo(Renewal.HELD);
        assertThat(second.renew()).isEqualTo(Renewal.WAITING);
        await().atMost(Duration.ofSeconds(5)).until(() -> {
            running.renew();
            return second.renew() == Renewal.HELD_BY_ANOTHER;
        });
        assertThat(second.holder()).contains("run-a");
    }

    private static String table(String name) {
        String table = "control-lease-" + name;
        try (DynamoDbClient dynamo = LOCAL.env().clients().dynamoDb(target())) {
            new ControlStore(dynamo, table).createTableIfMissing();
        }
        return table;
    }

    private static JobLease lease(String table, String owner, Duration ttl) {
        return new JobLease("pair", table, target(), ClientTuning.DEFAULT, DIRECTION, 1, owner).expiringAfter(ttl);
    }

    private static AwsTarget target() {
        return LOCAL.env().controlStoreTarget("us-west-2");
    }
}
