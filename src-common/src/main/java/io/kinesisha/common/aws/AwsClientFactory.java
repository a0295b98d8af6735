package io.kinesisha.common.aws;

import java.util.EnumMap;
import java.util.Map;
import java.util.function.Consumer;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.Protocol;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.http.nio.netty.SdkEventLoopGroup;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.KinesisClient;

/**
 * Builds every AWS client the product uses, so endpoints, credentials, timeouts and the SDK's standard retry
 * strategy are set in one place. Asynchronous clients get a Netty event loop per {@link ClientRole}: a
 * blocked consumer must never starve a producer. Closing the factory closes the event loops it created.
 */
public final class AwsClientFactory implements AutoCloseable {
    private final ClientTuning tuning;
    private final Map<ClientRole, SdkEventLoopGroup> eventLoops = new EnumMap<>(ClientRole.class);

    public AwsClientFactory(ClientTuning tuning) {
        this.tuning = tuning;
    }

    public AwsClientFactory() {
        this(ClientTuning.DEFAULT);
    }

    /** Applies region, endpoint, credentials, timeouts and retries to any SDK client builder. */
    public <B extends AwsClientBuilder<B, C>, C> B configure(B builder, AwsTarget target) {
        builder.region(target.region()).credentialsProvider(target.credentials());
        target.endpoint().ifPresent(builder::endpointOverride);
        builder.overrideConfiguration(overrides());
        return builder;
    }

    public ClientOverrideConfiguration overrides() {
        return ClientOverrideConfiguration.builder()
                .retryStrategy(AwsRetryStrategy.standardRetryStrategy().toBuilder()
                        .maxAttempts(tuning.maxAttempts())
                        .build())
                .apiCallTimeout(tuning.apiCallTimeout())
                .apiCallAttemptTimeout(tuning.apiCallAttemptTimeout())
                .build();
    }

    public KinesisClient kinesis(AwsTarget target) {
        return configure(KinesisClient.builder(), target)
                .httpClientBuilder(
                        ApacheHttpClient.builder().maxConnections(64).socketTimeout(tuning.apiCallAttemptTimeout()))
                .build();
    }

    /**
     * An HTTP/2 Kinesis client (SubscribeToShard needs HTTP/2) on the event loop of {@code role}. Against a
     * local emulator the endpoint must be its plain-HTTP port, which speaks h2c.
     */
    public KinesisAsyncClient kinesisAsync(AwsTarget target, ClientRole role) {
        return kinesisAsync(target, role, overrides -> {});
    }

    /**
     * Like {@link #kinesisAsync(AwsTarget, ClientRole)}, with {@code extraOverrides} applied on top of the shared
     * timeouts and retry strategy (e.g. execution interceptors for metrics or fault injection in tests).
     */
    public KinesisAsyncClient kinesisAsync(
            AwsTarget target, ClientRole role, Consumer<ClientOverrideConfiguration.Builder> extraOverrides) {
        ClientOverrideConfiguration.Builder overrides = overrides().toBuilder();
        extraOverrides.accept(overrides);
        return configure(KinesisAsyncClient.builder(), target)
                .overrideConfiguration(overrides.build())
                .httpClientBuilder(NettyNioAsyncHttpClient.builder()
                        .eventLoopGroup(eventLoop(role))
                        .protocol(Protocol.HTTP2)
                        .maxConcurrency(256)
                        .connectionAcquisitionTimeout(tuning.apiCallTimeout()))
                .build();
    }

    public DynamoDbClient dynamoDb(AwsTarget target) {
        return configure(DynamoDbClient.builder(), target)
                .httpClientBuilder(
                        ApacheHttpClient.builder().maxConnections(16).socketTimeout(tuning.apiCallAttemptTimeout()))
                .build();
    }

    /** The event loop of a role, created on first use and shared by all clients of that role. */
    public synchronized SdkEventLoopGroup eventLoop(ClientRole role) {
        return eventLoops.computeIfAbsent(
                role, r -> SdkEventLoopGroup.builder().numberOfThreads(2).build());
    }

    @Override
    public synchronized void close() {
        for (SdkEventLoopGroup group : eventLoops.values()) {
            group.eventLoopGroup().shutdownGracefully();
        }
        eventLoops.clear();
    }
}
