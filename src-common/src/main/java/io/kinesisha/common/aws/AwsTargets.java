package io.kinesisha.common.aws;

import io.kinesisha.common.config.AwsSettings;
import io.kinesisha.common.config.CredentialsMode;
import io.kinesisha.common.config.RegionConfig;
import io.kinesisha.common.config.ReplicationPairConfig;

/** Turns a replication pair's configuration into the {@link AwsTarget}s and {@link ClientTuning} clients use. */
public final class AwsTargets {
    private AwsTargets() {}

    /** The Kinesis service of one side of the pair. */
    public static AwsTarget kinesis(ReplicationPairConfig config, RegionConfig side) {
        AwsTarget target =
                AwsTarget.of(side.region()).withEndpoint(side.endpoint().orElse(null));
        return withCredentials(target, config.aws());
    }

    /** The control store as seen from the control region. */
    public static AwsTarget controlStore(ReplicationPairConfig config) {
        AwsTarget target = AwsTarget.of(config.control().region())
                .withEndpoint(config.control().endpoint().orElse(null));
        return withCredentials(target, config.aws());
    }

    public static ClientTuning tuning(ReplicationPairConfig config) {
        AwsSettings aws = config.aws();
        return new ClientTuning(aws.apiCallTimeout(), aws.apiCallAttemptTimeout(), aws.maxAttempts());
    }

    private static AwsTarget withCredentials(AwsTarget target, AwsSettings aws) {
        if (aws.credentials() == CredentialsMode.STATIC) {
            return target.withStaticCredentials(
                    aws.accessKeyId().orElseThrow(), aws.secretAccessKey().orElseThrow());
        }
        return target;
    }
}
