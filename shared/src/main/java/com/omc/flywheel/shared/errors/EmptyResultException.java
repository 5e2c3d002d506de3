package com.omc.flywheel.shared.errors;

/**
 * A step built a new table and it came out empty, so it refused to put it in place of the existing
 * one: what readers see is unchanged. Never retried: the input is empty, not the service slow.
 */
public final class EmptyResultException extends FlywheelException {
    public EmptyResultException(String message) {
        super(message);
    }
}
