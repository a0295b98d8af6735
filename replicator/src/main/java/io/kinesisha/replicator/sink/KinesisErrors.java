package io.kinesisha.replicator.sink;

import java.io.IOException;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * Which Kinesis failures are worth retrying. Retrying a non-retryable error would stall the job forever with
 * nothing written, so unknown errors are treated as fatal unless they look like a transient transport problem.
 */
final class KinesisErrors {
    static final String THROUGHPUT_EXCEEDED = "ProvisionedThroughputExceededException";

    private static final Set<String> RETRYABLE_CODES = new HashSet<>(Arrays.asList(
            THROUGHPUT_EXCEEDED,
            "InternalFailure",
            "InternalFailureException",
            "ServiceUnavailable",
            "ServiceUnavailableException",
            "KMSThrottlingException",
            "LimitExceededException",
            "Throttling",
            "ThrottlingException",
            "RequestTimeout",
            "RequestTimeoutException",
            "SlowDown"));

    private static final Set<String> THROTTLING_CODES = new HashSet<>(Arrays.asList(
            THROUGHPUT_EXCEEDED,
            "KMSThrottlingException",
            "LimitExceededException",
            "Throttling",
            "ThrottlingException",
            "SlowDown"));

    private KinesisErrors() {}

    /** A per-entry PutRecords error code that means "not written, try again". */
    static boolean isRetryableCode(String errorCode) {
        return errorCode != null && RETRYABLE_CODES.contains(errorCode);
    }

    static boolean isThrottlingCode(String errorCode) {
        return errorCode != null && THROTTLING_CODES.contains(errorCode);
    }

    /** Strips the future wrappers off a request failure. */
    static Throwable unwrap(Throwable error) {
        Throwable t = error;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    /** The service error in a failure's cause chain, if any. */
    static AwsServiceException serviceException(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof AwsServiceException) {
                return (AwsServiceException) t;
            }
        }
        return null;
    }

    /** A whole PutRecords request failed: is the failure transient (throttling, 5xx, timeout, connection)? */
    static boolean isRetryable(Throwable error) {
        AwsServiceException service = serviceException(error);
        if (service != null) {
            String code = service.awsErrorDetails() == null
                    ? null
                    : service.awsErrorDetails().errorCode();
            return service.isThrottlingException() || isRetryableCode(code) || service.statusCode() >= 500;
        }
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof ApiCallTimeoutException
                    || t instanceof ApiCallAttemptTimeoutException
                    || t instanceof IOException
                    || t instanceof TimeoutException
                    || (t instanceof SdkException && ((SdkException) t).retryable())) {
                return true;
            }
        }
        return false;
    }

    static boolean isThrottling(Throwable error) {
        AwsServiceException service = serviceException(error);
        return service != null
                && (service.isThrottlingException()
                        || (service.awsErrorDetails() != null
                                && isThrottlingCode(service.awsErrorDetails().errorCode())));
    }

    /** A short description naming the error code, for exceptions and logs. */
    static String describe(Throwable error) {
        AwsServiceException service = serviceException(error);
        if (service != null && service.awsErrorDetails() != null) {
            return service.awsErrorDetails().errorCode() + " (HTTP " + service.statusCode() + "): "
                    + service.awsErrorDetails().errorMessage();
        }
        return error.getClass().getSimpleName() + ": " + error.getMessage();
    }
}
