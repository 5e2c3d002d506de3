package com.omc.flywheel.associatetables;

import java.util.List;
import java.util.Map;

/**
 * The associate-tables answer (docs/functions.md).
 *
 * @param actions                      the plan, in the order applied, each with its status
 * @param applied                      false on a dry run
 * @param unmanagedAssociations        associations in the membership this function does not manage (left alone)
 * @param summary                      counts per action, and the tables cut by {@code maxAssociations} or the quota
 * @param columnDrift                  configured tables whose allowed columns differ from the Glue table's data
 * columns: reported, and recreated only when {@code recreateDriftedTables} names them
 * @param quotaCheck                   the association quota's verdict on the plan (also on a dry run)
 * @param unassociatedConfiguredTables configured tables with the table prefix that have no association in the
 *                                     membership after the run (as planned), and why
 */
public record AssociateTablesResult(List<Action> actions, boolean applied, List<String> unmanagedAssociations,
                                    Summary summary, List<ColumnDrift> columnDrift, QuotaCheck quotaCheck,
                                    List<UnassociatedTable> unassociatedConfiguredTables) {

    /**
     * One change. {@code status}: PLANNED (dry run), APPLIED, FAILED, NOT_APPLIED (after a failure).
     */
    public record Action(String action, String table, String name, String detail, String status) {
        Action withStatus(String s) {
            return new Action(action, table, name, detail, s);
        }
    }

    /**
     * @param actions          how many of each action
     * @param skippedForQuota  tables cut by maxAssociations or left out because the membership's association quota
     *                         is full, in name order (empty with compactResult)
     * @param skippedForQuotaCount how many tables were cut or left out
     * @param desiredTables    tables the collaboration should have (after exclusions and the cap)
     * @param readyTables      of those, the ones with a configured table, both rules and an
     *                         association after the run (on a dry run: those the plan leaves alone)
     * @param associations     associations in the membership after the run (as planned)
     * @param quotaVerdict     {@code FITS}, or {@code OVER_QUOTA} when tables were left out for the quota
     * @param columnDriftTables how many configured tables have drifted allowed columns
     */
    public record Summary(Map<String, Integer> actions, List<String> skippedForQuota, int skippedForQuotaCount,
                          int desiredTables, int readyTables, int associations, int quota, String quotaVerdict,
                          int columnDriftTables) {
    }

    /**
     * @param added    data columns of the Glue table the configured table does not allow (at most 10 with
     * compactResult)
     * @param removed  allowed columns that are not data columns of the Glue table (a partition key, a dropped column)
     * @param action   {@code REPORTED} (left as it is), or {@code RECREATE} (recreateDriftedTables names it)
     */
    public record ColumnDrift(String table, String configuredTableId, List<String> added, int addedCount,
                              List<String> removed, int removedCount, String action) {
    }

    /**
     * @param verdict                 {@code FITS} or {@code OVER_QUOTA}
     * @param quota                   associations the membership may hold (ASSOCIATION_QUOTA)
     * @param associationsBefore      associations in the membership when the run started
     * @param associationsAfter       associations after the run (as planned)
     * @param newAssociationsWanted   desired tables without an association
     * @param newAssociationsPlanned  of those, the ones that fit
     * @param leftOut                 desired tables left out because the quota is full, in name order
     * @param heldBy                  with OVER_QUOTA: every association holding a slot after the run, in name order
     * @param message                 the verdict in words, with what to do
     */
    public record QuotaCheck(String verdict, int quota, int associationsBefore, int associationsAfter,
                             int newAssociationsWanted, int newAssociationsPlanned, List<String> leftOut,
                             List<String> heldBy, String message) {
    }

    /**
     * @param reason {@code EXCLUDED}, {@code NOT_ASSOCIATED_BY_THIS_FUNCTION} (the addressable ids and ER tables),
     *               {@code NOT_IN_CATALOG}, {@code OVER_MAX_ASSOCIATIONS}, {@code SKIPPED_FOR_QUOTA} or
     *               {@code TOO_MANY_COLUMNS}
     */
    public record UnassociatedTable(String name, String configuredTableId, String reason) {
    }
}
