package com.omc.flywheel.associatetables;

import com.omc.flywheel.associatetables.AssociateTablesResult.Action;
import com.omc.flywheel.associatetables.AssociationPlanner.TableSpec;
import com.omc.flywheel.associatetables.CollaborationState.Association;
import com.omc.flywheel.associatetables.CollaborationState.BudgetTemplate;
import com.omc.flywheel.associatetables.CollaborationState.ConfiguredTable;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import software.amazon.awssdk.services.cleanrooms.CleanRoomsClient;
import software.amazon.awssdk.services.cleanrooms.model.ConfiguredTableAnalysisRulePolicy;
import software.amazon.awssdk.services.cleanrooms.model.ConfiguredTableAnalysisRuleType;
import software.amazon.awssdk.services.cleanrooms.model.ConfiguredTableAssociationAnalysisRulePolicy;
import software.amazon.awssdk.services.cleanrooms.model.ConfiguredTableAssociationAnalysisRuleType;
import software.amazon.awssdk.services.cleanrooms.model.ConflictException;
import software.amazon.awssdk.services.cleanrooms.model.PrivacyBudgetTemplateParametersInput;

/** Turns one planned action into its Clean Rooms call, remembering the ids that later actions need. */
final class PlanExecutor {
    private final CleanRoomsClient cr;
    private final AssociateTablesRequest request;
    private final Map<String, TableSpec> specs;
    private final Map<String, String> tableIds = new HashMap<>();
    private final Map<String, String> associationIds = new HashMap<>();
    private final Map<String, String> associationArns = new HashMap<>();
    /** Per table, the privacy budget templates still to be created again, in plan order. */
    private final Map<String, Deque<BudgetTemplate>> templatesToCreate = new HashMap<>();
    private final Map<String, String> tags;

    PlanExecutor(CleanRoomsClient cr, AssociateTablesRequest request, Map<String, TableSpec> specs,
            CollaborationState actual,
                 String environment) {
        this.cr = cr;
        this.request = request;
        this.specs = specs;
        Map<String, String> nameById = new HashMap<>();
        for (ConfiguredTable t : actual.tables().values()) {
            tableIds.put(t.name(), t.id());
            nameById.put(t.id(), t.name());
        }
        for (Association a : actual.associations()) {
            String table = nameById.get(a.configuredTableId());
            if (table != null) {
                associationIds.put(table, a.id());
                associationArns.put(table, a.arn());
            }
        }
        specs.forEach((table, spec) -> templatesToCreate.put(table, new ArrayDeque<>(spec.templates())));
        this.tags = Map.of("Project", "OMC Flywheel Cleanroom", "Environment", environment, "Owner", "Data Engineering",
                "ManagedBy", "omc-flywheel associate-tables");
    }

    /**
     * Applies one action. A create answered ConflictException means an earlier attempt of this very
     * call (retried by the SDK after a timeout or a reset connection) already made it: the existing
     * resource is adopted, so the step stays idempotent.
     */
    void apply(Action a) {
        try {
            call(a);
        } catch (ConflictException e) {
            if (!a.action().startsWith("CREATE_") || !adopt(a)) {
                throw e;
            }
        }
    }

    /** Finds what a create conflicted with; true when it is the resource the action wanted. */
    private boolean adopt(Action a) {
        String t = a.table();
        switch (a.action()) {
            case AssociationPlanner.CREATE_CONFIGURED_TABLE -> {
                for (var s : cr.listConfiguredTablesPaginator(b -> b.maxResults(100)).configuredTableSummaries()) {
                    if (s.name().equals(t)) {
                        tableIds.put(t, s.id());
                        return true;
                    }
                }
                return false;
            }
            case AssociationPlanner.CREATE_ASSOCIATION -> {
                for (var s : cr.listConfiguredTableAssociationsPaginator(b ->
                        b.membershipIdentifier(request.membershipId())
                        .maxResults(100)).configuredTableAssociationSummaries()) {
                    if (s.name().equals(a.name()) && s.configuredTableId().equals(tableIds.get(t))) {
                        associationIds.put(t, s.id());
                        associationArns.put(t, s.arn());
                        return true;
                    }
                }
                return false;
            }
            case AssociationPlanner.CREATE_TABLE_RULE -> {
                call(new Action(AssociationPlanner.UPDATE_TABLE_RULE, t, a.name(), a.detail(), null));
                return true;
            }
            case AssociationPlanner.CREATE_ASSOCIATION_RULE -> {
                call(new Action(AssociationPlanner.UPDATE_ASSOCIATION_RULE, t, a.name(), a.detail(), null));
                return true;
            }
            case AssociationPlanner.CREATE_PRIVACY_BUDGET_TEMPLATE -> {
                templatesToCreate.get(t).removeFirst(); // the association has its budget already
                return true;
            }
            default -> {
                return true; // the ID namespace association exists under this name
            }
        }
    }

