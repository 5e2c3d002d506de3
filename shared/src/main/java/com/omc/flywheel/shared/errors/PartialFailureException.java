package com.omc.flywheel.shared.errors;

import java.util.List;

/** A multi-table step finished, but some tables failed; the message lists every one and why. */
public final class PartialFailureException extends FlywheelException {
    private final List<String> failed;

    public PartialFailureException(String message, List<String> failed) {
        super(message);
        this.failed = List.copyOf(failed);
    }

    public List<String> failed() {
        return failed;
    }
}
