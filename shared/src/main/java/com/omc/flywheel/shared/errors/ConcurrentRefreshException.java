package com.omc.flywheel.shared.errors;

/**
 * A refresh was started while another execution of the same state machine was already running on
 * the same lake. Raised by the refresh's first step before it changes anything, so the refused
 * execution did nothing and the running one continues; never retried (the state machines do not
 * list it in a Retry), nothing to resume.
 */
public final class ConcurrentRefreshException extends FlywheelException {
    private final String runningExecutionArn;

    public ConcurrentRefreshException(String message, String runningExecutionArn) {
        super(message);
        this.runningExecutionArn = runningExecutionArn;
    }

    /** The execution that holds the lake and continues. */
    public String runningExecutionArn() {
        return runningExecutionArn;
    }
}
