package com.omc.flywheel.shared.errors;

/** A named job, table, membership or namespace does not exist. Never retried. */
public final class ResourceNotFoundException extends FlywheelException {
    public ResourceNotFoundException(String message) {
        super(message);
    }

    public ResourceNotFoundException(String message, Throwable cause) {
        super(message, cause);
    }
}
