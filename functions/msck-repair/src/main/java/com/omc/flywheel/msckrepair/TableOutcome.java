package com.omc.flywheel.msckrepair;

/**
 * What happened to one table (docs/functions.md {@code tables[]}).
 *
 * @param action             REPAIRED (Athena MSCK succeeded), SYNCED (catalog brought in line with S3),
 *                           MIGRATED (re-partitioned by the key, then synced), UNCHANGED, SKIPPED, FAILED;
 *                           in a dry run PLANNED (a repair would change the table) instead of SYNCED or MIGRATED
 * @param partitionsAdded    partitions created in the catalog (GLUE_SYNC)
 * @param partitionsOrphaned catalog partitions whose folder no longer exists (reported, never deleted)
 * @param queryExecutionId   the MSCK query (ATHENA_MSCK)
 * @param detail             what was done or why it was skipped
 * @param error              why it failed (FAILED only)
 * @param transientFailure   true when it FAILED for a transient reason (throttling, 5xx, timeouts that
 *                           outlived the SDK's retries): a rerun may repair it; absent otherwise
 * @param partitionsToAdd    dry run only: the partitions a repair would create
 */
public record TableOutcome(String table, String action, Integer partitionsAdded, Integer partitionsOrphaned,
                           String queryExecutionId, String detail, String error, Boolean transientFailure,
                           Integer partitionsToAdd) {
    public static final String REPAIRED = "REPAIRED";
    public static final String SYNCED = "SYNCED";
    public static final String MIGRATED = "MIGRATED";
    public static final String UNCHANGED = "UNCHANGED";
    public static final String SKIPPED = "SKIPPED";
    public static final String FAILED = "FAILED";
    public static final String PLANNED = "PLANNED";

    /** An outcome that is not a transient failure. */
    TableOutcome(String table, String action, Integer partitionsAdded, Integer partitionsOrphaned,
                 String queryExecutionId, String detail, String error) {
        this(table, action, partitionsAdded, partitionsOrphaned, queryExecutionId, detail, error, null, null);
    }

    /** An outcome that may be a transient failure (not a dry run's plan). */
    TableOutcome(String table, String action, Integer partitionsAdded, Integer partitionsOrphaned,
                 String queryExecutionId, String detail, String error, Boolean transientFailure) {
        this(table, action, partitionsAdded, partitionsOrphaned, queryExecutionId, detail, error, transientFailure,
                null);
    }

    static TableOutcome skipped(String table, String why) {
        return new TableOutcome(table, SKIPPED, 0, null, null, why, null);
    }

    static TableOutcome failed(String table, String error) {
        return new TableOutcome(table, FAILED, 0, null, null, null, error);
    }

    /** Failed for a reason a rerun may not meet again. */
    static TableOutcome failedTransiently(String table, String error) {
        return new TableOutcome(table, FAILED, 0, null, null, null, error, true);
    }

    boolean isFailed() {
        return FAILED.equals(action);
    }

    boolean isTransientFailure() {
        return isFailed() && Boolean.TRUE.equals(transientFailure);
    }
}
