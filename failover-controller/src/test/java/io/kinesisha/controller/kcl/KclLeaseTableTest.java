package io.kinesisha.controller.kcl;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.dynamodbv2.local.embedded.DynamoDBEmbedded;
import com.amazonaws.services.dynamodbv2.local.shared.access.AmazonDynamoDBLocal;
import io.kinesisha.controller.kcl.CheckpointTranslator.TargetLease;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndexDescription;
import software.amazon.awssdk.services.dynamodb.model.IndexStatus;
import software.amazon.awssdk.services.dynamodb.model.ProjectionType;
import software.amazon.kinesis.leases.dynamodb.DynamoDBLeaseSerializer;

/**
 * A lease table the controller creates (in the region a switch moves an application to) is the table KCL 3.x
 * itself would end up with, its lease-owner index included and ACTIVE: a worker started on a table without it
 * adds the index first and polls for it every 10 s before it takes a lease (minutes on DynamoDB for a big table),
 * which delays every consumer's restart after the switch.
 */
class KclLeaseTableTest {
    /** KCL 3.x's {@code DynamoDBLeaseRefresher.LEASE_OWNER_TO_LEASE_KEY_INDEX_NAME} (package-private there). */
    private static final String KCL_INDEX = "LeaseOwnerToLeaseKeyIndex";

    private final AmazonDynamoDBLocal local = DynamoDBEmbedded.create(true);
    private final DynamoDbClient dynamo = local.dynamoDbClient();

    @AfterEach
    void stop() {
        dynamo.close();
        local.shutdownNow();
    }

    @Test
    void theTableItCreatesHasKclsLeaseOwnerIndexActive() {
        TargetLease lease =
                new TargetLease("shardId-000000000000", LeaseCheckpoint.TRIM_HORIZON, List.of(), "0", "1", 0, 0);

        new KclLeaseTable(dynamo, "orders-leases").write(List.of(lease), Set.of(lease.shardId()));

        List<GlobalSecondaryIndexDescription> indexes =
                dynamo.describeTable(b -> b.tableName("orders-leases")).table().globalSecondaryIndexes();
        assertThat(indexes).singleElement().satisfies(index -> {
            assertThat(index.indexName()).isEqualTo(KCL_INDEX);
            assertThat(index.indexStatus()).isEqualTo(IndexStatus.ACTIVE);
            assertThat(index.keySchema())
                    .containsExactlyElementsOf(new DynamoDBLeaseSerializer().getWorkerIdToLeaseKeyIndexKeySchema());
            assertThat(index.projection().projectionType()).isEqualTo(ProjectionType.KEYS_ONLY);
        });
        assertThat(dynamo.scan(b -> b.tableName("orders-leases")).count()).isEqualTo(1);
    }
}
