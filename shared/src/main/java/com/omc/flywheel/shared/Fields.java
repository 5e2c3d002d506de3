package com.omc.flywheel.shared;

import com.omc.flywheel.shared.errors.InvalidInputException;
import java.util.Collection;

/** Field-level rules for event records, each failing with an {@link InvalidInputException} naming the field. */
public final class Fields {
    private Fields() {
    }

    public static String required(String field, String value) {
        if (value == null) {
            throw new InvalidInputException(field, "is required");
        }
        if (value.isBlank()) {
            throw new InvalidInputException(field, "must not be blank");
        }
        return value;
    }

    /** Null stays null (the caller applies its default); a blank string is an error. */
    public static String optional(String field, String value) {
        if (value != null && value.isBlank()) {
            throw new InvalidInputException(field, "must not be blank (leave it out to use the default)");
        }
        return value;
    }

    public static <T> T required(String field, T value) {
        if (value == null) {
            throw new InvalidInputException(field, "is required");
        }
        return value;
    }

    public static int positive(String field, Integer value, int fallback, int max) {
        if (value == null) {
            return fallback;
        }
        if (value <= 0 || value > max) {
            throw new InvalidInputException(field, "must be between 1 and " + max + " (got " + value + ")");
        }
        return value;
    }

    public static <C extends Collection<?>> C size(String field, C values, int min, int max) {
        if (values == null) {
            throw new InvalidInputException(field, "is required");
        }
        if (values.size() < min || values.size() > max) {
            throw new InvalidInputException(field, "must hold " + min + " to " + max + " items (got "
                    + values.size() + ")");
        }
        return values;
    }
}
