package com.omc.flywheel.shared.errors;

/** Throttling, 5xx or a timeout that survived the SDK's own retries. The state machine retries it. */
public final class TransientAwsException extends FlywheelException {
    public TransientAwsException(String message) {
        super(message);
    }

    public TransientAwsException(String message, Throwable cause) {
        super(message, cause);
    }
}
