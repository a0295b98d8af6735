package io.kinesisha.replicator.sink;

import io.kinesisha.common.aws.AwsTarget;
import java.net.URI;
import java.util.Objects;
import org.apache.flink.util.function.SerializableSupplier;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/**
 * An {@link AwsTarget} that can travel inside a Flink job graph: {@code AwsTarget} holds a credentials provider,
 * which is not serializable, so this keeps the region, the endpoint and either "the default chain" (real
 * deployments: the task manager's role) or fixed keys (local emulators), and rebuilds the target on the task
 * manager. Fixed keys end up in the job graph: use them only for local environments.
 */
public final class AwsTargetSpec implements SerializableSupplier<AwsTarget> {
    private static final long serialVersionUID = 1L;

    private final String region;
    private final URI endpoint;
    private final String accessKeyId;
    private final String secretAccessKey;
    private final String sessionToken;

    private AwsTargetSpec(String region, URI endpoint, String accessKeyId, String secretAccessKey, String sessionToken) {
        this.region = Objects.requireNonNull(region, "region");
        this.endpoint = endpoint;
        this.accessKeyId = accessKeyId;
        this.secretAccessKey = secretAccessKey;
        this.sessionToken = sessionToken;
    }

    /**
     * Captures {@code target}. Supported credentials: the SDK default chain and static keys; anything else cannot
     * be shipped to a task manager (pass a {@code SerializableSupplier<AwsTarget>} that builds it there instead).
     */
    public static AwsTargetSpec of(AwsTarget target) {
        String region = target.region().id();
        URI endpoint = target.endpoint().orElse(null);
        if (target.credentials() instanceof DefaultCredentialsProvider) {
            return new AwsTargetSpec(region, endpoint, null, null, null);
        }
        if (target.credentials() instanceof StaticCredentialsProvider) {
            AwsCredentials credentials = target.credentials().resolveCredentials();
            String token = credentials instanceof AwsSessionCredentials
                    ? ((AwsSessionCredentials) credentials).sessionToken() : null;
            return new AwsTargetSpec(region, endpoint, credentials.accessKeyId(), credentials.secretAccessKey(), token);
        }
        throw new IllegalArgumentException("the credentials provider of " + target + " ("
                + target.credentials().getClass().getName() + ") cannot be shipped to Flink task managers: use the "
                + "default credentials chain or static keys, or a SerializableSupplier<AwsTarget> that builds it there");
    }

    @Override
    public AwsTarget get() {
        AwsTarget target = AwsTarget.of(region).withEndpoint(endpoint);
        if (accessKeyId == null) {
            return target;
        }
        return target.withCredentials(StaticCredentialsProvider.create(sessionToken == null
                ? AwsBasicCredentials.create(accessKeyId, secretAccessKey)
                : AwsSessionCredentials.create(accessKeyId, secretAccessKey, sessionToken)));
    }

    public String region() {
        return region;
    }

    @Override
    public String toString() {
        return region + (endpoint == null ? "" : " @ " + endpoint)
                + (accessKeyId == null ? " (default credentials)" : " (static key " + accessKeyId + ")");
    }
}
