package com.omc.flywheel.ops.compare;

/** The comparison cannot be made: a side is missing or unreadable, or its files cannot be paired. Exit 2. */
class BadInputException extends RuntimeException {
    BadInputException(String message) {
        super(message);
    }

    BadInputException(String message, Throwable cause) {
        super(message, cause);
    }
}
