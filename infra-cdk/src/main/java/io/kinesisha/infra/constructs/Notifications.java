package io.kinesisha.infra.constructs;

import io.kinesisha.common.metrics.MetricNames;
import io.kinesisha.infra.DeploymentSettings;
import io.kinesisha.infra.Names;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.cloudwatch.Alarm;
import software.amazon.awscdk.services.cloudwatch.ComparisonOperator;
import software.amazon.awscdk.services.cloudwatch.TreatMissingData;
import software.amazon.awscdk.services.cloudwatch.actions.SnsAction;
import software.amazon.awscdk.services.iam.AccountRootPrincipal;
import software.amazon.awscdk.services.iam.Effect;
import software.amazon.awscdk.services.iam.PolicyDocument;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.iam.ServicePrincipal;
import software.amazon.awscdk.services.kms.Key;
import software.amazon.awscdk.services.sns.Topic;
import software.amazon.awscdk.services.sns.subscriptions.EmailSubscription;
import software.constructs.Construct;

/**
 * The operator topic of one region, so people hear about what the controller does without watching a dashboard:
 * every alarm of the region (both ways), the pair leaving the primary (failover, switchover, failback), failed
 * controller rounds (a failed step fails the invocation, which Lambda counts as an error) and a controller that
 * stopped reporting. Subscribers come from {@code -c notificationEmails=...}; others (a pager, chat) can subscribe
 * to the topic later. Encrypted with its own key, which CloudWatch may use to publish; publishing needs TLS.
 */
public final class Notifications extends Construct {
    /** Minutes without a controller metric before the controller counts as silent (it reports every minute). */
    static final int SILENT_MINUTES = 5;

    private final Topic topic;
    private final List<Alarm> alarms = new ArrayList<>();

    public Notifications(Construct scope, String id, DeploymentSettings settings) {
        super(scope, id);
        Key key = Key.Builder.create(this, "Key")
                .alias("alias/" + Names.notificationTopic(settings))
                .description("kinesis-ha " + settings.pairName() + ": encryption of the operator topic")
                .enableKeyRotation(true)
                .policy(keyPolicy())
                .removalPolicy(RemovalPolicy.DESTROY)
                .pendingWindow(Duration.days(7))
                .build();
        topic = Topic.Builder.create(this, "Topic")
                .topicName(Names.notificationTopic(settings))
                .displayName("kinesis-ha " + settings.pairName())
                .masterKey(key)
                .enforceSsl(true)
                .build();
        // The topic policy replaces SNS's default one: let CloudWatch publish, for this pair's alarms only.
        String region = Stack.of(this).getRegion();
        topic.addToResourcePolicy(PolicyStatement.Builder.create()
                .sid("PairAlarmsPublish")
                .effect(Effect.ALLOW)
                .principals(List.of(new ServicePrincipal("cloudwatch.amazonaws.com")))
                .actions(List.of("sns:Publish"))
                .resources(List.of(topic.getTopicArn()))
                .conditions(Map.of(
                        "StringEquals", Map.of("aws:SourceAccount", settings.account()),
                        "ArnLike",
                                Map.of(
                                        "aws:SourceArn",
                                        "arn:" + Names.partition(region) + ":cloudwatch:" + region + ":"
                                                + settings.account() + ":alarm:kinesis-ha-" + settings.pairName()
                                                + "-*")))
                .build());
        for (String email : settings.notificationEmails()) {
            topic.addSubscription(new EmailSubscription(email));
        }
    }

    /** Account administration as for the stream keys, plus CloudWatch, which encrypts what its alarms publish. */
    private static PolicyDocument keyPolicy() {
        return PolicyDocument.Builder.create()
                .statements(List.of(
                        PolicyStatement.Builder.create()
                                .sid("AccountAdministersAndDelegatesToIam")
                                .effect(Effect.ALLOW)
                                .principals(List.of(new AccountRootPrincipal()))
                                .actions(StreamsConstruct.KEY_ACTIONS)
                                .resources(List.of("*"))
                                .build(),
                        PolicyStatement.Builder.create()
                                .sid("CloudWatchAlarmsPublish")
                                .effect(Effect.ALLOW)
                                .principals(List.of(new ServicePrincipal("cloudwatch.amazonaws.com")))
                                .actions(List.of("kms:Decrypt", "kms:GenerateDataKey"))
                                .resources(List.of("*"))
                                .build()))
                .build();
    }

    /** Sends the state changes of {@code regionAlarms} (to ALARM and back to OK) to the topic as well. */
    public void notifyOn(List<Alarm> regionAlarms) {
        SnsAction action = new SnsAction(topic);
        for (Alarm alarm : regionAlarms) {
            alarm.addAlarmAction(action);
            alarm.addOkAction(action);
        }
    }

    /**
     * The alarms that only notify (they do not invoke the controller): the pair is not on its primary, a controller
     * round failed, the controller stopped reporting.
     */
    public void controllerAlarms(DeploymentSettings settings) {
        Map<String, String> pair = Map.of(MetricNames.CONTROLLER_PAIR_DIMENSION, settings.pairName());
        Map<String, String> function = Map.of("FunctionName", Names.controllerFunction(settings));
        String prefix = "kinesis-ha-" + settings.pairName() + "-";
        alarms.add(Alarm.Builder.create(this, "NotOnPrimary")
                .alarmName(prefix + "not-on-primary")
                .alarmDescription("The pair left ACTIVE_PRIMARY (failover, switchover or failback under way, or"
                        + " producers on the secondary): see runbooks/automatic-failover.md")
                .metric(HealthAlarms.metric(
                        MetricNames.CONTROLLER_NAMESPACE,
                        MetricNames.CONTROLLER_STATE,
                        pair,
                        "Maximum",
                        HealthAlarms.ONE_MINUTE))
                .threshold(0)
                .comparisonOperator(ComparisonOperator.GREATER_THAN_THRESHOLD)
                .evaluationPeriods(1)
                .treatMissingData(TreatMissingData.NOT_BREACHING)
                .build());
        alarms.add(Alarm.Builder.create(this, "ControllerErrors")
                .alarmName(prefix + "controller-errors")
                .alarmDescription("A controller round failed (a failed step included; the audit trail names it):"
                        + " ./kinesis-ha status, then the function's log")
                .metric(HealthAlarms.metric("AWS/Lambda", "Errors", function, "Sum", HealthAlarms.ONE_MINUTE))
                .threshold(0)
                .comparisonOperator(ComparisonOperator.GREATER_THAN_THRESHOLD)
                .evaluationPeriods(1)
                .treatMissingData(TreatMissingData.NOT_BREACHING)
                .build());
        alarms.add(Alarm.Builder.create(this, "ControllerSilent")
                .alarmName(prefix + "controller-silent")
                .alarmDescription("No controller metric for " + SILENT_MINUTES + " minutes: the scheduled rounds do"
                        + " not run or cannot publish (check the function's log and the schedule)")
                .metric(HealthAlarms.metric(
                        MetricNames.CONTROLLER_NAMESPACE,
                        MetricNames.CONTROLLER_STATE,
                        pair,
                        "SampleCount",
                        Duration.minutes(SILENT_MINUTES)))
                .threshold(1)
                .comparisonOperator(ComparisonOperator.LESS_THAN_THRESHOLD)
                .evaluationPeriods(1)
                .treatMissingData(TreatMissingData.BREACHING)
                .build());
        notifyOn(alarms);
    }

    public Topic topic() {
        return topic;
    }

    /** The alarms made by {@link #controllerAlarms}. */
    public List<Alarm> alarms() {
        return List.copyOf(alarms);
    }
}
