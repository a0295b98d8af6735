package io.kinesisha.infra.constructs;

import io.kinesisha.infra.DeploymentSettings;
import java.util.List;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.services.dynamodb.Attribute;
import software.amazon.awscdk.services.dynamodb.AttributeType;
import software.amazon.awscdk.services.dynamodb.Billing;
import software.amazon.awscdk.services.dynamodb.MultiRegionConsistency;
import software.amazon.awscdk.services.dynamodb.PointInTimeRecoverySpecification;
import software.amazon.awscdk.services.dynamodb.ReplicaTableProps;
import software.amazon.awscdk.services.dynamodb.TableV2;
import software.constructs.Construct;

/**
 * The control store as a global table with multi-region strong consistency: a conditional write acknowledged in
 * one region is seen by a strongly consistent read in the other, so two controllers (or a controller and a fenced
 * replicator) can never both believe they own the pair. Replicas in the primary and secondary regions, a witness in
 * a third region gives the quorum that keeps the surviving replica writable when one region fails. Schema as
 * {@code ControlStore}: string partition key {@code pk}, string sort key {@code sk}.
 */
public final class ControlTable extends Construct {
    /** Attribute names of {@code io.kinesisha.common.control.ControlStore} (package-private there). */
    public static final String PARTITION_KEY = "pk";

    public static final String SORT_KEY = "sk";

    private final TableV2 table;

    /** Must be created in a stack of the primary region: that replica is the table's home. */
    public ControlTable(Construct scope, String id, DeploymentSettings settings) {
        super(scope, id);
        PointInTimeRecoverySpecification pitr = PointInTimeRecoverySpecification.builder()
                .pointInTimeRecoveryEnabled(true)
                .build();
        table = TableV2.Builder.create(this, "Table")
                .tableName(settings.controlTableName())
                .partitionKey(Attribute.builder()
                        .name(PARTITION_KEY)
                        .type(AttributeType.STRING)
                        .build())
                .sortKey(Attribute.builder()
                        .name(SORT_KEY)
                        .type(AttributeType.STRING)
                        .build())
                .billing(Billing.onDemand())
                .multiRegionConsistency(MultiRegionConsistency.STRONG)
                .witnessRegion(settings.witnessRegion())
                .replicas(List.of(ReplicaTableProps.builder()
                        .region(settings.secondaryRegion())
                        .pointInTimeRecoverySpecification(pitr)
                        .deletionProtection(true)
                        .build()))
                .pointInTimeRecoverySpecification(pitr)
                .deletionProtection(true)
                .removalPolicy(RemovalPolicy.RETAIN)
                .build();
    }

    public TableV2 table() {
        return table;
    }
}
