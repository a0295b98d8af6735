package io.kinesisha.common.aws;

import java.io.Serializable;
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
 * endpoint) and credentials (the default chain, or fixed keys for local emulators, which select the account
 * by access key). Serializable, so Flink operators can carry it and build their clients where they run.
 */
public final class AwsTarget implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String region;
    private final URI endpoint;
    private final String accessKeyId;
    private final String secretAccessKey;

    private AwsTarget(String region, URI endpoint, String accessKeyId, String secretAccessKey) {
        this.region = Objects.requireNonNull(region, "region");
        this.endpoint = endpoint;
        this.accessKeyId = accessKeyId;
        this.secretAccessKey = secretAccessKey;
    }

    /** A real AWS region with the default credentials chain. */
    public static AwsTarget of(String region) {
        return new AwsTarget(region, null, null, null);
    }

    /** A region served at {@code endpoint} with fixed keys. */
    public static AwsTarget local(String region, URI endpoint, String accessKeyId, String secretAccessKey) {
        return new AwsTarget(
                region,
                Objects.requireNonNull(endpoint, "endpoint"),
                Objects.requireNonNull(accessKeyId, "accessKeyId"),
                Objects.requireNonNull(secretAccessKey, "secretAccessKey"));
    }

    /** Same region and credentials, another endpoint ({@code null}: the region's public endpoint). */
    public AwsTarget withEndpoint(URI newEndpoint) {
        return new AwsTarget(region, newEndpoint, accessKeyId, secretAccessKey);
    }

    /** Same endpoint and credentials, another region. */
    public AwsTarget withRegion(String newRegion) {
        return new AwsTarget(newRegion, endpoint, accessKeyId, secretAccessKey);
    }

    /** Fixed keys instead of the default chain (local emulators). */
    public AwsTarget withStaticCredentials(String newAccessKeyId, String newSecretAccessKey) {
        return new AwsTarget(
                region,
                endpoint,
                Objects.requireNonNull(newAccessKeyId, "accessKeyId"),
                Objects.requireNonNull(newSecretAccessKey, "secretAccessKey"));
    }

    public Region region() {
        return Region.of(region);
    }

    public String regionName() {
        return region;
    }

    public Optional<URI> endpoint() {
        return Optional.ofNullable(endpoint);
    }

    public AwsCredentialsProvider credentials() {
        return accessKeyId == null
                ? DefaultCredentialsProvider.builder().build()
                : StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKeyId, secretAccessKey));
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof AwsTarget)) {
            return false;
        }
        AwsTarget t = (AwsTarget) o;
        return region.equals(t.region)
                && Objects.equals(endpoint, t.endpoint)
                && Objects.equals(accessKeyId, t.accessKeyId)
                && Objects.equals(secretAccessKey, t.secretAccessKey);
    }

    @Override
    public int hashCode() {
        return Objects.hash(region, endpoint, accessKeyId);
    }

    @Override
    public String toString() {
        return region + (endpoint == null ? "" : " @ " + endpoint);
    }
}