    private void call(Action a) {
        String t = a.table();
        String mid = request.membershipId();
        TableSpec spec = t == null ? null : specs.get(t);
        switch (a.action()) {
            case AssociationPlanner.CREATE_CONFIGURED_TABLE -> tableIds.put(t, cr.createConfiguredTable(b -> {
                b.name(t).description(spec.description())
                        .tableReference(r -> r.glue(g -> g.databaseName(request.database()).tableName(t)))
                        .allowedColumns(spec.columns()).analysisMethod(spec.analysisMethod()).tags(tags);
                if (!spec.selectedAnalysisMethods().isEmpty()) {
                    b.selectedAnalysisMethodsWithStrings(spec.selectedAnalysisMethods());
                }
            }).configuredTable().id());
            case AssociationPlanner.CREATE_TABLE_RULE -> cr.createConfiguredTableAnalysisRule(b -> b
                    .configuredTableIdentifier(tableIds.get(t)).analysisRuleType(ConfiguredTableAnalysisRuleType.CUSTOM)
                    .analysisRulePolicy(tablePolicy(spec)));
            case AssociationPlanner.UPDATE_TABLE_RULE -> cr.updateConfiguredTableAnalysisRule(b -> b
                    .configuredTableIdentifier(tableIds.get(t)).analysisRuleType(ConfiguredTableAnalysisRuleType.CUSTOM)
                    .analysisRulePolicy(tablePolicy(spec)));
            case AssociationPlanner.CREATE_ASSOCIATION -> {
                var created = cr.createConfiguredTableAssociation(b -> b.membershipIdentifier(mid).name(a.name())
                        .configuredTableIdentifier(tableIds.get(t)).roleArn(request.roleArn())
                        .description(spec.associationDescription()).tags(tags)).configuredTableAssociation();
                associationIds.put(t, created.id());
                associationArns.put(t, created.arn());
            }
            case AssociationPlanner.UPDATE_ASSOCIATION_ROLE -> cr.updateConfiguredTableAssociation(b -> b
                    .membershipIdentifier(mid).configuredTableAssociationIdentifier(associationIds.get(t))
                    .roleArn(request.roleArn()));
            case AssociationPlanner.CREATE_ASSOCIATION_RULE -> cr.createConfiguredTableAssociationAnalysisRule(b -> b
                    .membershipIdentifier(mid).configuredTableAssociationIdentifier(associationIds.get(t))
                    .analysisRuleType(ConfiguredTableAssociationAnalysisRuleType.CUSTOM)
                            .analysisRulePolicy(associationPolicy(spec)));
            case AssociationPlanner.UPDATE_ASSOCIATION_RULE -> cr.updateConfiguredTableAssociationAnalysisRule(b -> b
                    .membershipIdentifier(mid).configuredTableAssociationIdentifier(associationIds.get(t))
                    .analysisRuleType(ConfiguredTableAssociationAnalysisRuleType.CUSTOM)
                            .analysisRulePolicy(associationPolicy(spec)));
            case AssociationPlanner.DELETE_PRIVACY_BUDGET_TEMPLATE -> cr.deletePrivacyBudgetTemplate(b -> b
                    .membershipIdentifier(mid).privacyBudgetTemplateIdentifier(a.name()));
            case AssociationPlanner.CREATE_PRIVACY_BUDGET_TEMPLATE -> {
                BudgetTemplate was = templatesToCreate.get(t).peekFirst();
                cr.createPrivacyBudgetTemplate(b -> b.membershipIdentifier(mid).privacyBudgetType(was.type())
                        .autoRefresh(was.autoRefresh()).parameters(PrivacyBudgetTemplateParametersInput.builder()
                                .accessBudget(p -> p.resourceArn(associationArns.get(t))
                                        .budgetParameters(was.parameters().accessBudget().budgetParameters())).build())
                        .tags(tags));
                templatesToCreate.get(t).removeFirst();
            }
            case AssociationPlanner.DELETE_ASSOCIATION_RULE -> cr.deleteConfiguredTableAssociationAnalysisRule(b -> b
                    .membershipIdentifier(mid).configuredTableAssociationIdentifier(associationIds.get(t))
                    .analysisRuleType(ConfiguredTableAssociationAnalysisRuleType.CUSTOM));
            case AssociationPlanner.DELETE_ASSOCIATION -> {
                cr.deleteConfiguredTableAssociation(b -> b.membershipIdentifier(mid)
                        .configuredTableAssociationIdentifier(associationIds.get(t)));
                associationIds.remove(t);
                associationArns.remove(t);
            }
            case AssociationPlanner.DELETE_TABLE_RULE -> cr.deleteConfiguredTableAnalysisRule(b -> b
                    .configuredTableIdentifier(tableIds.get(t))
                            .analysisRuleType(ConfiguredTableAnalysisRuleType.CUSTOM));
            case AssociationPlanner.DELETE_CONFIGURED_TABLE -> {
                cr.deleteConfiguredTable(b -> b.configuredTableIdentifier(tableIds.get(t)));
                tableIds.remove(t);
            }
            case AssociationPlanner.CREATE_ID_NAMESPACE_ASSOCIATION -> cr.createIdNamespaceAssociation(b -> b
                    .membershipIdentifier(mid).name(a.name())
                    .description("ACX unique customer identifiers for Clean Rooms joins")
                    .inputReferenceConfig(c -> c.inputReferenceArn(request.idNamespaceArn())
                            .manageResourcePolicies(true))
                    .idMappingConfig(c -> c.allowUseAsDimensionColumn(false)).tags(tags));
            default -> throw new IllegalStateException("no way to apply " + a.action());
        }
    }

    private static ConfiguredTableAnalysisRulePolicy tablePolicy(TableSpec spec) {
        return ConfiguredTableAnalysisRulePolicy.builder().v1(v -> v.custom(spec.tablePolicy())).build();
    }

    private static ConfiguredTableAssociationAnalysisRulePolicy associationPolicy(TableSpec spec) {
        return ConfiguredTableAssociationAnalysisRulePolicy.builder().v1(v -> v.custom(spec.associationPolicy()))
                .build();
    }
}
