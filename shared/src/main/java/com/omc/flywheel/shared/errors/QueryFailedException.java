package com.omc.flywheel.shared.errors;

/**
 * An Athena query a step ran ended FAILED or CANCELLED. The message names the query, Athena's reason
 * and what the step left as it was. Never retried by the state machines: the same query id would
 * fail the same way; a resumed run starts a new query.
 */
public final class QueryFailedException extends FlywheelException {
    private final String queryExecutionId;

    public QueryFailedException(String message, String queryExecutionId) {
        super(message);
        this.queryExecutionId = queryExecutionId;
    }

    public String queryExecutionId() {
        return queryExecutionId;
    }
}
