package com.omc.flywheel.associatetables;

import java.util.List;
import java.util.Map;

/**
 * What Clean Rooms holds for our membership, read with every list call paginated.
 *
 * @param callerAccount    our own account (the member whose membership is ours)
 * @param members          every member of the collaboration
 * @param tables           our configured tables by name (details only for the tables we manage)
 * @param associations     every association in the membership
 * @param idNamespaceArns  input reference ARNs of the membership's ID namespace associations
 */
record CollaborationState(String collaborationId, String callerAccount, List<Member> members,
                          Map<String, ConfiguredTable> tables, List<Association> associations,
                          List<String> idNamespaceArns) {

    record Member(String accountId, String displayName, List<String> abilities) {
    }

    /**
     * @param providers null when the table has no CUSTOM analysis rule
     */
    record ConfiguredTable(String id, String name, List<String> allowedColumns, List<String> allowedAnalyses,
                           List<String> providers) {
        boolean hasRule() {
            return providers != null;
        }
    }

    /**
     * @param receivers null when the association has no CUSTOM collaboration analysis rule, or
     *                  not read (an association this run does not manage)
     */
    record Association(String id, String name, String configuredTableId, List<String> receivers,
                       List<String> additionalAnalyses) {
        boolean hasRule() {
            return receivers != null;
        }
    }
}
