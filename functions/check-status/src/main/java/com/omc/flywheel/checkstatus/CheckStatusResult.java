package com.omc.flywheel.checkstatus;

import java.util.List;

/**
 * The check-status answer (docs/functions.md).
 *
 * @param status          RUNNING, SUCCEEDED or FAILED
 * @param terminal        true when the run or every query has ended
 * @param nextWaitSeconds how long the state machine should wait before the next poll
 * @param errorMessage    why it failed (FAILED only)
 * @param state           the service's own state (Glue) or null (Athena: see {@code queries})
 * @param elapsedSeconds  how long the run or the oldest running query has been going
 * @param expectedSeconds the run time expected from the job's recent successful runs, when known
 * @param pollCount       the polls so far, this one included
 * @param queries         per-query detail (Athena)
 */
public record CheckStatusResult(String status, boolean terminal, int nextWaitSeconds, String errorMessage,
                                String jobName, String jobRunId, String state, Long elapsedSeconds,
                                Long expectedSeconds, int pollCount, List<QueryStatus> queries) {

    public static final String RUNNING = "RUNNING";
    public static final String SUCCEEDED = "SUCCEEDED";
    public static final String FAILED = "FAILED";

    /** One Athena query's state. */
    public record QueryStatus(String queryExecutionId, String state, String status, String errorMessage,
                              String submittedOn, String completedOn, Long dataScannedBytes) {
    }
}
