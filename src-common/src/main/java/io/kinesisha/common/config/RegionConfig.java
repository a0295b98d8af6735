package io.kinesisha.common.config;

import java.net.URI;
import java.util.Optional;

/** One side of the pair: everything needed to reach its stream, already checked to agree with the stream ARN. */
public final class RegionConfig {
    private final String region;
    private final String account;
    private final StreamArn streamArn;
    private final Optional<URI> endpoint;

    RegionConfig(Values values, ConfigKey region, ConfigKey account, ConfigKey streamArn, ConfigKey endpoint) {
        this.region = values.string(region);
        this.account = values.string(account);
        this.streamArn = values.streamArn(streamArn);
        this.endpoint = values.uri(endpoint);
    }

    public String region() {
        return region;
    }

    public String account() {
        return account;
    }

    public StreamArn streamArn() {
        return streamArn;
    }

    /** A Kinesis endpoint override (local emulator, VPC endpoint); empty for the public regional endpoint. */
    public Optional<URI> endpoint() {
        return endpoint;
    }

    @Override
    public String toString() {
        return streamArn + endpoint.map(e -> " @ " + e).orElse("");
    }
}
