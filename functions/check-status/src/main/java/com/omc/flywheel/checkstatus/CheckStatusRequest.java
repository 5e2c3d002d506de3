package com.omc.flywheel.checkstatus;

import com.omc.flywheel.shared.Identifiers;
import com.omc.flywheel.shared.errors.InvalidInputException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The check-status event (docs/functions.md): exactly one of a Glue job run ({@code jobName} +
 * {@code jobRunId}) or 1 to 50 Athena {@code queryExecutionIds}; {@code pollCount} counts the polls
 * so far (the state machine passes the previous answer's back to cap a step's polls).
 */
public record CheckStatusRequest(String jobName, String jobRunId, List<String> queryExecutionIds, Integer pollCount) {
    /** BatchGetQueryExecution's own limit. */
    public static final int MAX_QUERIES = 50;
    static final int MAX_POLL_COUNT = 1_000_000;

    public CheckStatusRequest {
        boolean glue = jobName != null || jobRunId != null;
        boolean athena = queryExecutionIds != null;
        if (glue == athena) {
            throw new InvalidInputException("", "give exactly one of jobName + jobRunId (a Glue job run) or "
                    + "queryExecutionIds (Athena queries)" + (glue ? ", not both" : ""));
        }
        if (glue) {
            Identifiers.glueJob("jobName", jobName);
            Identifiers.glueJobRun("jobRunId", jobRunId);
        } else {
            if (queryExecutionIds.isEmpty() || queryExecutionIds.size() > MAX_QUERIES) {
                throw new InvalidInputException("queryExecutionIds", "must hold 1 to " + MAX_QUERIES
                        + " ids (got " + queryExecutionIds.size() + ")");
            }
            Set<String> seen = new HashSet<>();
            for (int i = 0; i < queryExecutionIds.size(); i++) {
                String id = Identifiers.athenaQueryId("queryExecutionIds[" + i + "]", queryExecutionIds.get(i));
                if (!seen.add(id)) {
                    throw new InvalidInputException("queryExecutionIds[" + i + "]", "duplicate id " + id);
                }
            }
            queryExecutionIds = List.copyOf(queryExecutionIds);
        }
        if (pollCount != null && (pollCount < 0 || pollCount > MAX_POLL_COUNT)) {
            throw new InvalidInputException("pollCount", "must be between 0 and " + MAX_POLL_COUNT + " (got "
                    + pollCount + ")");
        }
    }

    boolean isGlue() {
        return jobName != null;
    }
}
