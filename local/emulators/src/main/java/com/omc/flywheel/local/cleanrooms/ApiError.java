package com.omc.flywheel.local.cleanrooms;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * An error the stand-in answers with, shaped like the model's error shapes (moto's
 * {@code exceptions.py}). Public because the Entity Resolution stand-in answers with it too.
 */
public final class ApiError extends RuntimeException {
    final int status;
    final String type;
    final ObjectNode body;

    public ApiError(int status, String type, String message) {
        super(message, null, false, false);
        this.status = status;
        this.type = type;
        this.body = JsonNodeFactory.instance.objectNode().put("message", message);
    }

    ApiError with(String field, String value) {
        body.put(field, value);
        return this;
    }

    public static ApiError validation(String message) {
        return new ApiError(400, "ValidationException", message).with("reason", "FIELD_VALIDATION_FAILED");
    }

    public static ApiError notFound(String resourceType, String id) {
        return new ApiError(404, "ResourceNotFoundException", resourceType.toLowerCase().replace('_', ' ') + " " + id
                + " not found").with("resourceId", id).with("resourceType", resourceType);
    }

    public static ApiError conflict(String resourceType, String id, String reason, String message) {
        return new ApiError(409, "ConflictException", message).with("resourceId", id).with("resourceType", resourceType)
                .with("reason", reason);
    }

    /** Entity Resolution's ResourceNotFoundException: a message only. */
    public static ApiError erNotFound(String message) {
        return new ApiError(404, "ResourceNotFoundException", message);
    }
}
