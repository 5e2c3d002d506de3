package com.omc.flywheel.ops.iam;

/** The usage files cannot be read as one: missing, empty, not JSON lines, or inconsistent. Exit 2. */
final class BadUsageException extends RuntimeException {
    BadUsageException(String message) {
        super(message);
    }
}
