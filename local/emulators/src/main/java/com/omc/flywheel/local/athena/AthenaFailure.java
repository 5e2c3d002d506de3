package com.omc.flywheel.local.athena;

/**
 * A failed query, as Athena reports it: the reason (StateChangeReason and AthenaError.ErrorMessage)
 * and the ErrorType; also the one text every refusal of this stand-in gives ({@link #unsupported}).
 */
final class AthenaFailure extends Exception {
    // Athena's ErrorType values for the engine's error names (ErrorCategory 2, USER), as measured on
    // Athena by athena-local (src/.../error mapping: "measured_error_type"); 1000 ("User error" in the
    // Athena error catalog) for the names nobody measured.
    static final int USER_ERROR = 1000;
    static final int COLUMN_NOT_FOUND = 1006;
    static final int TABLE_ALREADY_EXISTS = 1110;
    static final int NOT_SUPPORTED = 1200;
    static final int TABLE_NOT_FOUND = 1301;
    /** A fault of the stand-in itself (or of moto): ErrorCategory 1, SYSTEM. */
    static final int INTERNAL = 200;

    static final String STAND_IN = "LOCAL ATHENA STAND-IN (AthenaCtasStandIn)";
    private static final String SUPPORTED = "it runs only CREATE TABLE [db.]t WITH (external_location = 's3://...', "
            + "format = 'PARQUET', write_compression = 'SNAPPY') AS SELECT col [AS alias], ... FROM [db.]table";

    final int errorType;
    /** An error of Athena's engine (not a refusal of the stand-in or of IAM). */
    final boolean engine;

    AthenaFailure(int errorType, String reason) {
        this(errorType, reason, true);
    }

    AthenaFailure(int errorType, String reason, boolean engine) {
        super(reason, null, false, false);
        this.errorType = errorType;
        this.engine = engine;
    }

    /** What the stand-in does not run: NOT_SUPPORTED, naming the stand-in and what it does run. */
    static AthenaFailure unsupported(String what) {
        return new AthenaFailure(NOT_SUPPORTED, STAND_IN + " does not support " + what + ": " + SUPPORTED
                + ". Extend local/emulators/src/main/java/com/omc/flywheel/local/athena/ (with a test) rather than "
                + "relying on this query locally.", false);
    }
}
