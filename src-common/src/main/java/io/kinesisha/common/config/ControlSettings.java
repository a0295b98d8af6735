package io.kinesisha.common.config;

import java.net.URI;
import java.util.Optional;

/** Where the control table lives: the shared record of which region is active, read by producers and the controller. */
public final class ControlSettings {
    private final String tableName;
    private final String region;
    private final Optional<URI> endpoint;

    ControlSettings(Values values) {
        this.tableName = values.string(ConfigKey.CONTROL_TABLE_NAME);
        this.region = values.string(ConfigKey.CONTROL_REGION);
        this.endpoint = values.uri(ConfigKey.CONTROL_ENDPOINT);
    }

    public String tableName() {
        return tableName;
    }

    /** The configured region, or the primary region when none was given. */
    public String region() {
        return region;
    }

    public Optional<URI> endpoint() {
        return endpoint;
    }
}
