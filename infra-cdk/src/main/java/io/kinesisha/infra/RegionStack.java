package io.kinesisha.infra;

import io.kinesisha.infra.constructs.ControllerFunction;
import io.kinesisha.infra.constructs.Dashboard;
import io.kinesisha.infra.constructs.HealthAlarms;
import io.kinesisha.infra.constructs.Notifications;
import io.kinesisha.infra.constructs.ReplicatorApplication;
import io.kinesisha.infra.constructs.StreamsConstruct;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awscdk.CfnOutput;
import software.amazon.awscdk.Environment;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.services.cloudwatch.Alarm;
import software.constructs.Construct;

/**
 * Everything of the pair that lives in one region. The primary holds the primary stream with the replicator's
 * consumer and the reverse (failback) replicator; the secondary holds the standby stream and the forward replicator.
 * Each region has a controller run every minute and by its region's alarms (the secondary's is the one that must act
 * when the primary region is gone), an operator topic and a dashboard.
 */
public final class RegionStack extends Stack {
    /** Which of the pair's two regions a stack is for. */
    public enum Role {
        PRIMARY,
        SECONDARY
    }

    private final StreamsConstruct streams;
    private final ReplicatorApplication replicator;
    private final ControllerFunction controller;
    private final HealthAlarms alarms;
    private final Notifications notifications;
    private final Dashboard dashboard;

    /**
     * @param primaryConsumerArn for the secondary stack: the replicator consumer created by the primary stack (a
     *                           cross-region reference, the one value whose name cannot be fixed); null for the primary
     */
    public RegionStack(Construct scope, String id, DeploymentSettings settings, Role role, String primaryConsumerArn) {
        super(
                scope,
                id,
                StackProps.builder()
                        .env(Environment.builder()
                                .account(settings.account())
                                .region(role == Role.PRIMARY ? settings.primaryRegion() : settings.secondaryRegion())
                                .build())
                        .crossRegionReferences(true)
                        .description("kinesis-ha " + settings.pairName() + ": "
                                + role.name().toLowerCase() + " region")
                        .build());
        String region = getRegion();
        boolean primary = role == Role.PRIMARY;
        streams = new StreamsConstruct(this, "Streams", settings, primary);
        String consumerArn = primary ? streams.replicatorConsumer().getAttrConsumerArn() : primaryConsumerArn;

        replicator = new ReplicatorApplication(
                this,
                "Replicator",
                settings,
                primary ? ReplicatorApplication.Direction.REVERSE : ReplicatorApplication.Direction.FORWARD,
                streams,
                consumerArn,
                settings.pairProperties(region, consumerArn));
        controller = new ControllerFunction(this, "Controller", settings, settings.pairProperties(region, consumerArn));

        alarms = new HealthAlarms(this, "Alarms", settings, controller.function());
        alarms.errorRate(settings.streamName());
        if (primary) {
            alarms.iteratorAge(settings.streamName(), settings.consumerName());
        } else {
            alarms.replicationLag(replicator.applicationName());
            alarms.downtime(replicator.applicationName());
            alarms.fullRestarts(replicator.applicationName());
        }
        notifications = new Notifications(this, "Notifications", settings);
        notifications.notifyOn(alarms.alarms());
        notifications.controllerAlarms(settings);
        List<Alarm> all = new ArrayList<>(alarms.alarms());
        all.addAll(notifications.alarms());
        dashboard = new Dashboard(
                this,
                "Dashboard",
                settings,
                replicator.applicationName(),
                settings.consumerName(),
                controller.function(),
                all);

        CfnOutput.Builder.create(this, "StreamArn")
                .value(streams.stream().getStreamArn())
                .build();
        if (primary) {
            CfnOutput.Builder.create(this, "ReplicatorConsumerArn")
                    .value(consumerArn)
                    .build();
        }
        CfnOutput.Builder.create(this, "ReplicatorApplicationName")
                .value(replicator.applicationName())
                .build();
        CfnOutput.Builder.create(this, "ControllerFunctionName")
                .value(controller.function().getFunctionName())
                .build();
        CfnOutput.Builder.create(this, "NotificationTopicArn")
                .value(notifications.topic().getTopicArn())
                .build();
        CfnOutput.Builder.create(this, "DashboardUrl")
                .value(Names.dashboardUrl(settings, region))
                .build();
    }

    public StreamsConstruct streams() {
        return streams;
    }

    public ReplicatorApplication replicator() {
        return replicator;
    }

    public ControllerFunction controller() {
        return controller;
    }

    public HealthAlarms alarms() {
        return alarms;
    }

    public Notifications notifications() {
        return notifications;
    }

    public Dashboard dashboard() {
        return dashboard;
    }
}
