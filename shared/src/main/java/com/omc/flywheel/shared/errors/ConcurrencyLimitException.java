package com.omc.flywheel.shared.errors;

/**
 * A Glue job is at its concurrency limit (its MaxConcurrentRuns runs are going) and the caller
 * asked for {@code onConcurrencyLimit: QUEUE} of start-glue-job. Nothing was started; the message
 * names the runs holding the slots.
 *
 * <p>Deprecated with QUEUE: the state machines now send {@code WAIT}, for which the limit is an
 * answer ({@code status: WAITING_FOR_SLOT}), not an error, so waiting for a slot is never a Lambda
 * function error. QUEUE and this error stay for the executions that the definitions before WAIT
 * started and that are still waiting across a deployment (their Retry matches this name).
 */
public final class ConcurrencyLimitException extends FlywheelException {
    public ConcurrencyLimitException(String message, Throwable cause) {
        super(message, cause);
    }
}
