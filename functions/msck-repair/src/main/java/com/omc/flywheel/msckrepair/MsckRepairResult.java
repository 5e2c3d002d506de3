package com.omc.flywheel.msckrepair;

import java.util.List;

/**
 * The msck-repair answer (docs/functions.md).
 *
 * @param status             COMPLETE, or IN_PROGRESS: call again with {@code continuationToken}
 *                           (after polling {@code queryExecutionIds} with check-status, in ATHENA_MSCK mode)
 * @param tables             every table handled so far, this call's and earlier calls'; with
 *                           {@code compactResult}, only the FAILED ones
 * @param queryExecutionIds  MSCK queries still running (ATHENA_MSCK), for check-status
 * @param detailsKey         with {@code compactResult}: the key, in the state bucket, of the JSON list of every
 *                           table's outcome so far
 */
public record MsckRepairResult(String status, String continuationToken, List<TableOutcome> tables,
                               List<String> queryExecutionIds, Summary summary, String detailsKey) {
    public static final String COMPLETE = "COMPLETE";
    public static final String IN_PROGRESS = "IN_PROGRESS";

    /**
     * Totals over {@code tables}; {@code remaining} counts the tables not yet handled;
     * {@code partitionsToAdd}, a dry run's only, the partitions a repair would create.
     */
    public record Summary(int tables, int failed, int partitionsAdded, int remaining, Integer partitionsToAdd) {
    }
}
