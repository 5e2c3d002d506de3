package com.omc.flywheel.shared.errors;

/**
 * A Glue job is at its concurrency limit (its MaxConcurrentRuns runs are going) and the caller
 * asked to wait its turn ({@code onConcurrencyLimit: QUEUE} of start-glue-job) rather than have the
 * limit reported as a {@link TransientAwsException}. Nothing was started. The topic state machines
 * retry it for hours with backoff, so a topic beyond the limit waits for a free slot and never fails
 * for it; the message names the runs holding the slots.
 */
public final class ConcurrencyLimitException extends FlywheelException {
    public ConcurrencyLimitException(String message, Throwable cause) {
        super(message, cause);
    }
}
