package io.kinesisha.controller.health;

import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.kinesisha.common.aws.AwsClientFactory;
import io.kinesisha.common.aws.AwsTarget;
import io.kinesisha.common.aws.ClientTuning;
import java.net.URI;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.services.cloudwatch.CloudWatchClient;

/**
 * A WireMock CloudWatch endpoint (shared by the GetMetricData and PutMetricData tests) on a free port and the SDK client
 * pointed at it (the pinned SDK speaks RPC v2 CBOR). Registered as a JUnit extension on an instance field, it is made
 * for each test and closed after it.
 */
public final class CloudWatchStub implements AutoCloseable, AfterEachCallback {
    public final WireMockServer wireMock;
    public final CloudWatchClient client;

    public CloudWatchStub(ClientTuning tuning) {
        wireMock = new WireMockServer(wireMockConfig().dynamicPort());
        wireMock.start();
        AwsTarget target = AwsTarget.local("us-west-2", URI.create(wireMock.baseUrl()), "AKIDLOCAL", "local-secret");
        client = new AwsClientFactory(tuning)
                .configure(CloudWatchClient.builder(), target)
                .httpClientBuilder(ApacheHttpClient.builder())
                .build();
    }

    @Override
    public void afterEach(ExtensionContext context) {
        close();
    }

    @Override
    public void close() {
        client.close();
        wireMock.stop();
    }
}
