package io.kinesisha.controller.actions;

import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.client.WireMock;
import io.kinesisha.common.aws.AwsClientFactory;
import io.kinesisha.common.aws.AwsTarget;
import io.kinesisha.common.aws.ClientTuning;
import java.net.URI;
import java.time.Duration;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.services.lambda.LambdaClient;

/** WireMock playing the Lambda API (REST-JSON) on a free port, and an SDK client pointed at it. */
final class LambdaWireMock implements AutoCloseable {
    static final String REGION = "us-east-2";
    private static final ObjectMapper JSON = new ObjectMapper();

    final WireMockServer server = new WireMockServer(wireMockConfig().dynamicPort());
    final LambdaClient lambda;

    LambdaWireMock() {
        server.start();
        AwsTarget target = AwsTarget.local(REGION, URI.create(server.baseUrl()), "AKIDLOCAL", "local-secret");
        lambda = new AwsClientFactory(new ClientTuning(Duration.ofSeconds(10), Duration.ofSeconds(5), 2))
                .configure(LambdaClient.builder(), target)
                .httpClientBuilder(ApacheHttpClient.builder())
                .build();
    }

    static ResponseDefinitionBuilder json(int status, String body) {
        return WireMock.aResponse()
                .withStatus(status)
                .withHeader("Content-Type", "application/json")
                .withBody(body);
    }

    /** A Lambda service error as the API sends it: the type in X-Amzn-ErrorType, the message in the body. */
    static ResponseDefinitionBuilder error(int status, String type, String message) {
        return json(status, "{\"Type\":\"User\",\"message\":\"" + message + "\"}")
                .withHeader("X-Amzn-ErrorType", type);
    }

    static JsonNode body(com.github.tomakehurst.wiremock.verification.LoggedRequest request) {
        try {
            return JSON.readTree(request.getBodyAsString());
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        lambda.close();
        server.stop();
    }
}
