package com.omc.flywheel.shared.errors;

/**
 * Base of the typed errors of docs/functions.md. The simple class name is the contract's
 * {@code errorType}; the message must tell a person on call what failed, where, and what to do.
 */
public abstract class FlywheelException extends RuntimeException {
    protected FlywheelException(String message) {
        super(message);
    }

    protected FlywheelException(String message, Throwable cause) {
        super(message, cause);
    }

    /** The contract's errorType: the simple class name, which ASL matches in ErrorEquals. */
    public String errorType() {
        return getClass().getSimpleName();
    }
}
