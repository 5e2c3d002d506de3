package com.omc.flywheel.local.cleanrooms;

/**
 * A fault a test asked for: the {@code nth} next call of an operation ({@code "*"}: of any
 * mutating operation) fails with this HTTP status and error type, to test what a step does when
 * AWS fails part-way. Counted down by {@link OperationRouter}, which forgets it once it has fired.
 */
final class InjectedFault {
    private final String operation;
    private int remaining;
    private final int status;
    private final String type;

    InjectedFault(String operation, int nth, int status, String type) {
        this.operation = operation;
        this.remaining = nth;
        this.status = status;
        this.type = type;
    }

    /** Counts a call of {@code op} if the fault is aimed at it; true when this call is the one to fail. */
    boolean fires(String op, boolean mutating) {
        return (operation.equals(op) || (operation.equals("*") && mutating)) && --remaining == 0;
    }

    /** The service error the failing call gets. */
    ApiError error(String op) {
        return new ApiError(status, type, "injected fault on " + op);
    }
}
