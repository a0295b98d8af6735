package io.kinesisha.infra.constructs;

import io.kinesisha.infra.DeploymentSettings;
import io.kinesisha.infra.Names;
import java.util.List;
import software.amazon.awscdk.Acknowledgment;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.Validations;
import software.amazon.awscdk.services.iam.AccountRootPrincipal;
import software.amazon.awscdk.services.iam.Effect;
import software.amazon.awscdk.services.iam.PolicyDocument;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.kinesis.CfnStreamConsumer;
import software.amazon.awscdk.services.kinesis.Stream;
import software.amazon.awscdk.services.kinesis.StreamEncryption;
import software.amazon.awscdk.services.kinesis.StreamMode;
import software.amazon.awscdk.services.kms.Key;
import software.constructs.Construct;

/**
 * One region's stream, encrypted with its own rotating key, plus (on the primary) the replicator's enhanced fan-out
 * consumer. The consumer is owned by the stack, not by the job, so a job restart or a second job never deregisters
 * it and the consumer ARN in the job's config stays valid. Both are retained on stack deletion: they hold the data.
 */
public final class StreamsConstruct extends Construct {
    private final Key key;
    private final Stream stream;
    private final CfnStreamConsumer replicatorConsumer;

    public StreamsConstruct(Construct scope, String id, DeploymentSettings settings, boolean withReplicatorConsumer) {
        super(scope, id);
        key = Key.Builder.create(this, "Key")
                .alias(Names.streamKeyAlias(settings))
                .description("kinesis-ha " + settings.pairName() + ": server-side encryption of the stream")
                .enableKeyRotation(true)
                .policy(keyPolicy())
                .removalPolicy(RemovalPolicy.RETAIN)
                .build();
        Stream.Builder builder = Stream.Builder.create(this, "Stream")
                .streamName(settings.streamName())
                .encryption(StreamEncryption.KMS)
                .encryptionKey(key)
                .retentionPeriod(Duration.hours(settings.retentionHours()))
                .removalPolicy(RemovalPolicy.RETAIN);
        if (settings.onDemand()) {
            builder.streamMode(StreamMode.ON_DEMAND);
        } else {
            builder.streamMode(StreamMode.PROVISIONED).shardCount(settings.shards());
        }
        stream = builder.build();
        Validations.of(stream)
                .acknowledge(Acknowledgment.builder()
                        .id("AwsSolutions-KDS3")
                        .reason(
                                "A customer managed key per pair: its key policy decides and CloudTrail records who reads the"
                                        + " replicated data, and the replicator in the other region is granted exactly this key (by"
                                        + " alias). Kinesis reuses data keys, calling KMS about every five minutes per producer and"
                                        + " consumer credential, so the added cost stays small for a pair's few writers and readers.")
                        .build());
        replicatorConsumer = withReplicatorConsumer
                ? CfnStreamConsumer.Builder.create(this, "ReplicatorConsumer")
                        .consumerName(settings.consumerName())
                        .streamArn(stream.getStreamArn())
                        .build()
                : null;
    }

    /**
     * The default key policy gives the account {@code kms:*}; this one names every action instead (no wildcard
     * action anywhere in the app): administration for CloudFormation and operators, use for the IAM policies of the
     * replicators and producers. PutKeyPolicy stays with the account, so it can never be locked out.
     */
    private static PolicyDocument keyPolicy() {
        return PolicyDocument.Builder.create()
                .statements(List.of(PolicyStatement.Builder.create()
                        .sid("AccountAdministersAndDelegatesToIam")
                        .effect(Effect.ALLOW)
                        .principals(List.of(new AccountRootPrincipal()))
                        .actions(KEY_ACTIONS)
                        .resources(List.of("*"))
                        .build()))
                .build();
    }

    static final List<String> KEY_ACTIONS = List.of(
            "kms:DescribeKey",
            "kms:GetKeyPolicy",
            "kms:PutKeyPolicy",
            "kms:GetKeyRotationStatus",
            "kms:EnableKeyRotation",
            "kms:DisableKeyRotation",
            "kms:RotateKeyOnDemand",
            "kms:ListKeyRotations",
            "kms:EnableKey",
            "kms:DisableKey",
            "kms:UpdateKeyDescription",
            "kms:ListResourceTags",
            "kms:TagResource",
            "kms:UntagResource",
            "kms:CreateAlias",
            "kms:UpdateAlias",
            "kms:DeleteAlias",
            "kms:ScheduleKeyDeletion",
            "kms:CancelKeyDeletion",
            "kms:CreateGrant",
            "kms:ListGrants",
            "kms:RevokeGrant",
            "kms:RetireGrant",
            "kms:Encrypt",
            "kms:Decrypt",
            "kms:ReEncryptFrom",
            "kms:ReEncryptTo",
            "kms:GenerateDataKey",
            "kms:GenerateDataKeyWithoutPlaintext");

    public Key key() {
        return key;
    }

    public Stream stream() {
        return stream;
    }

    /** The replicator's consumer; null in the region without one. */
    public CfnStreamConsumer replicatorConsumer() {
        return replicatorConsumer;
    }
}
