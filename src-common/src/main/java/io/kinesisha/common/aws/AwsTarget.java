package io.kinesisha.common.aws;

import java.net.URI;
import java.util.Objects;
import java.util.Optional;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;

/**
 * Where and as whom a client talks to AWS: a region, an optional endpoint override (a local emulator, a VPC
 * endpoint) and credentials. One value describes a region for every client the product builds.
 */
public final class AwsTarget {
    private final Region region;
    private final URI endpoint;
    private final AwsCredentialsProvider credentials;

    private AwsTarget(Region region, URI endpoint, AwsCredentialsProvider credentials) {
        this.region = Objects.requireNonNull(region, "region");
        this.endpoint = endpoint;
        this.credentials = Objects.requireNonNull(credentials, "credentials");
    }

    /** A real AWS region with the default credentials chain. */
    public static AwsTarget of(String region) {
        return new AwsTarget(Region.of(region), null, DefaultCredentialsProvider.builder().build());
    }

    /** A region served at {@code endpoint} with fixed keys (local emulators select the account by access key). */
    public static AwsTarget local(String region, URI endpoint, String accessKeyId, String secretAccessKey) {
        return new AwsTarget(Region.of(region), Objects.requireNonNull(endpoint, "endpoint"),
                StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKeyId, secretAccessKey)));
    }

    public AwsTarget withEndpoint(URI newEndpoint) {
        return new AwsTarget(region, newEndpoint, credentials);
    }

    public AwsTarget withCredentials(AwsCredentialsProvider provider) {
        return new AwsTarget(region, endpoint, provider);
    }

    public Region region() {
        return region;
    }

    public Optional<URI> endpoint() {
        return Optional.ofNullable(endpoint);
    }

    public AwsCredentialsProvider credentials() {
        return credentials;
    }

    @Override
    public String toString() {
        return region.id() + (endpoint == null ? "" : " @ " + endpoint);
    }
}
