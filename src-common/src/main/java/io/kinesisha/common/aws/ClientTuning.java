package io.kinesisha.common.aws;

import java.time.Duration;

/**
 * Timeouts and retry budget shared by every client: the SDK's own standard retry strategy does the retrying,
 * these numbers only bound it so an unreachable region turns into a timely error instead of a hang.
 */
public final class ClientTuning implements java.io.Serializable {
    private static final long serialVersionUID = 1L;

    public static final ClientTuning DEFAULT = new ClientTuning(Duration.ofSeconds(30), Duration.ofSeconds(10), 5);

    private final Duration apiCallTimeout;
    private final Duration apiCallAttemptTimeout;
    private final int maxAttempts;

    public ClientTuning(Duration apiCallTimeout, Duration apiCallAttemptTimeout, int maxAttempts) {
        if (apiCallAttemptTimeout.compareTo(apiCallTimeout) > 0) {
            throw new IllegalArgumentException("api call attempt timeout " + apiCallAttemptTimeout
                    + " exceeds api call timeout " + apiCallTimeout);
        }
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be >= 1, was " + maxAttempts);
        }
        this.apiCallTimeout = apiCallTimeout;
        this.apiCallAttemptTimeout = apiCallAttemptTimeout;
        this.maxAttempts = maxAttempts;
    }

    public Duration apiCallTimeout() {
        return apiCallTimeout;
    }

    public Duration apiCallAttemptTimeout() {
        return apiCallAttemptTimeout;
    }

    public int maxAttempts() {
        return maxAttempts;
    }
}
