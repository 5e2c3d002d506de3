package com.omc.flywheel.associatetables;

import java.util.List;
import java.util.Map;

/**
 * The associate-tables answer (CONTRACTS.md).
 *
 * @param actions               the plan, in the order applied, each with its status
 * @param applied               false on a dry run
 * @param unmanagedAssociations associations in the membership this function does not manage (left alone)
 * @param summary               counts per action, and the tables cut by {@code maxAssociations}
 */
public record AssociateTablesResult(List<Action> actions, boolean applied, List<String> unmanagedAssociations,
                                    Summary summary) {

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
     * @param skippedForQuota  tables cut by maxAssociations, in name order (empty with compactResult)
     * @param skippedForQuotaCount how many tables maxAssociations cut
     * @param desiredTables    tables the collaboration should have (after exclusions and the cap)
     * @param readyTables      of those, the ones with a configured table, both rules and an
     *                         association after the run (on a dry run: those the plan leaves alone)
     * @param associations     associations in the membership after the run (as planned)
     */
    public record Summary(Map<String, Integer> actions, List<String> skippedForQuota, int skippedForQuotaCount,
                          int desiredTables, int readyTables, int associations, int quota) {
    }
}
