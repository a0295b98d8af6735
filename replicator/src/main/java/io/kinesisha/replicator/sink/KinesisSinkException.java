package io.kinesisha.replicator.sink;

import java.io.IOException;

/**
 * The sink could not write and retrying would not help (stream missing, access denied, invalid record, KMS key
 * unusable): the job must fail rather than silently drop records.
 */
public final class KinesisSinkException extends IOException {
    private static final long serialVersionUID = 1L;

    public KinesisSinkException(String message) {
        super(message);
    }

    public KinesisSinkException(String message, Throwable cause) {
        super(message, cause);
    }
}
