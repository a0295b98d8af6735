package io.kinesisha.common.config;

import java.time.Duration;
import java.util.Optional;

/**
 * Credentials and the time budget of AWS calls, shared by every client so an unreachable region fails fast
 * everywhere. {@link #toString()} never shows the secret key.
 */
public final class AwsSettings {
    private final CredentialsMode credentials;
    private final Optional<String> accessKeyId;
    private final Optional<String> secretAccessKey;
    private final Duration apiCallTimeout;
    private final Duration apiCallAttemptTimeout;
    private final int maxAttempts;

    AwsSettings(Values values) {
        this.credentials = values.enumValue(ConfigKey.AWS_CREDENTIALS, CredentialsMode.class);
        this.accessKeyId = values.optional(ConfigKey.AWS_ACCESS_KEY_ID);
        this.secretAccessKey = values.optional(ConfigKey.AWS_SECRET_ACCESS_KEY);
        this.apiCallTimeout = values.millis(ConfigKey.AWS_API_CALL_TIMEOUT_MS);
        this.apiCallAttemptTimeout = values.millis(ConfigKey.AWS_API_CALL_ATTEMPT_TIMEOUT_MS);
        this.maxAttempts = values.integer(ConfigKey.AWS_MAX_ATTEMPTS);
    }

    public CredentialsMode credentials() {
        return credentials;
    }

    /** Present exactly when {@link #credentials()} is STATIC. */
    public Optional<String> accessKeyId() {
        return accessKeyId;
    }

    /** Present exactly when {@link #credentials()} is STATIC. */
    public Optional<String> secretAccessKey() {
        return secretAccessKey;
    }

    public Duration apiCallTimeout() {
        return apiCallTimeout;
    }

    /** Never longer than {@link #apiCallTimeout()}. */
    public Duration apiCallAttemptTimeout() {
        return apiCallAttemptTimeout;
    }

    public int maxAttempts() {
        return maxAttempts;
    }

    @Override
    public String toString() {
        return "AwsSettings{credentials=" + credentials.configValue()
                + accessKeyId
                        .map(id -> ", accessKeyId=" + id + ", secretAccessKey=****")
                        .orElse("")
                + ", apiCallTimeout=" + apiCallTimeout + ", apiCallAttemptTimeout=" + apiCallAttemptTimeout
                + ", maxAttempts=" + maxAttempts + "}";
    }
}
