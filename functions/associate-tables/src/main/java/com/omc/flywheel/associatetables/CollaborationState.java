package com.omc.flywheel.associatetables;

import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.cleanrooms.model.AnalysisRuleCustom;
import software.amazon.awssdk.services.cleanrooms.model.ConfiguredTableAssociationAnalysisRuleCustom;
import software.amazon.awssdk.services.cleanrooms.model.PrivacyBudgetTemplateParametersOutput;

/**
 * What Clean Rooms holds for our membership, read with every list call paginated.
 *
 * @param callerAccount    our own account (the member whose membership is ours)
 * @param members          every member of the collaboration
 * @param tables           our configured tables by name (details only for the tables we manage)
 * @param prefixedTables   every configured table of the account whose name has the table prefix, name → id
 * @param associations     every association in the membership
 * @param idNamespaceArns  input reference ARNs of the membership's ID namespace associations
 * @param budgetTemplates  ACCESS_BUDGET privacy budget templates by the ARN of the association they
 *                         budget; read only when a recreation needs them (empty otherwise)
 */
record CollaborationState(String collaborationId, String callerAccount, List<Member> members,
                          Map<String, ConfiguredTable> tables, Map<String, String> prefixedTables,
                          List<Association> associations, List<String> idNamespaceArns,
                          Map<String, List<BudgetTemplate>> budgetTemplates) {

    CollaborationState withBudgetTemplates(Map<String, List<BudgetTemplate>> templates) {
        return new CollaborationState(collaborationId, callerAccount, members, tables, prefixedTables, associations,
                idNamespaceArns, templates);
    }

    record Member(String accountId, String displayName, List<String> abilities) {
    }

    /**
     * @param policy the CUSTOM analysis rule's policy, null when the table has none
     */
    record ConfiguredTable(String id, String name, List<String> allowedColumns, String description,
            String analysisMethod,
                           List<String> selectedAnalysisMethods, AnalysisRuleCustom policy) {
        boolean hasRule() {
            return policy != null;
        }

        List<String> providers() {
            return policy == null ? null : policy.allowedAnalysisProviders();
        }
    }

    /**
     * @param roleArn     the role Clean Rooms assumes for it (null when not read: an association this run does not
     * manage)
     * @param policy      the CUSTOM collaboration analysis rule's policy; null when there is none, or not read
     */
    record Association(String id, String arn, String name, String configuredTableId, String roleArn, String description,
                       ConfiguredTableAssociationAnalysisRuleCustom policy) {
        boolean hasRule() {
            return policy != null;
        }

        List<String> receivers() {
            return policy == null ? null : policy.allowedResultReceivers();
        }
    }

    /** A privacy budget template as read: recreated with its association, with the same parameters. */
    record BudgetTemplate(String id, String type, String autoRefresh,
            PrivacyBudgetTemplateParametersOutput parameters) {
    }
}
