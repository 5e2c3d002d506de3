package com.omc.flywheel.shared.errors;

/** The event breaks its contract. Raised before any AWS call; never retried. */
public final class InvalidInputException extends FlywheelException {
    private final String field;

    public InvalidInputException(String field, String rule) {
        super(field == null || field.isEmpty() ? rule : "field '" + field + "': " + rule);
        this.field = field;
    }

    /** The offending field's path (e.g. {@code arguments.--DATABASE}), or empty for the whole event. */
    public String field() {
        return field == null ? "" : field;
    }
}
