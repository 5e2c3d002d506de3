package com.omc.flywheel.shared.errors;

import java.io.IOException;
import java.io.UncheckedIOException;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.exception.SdkServiceException;

/**
 * Sorts an SDK failure that survived the SDK's own retries into the contract's errors: throttling,
 * 5xx, timeouts and broken connections become {@link TransientAwsException} (the state machine
 * retries those); anything else is returned unchanged so its real type reaches the operator.
 */
public final class AwsFaults {
    private AwsFaults() {
    }

    /** True when the call gave up waiting: the request may still have reached the service. */
    public static boolean isTimeout(Throwable e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof ApiCallAttemptTimeoutException || c instanceof ApiCallTimeoutException
                    || c instanceof java.net.SocketTimeoutException) {
                return true;
            }
        }
        return false;
    }

    /** True when a later retry may succeed. */
    public static boolean isTransient(Throwable e) {
        if (e instanceof TransientAwsException
                || e instanceof ApiCallTimeoutException
                || e instanceof ApiCallAttemptTimeoutException) {
            return true;
        }
        if (e instanceof SdkServiceException service) {
            return service.isThrottlingException() || service.statusCode() >= 500 || service.statusCode() == 429;
        }
        if (e instanceof SdkClientException client) {
            // Connection refused/reset, read timeouts: an I/O cause somewhere down the chain.
            for (Throwable c = client.getCause(); c != null; c = c.getCause()) {
                if (c instanceof IOException || c instanceof UncheckedIOException) {
                    return true;
                }
            }
            return client.retryable();
        }
        return false;
    }

    /**
     * Translates {@code e} for the operation described by {@code what} (e.g. "Glue StartJobRun for
     * job etl-x"): a transient fault becomes {@link TransientAwsException} naming the operation.
     */
    public static RuntimeException translate(SdkException e, String what) {
        if (isTransient(e)) {
            return new TransientAwsException(what + " failed after the SDK's retries (transient: "
                    + e.getMessage() + "); the state machine will retry this step", e);
        }
        return e;
    }
}
