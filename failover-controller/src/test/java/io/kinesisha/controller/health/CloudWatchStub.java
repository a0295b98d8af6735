package io.kinesisha.controller.health;

import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.kinesisha.common.aws.AwsClientFactory;
import io.kinesisha.common.aws.AwsTarget;
import io.kinesisha.common.aws.ClientTuning;
import java.net.URI;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.services.cloudwatch.CloudWatchClient;

/** A WireMock CloudWatch endpoint on a free port and the SDK client pointed at it (the pinned SDK speaks RPC v2 CBOR). */
public final class CloudWatchStub implements AutoCloseable {
    public final WireMockServer wireMock;
    public final CloudWatchClient client;

    public CloudWatchStub(ClientTuning tuning) {
        wireMock = new WireMockServer(wireMockConfig().dynamicPort());
        wireMock.start();
        AwsTarget target = AwsTarget.local("us-west-2", URI.create(wireMock.baseUrl()), "AKIDLOCAL", "local-secret");
        client = new AwsClientFactory(tuning).configure(CloudWatchClient.builder(), target)
                .httpClientBuilder(ApacheHttpClient.builder()).build();
    }

    @Override
    public void close() {
        client.close();
        wireMock.stop();
    }
}
