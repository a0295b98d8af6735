package io.kinesisha.infra;

import io.kinesisha.infra.constructs.ControlTable;
import software.amazon.awscdk.CfnOutput;
import software.amazon.awscdk.Environment;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.constructs.Construct;

/**
 * The control table in its own stack (homed in the primary region, replica in the secondary, witness in a third):
 * it outlives and is changed far less often than the regional stacks, and those refer to it by its fixed name.
 */
public final class ControlTableStack extends Stack {
    private final ControlTable table;

    public ControlTableStack(Construct scope, String id, DeploymentSettings settings) {
        super(
                scope,
                id,
                StackProps.builder()
                        .env(Environment.builder()
                                .account(settings.account())
                                .region(settings.primaryRegion())
                                .build())
                        .description("kinesis-ha " + settings.pairName()
                                + ": control table (DynamoDB global table, multi-region"
                                + " strong consistency, " + settings.primaryRegion() + " + "
                                + settings.secondaryRegion()
                                + ", witness " + settings.witnessRegion() + ")")
                        .build());
        table = new ControlTable(this, "ControlTable", settings);
        CfnOutput.Builder.create(this, "ControlTableName")
                .value(settings.controlTableName())
                .build();
    }

    public ControlTable table() {
        return table;
    }
}
