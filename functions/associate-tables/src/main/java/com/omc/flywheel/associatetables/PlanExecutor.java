package com.omc.flywheel.associatetables;

import com.omc.flywheel.associatetables.AssociateTablesResult.Action;
import com.omc.flywheel.associatetables.AssociationPlanner.DesiredTable;
import com.omc.flywheel.associatetables.CollaborationState.Association;
import com.omc.flywheel.associatetables.CollaborationState.ConfiguredTable;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.cleanrooms.CleanRoomsClient;
import software.amazon.awssdk.services.cleanrooms.model.ConfiguredTableAnalysisRulePolicy;
import software.amazon.awssdk.services.cleanrooms.model.ConflictException;
import software.amazon.awssdk.services.cleanrooms.model.ConfiguredTableAnalysisRuleType;
import software.amazon.awssdk.services.cleanrooms.model.ConfiguredTableAssociationAnalysisRulePolicy;
import software.amazon.awssdk.services.cleanrooms.model.ConfiguredTableAssociationAnalysisRuleType;

/** Turns one planned action into its Clean Rooms call, remembering the ids that later actions need. */
final class PlanExecutor {
    private final CleanRoomsClient cr;
    private final AssociateTablesRequest request;
    private final Map<String, DesiredTable> desired = new HashMap<>();
    private final Map<String, String> tableIds = new HashMap<>();
    private final Map<String, String> associationIds = new HashMap<>();
    private final List<String> providers;
    private final List<String> receivers;
    private final Map<String, String> tags;

    PlanExecutor(CleanRoomsClient cr, AssociateTablesRequest request, List<DesiredTable> desired, CollaborationState actual,
                 List<String> providers, List<String> receivers, String environment) {
        this.cr = cr;
        this.request = request;
        desired.forEach(d -> this.desired.put(d.name(), d));
        Map<String, String> nameById = new HashMap<>();
        for (ConfiguredTable t : actual.tables().values()) {
            tableIds.put(t.name(), t.id());
            nameById.put(t.id(), t.name());
        }
        for (Association a : actual.associations()) {
            String table = nameById.get(a.configuredTableId());
            if (table != null) {
                associationIds.put(table, a.id());
            }
        }
        this.providers = providers;
        this.receivers = receivers;
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
                for (var s : cr.listConfiguredTableAssociationsPaginator(b -> b.membershipIdentifier(request.membershipId())
                        .maxResults(100)).configuredTableAssociationSummaries()) {
                    if (s.name().equals(a.name()) && s.configuredTableId().equals(tableIds.get(t))) {
                        associationIds.put(t, s.id());
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
            default -> {
                return true; // the ID namespace association exists under this name
            }
        }
    }

    private void call(Action a) {
        String t = a.table();
        String mid = request.membershipId();
        switch (a.action()) {
            case AssociationPlanner.CREATE_CONFIGURED_TABLE -> tableIds.put(t, cr.createConfiguredTable(b -> b.name(t)
                    .description("Partitioned table " + t + " for Clean Rooms analysis")
                    .tableReference(r -> r.glue(g -> g.databaseName(request.database()).tableName(t)))
                    .allowedColumns(desired.get(t).columns()).analysisMethod(AssociateTablesService.analysisMethod())
                    .tags(tags)).configuredTable().id());
            case AssociationPlanner.CREATE_TABLE_RULE -> cr.createConfiguredTableAnalysisRule(b -> b
                    .configuredTableIdentifier(tableIds.get(t)).analysisRuleType(ConfiguredTableAnalysisRuleType.CUSTOM)
                    .analysisRulePolicy(tablePolicy()));
            case AssociationPlanner.UPDATE_TABLE_RULE -> cr.updateConfiguredTableAnalysisRule(b -> b
                    .configuredTableIdentifier(tableIds.get(t)).analysisRuleType(ConfiguredTableAnalysisRuleType.CUSTOM)
                    .analysisRulePolicy(tablePolicy()));
            case AssociationPlanner.CREATE_ASSOCIATION -> associationIds.put(t, cr.createConfiguredTableAssociation(b -> b
                    .membershipIdentifier(mid).name(a.name()).configuredTableIdentifier(tableIds.get(t))
                    .roleArn(request.roleArn()).description("ACX table " + t + " for Clean Rooms analysis").tags(tags))
                    .configuredTableAssociation().id());
            case AssociationPlanner.CREATE_ASSOCIATION_RULE -> cr.createConfiguredTableAssociationAnalysisRule(b -> b
                    .membershipIdentifier(mid).configuredTableAssociationIdentifier(associationIds.get(t))
                    .analysisRuleType(ConfiguredTableAssociationAnalysisRuleType.CUSTOM).analysisRulePolicy(associationPolicy()));
            case AssociationPlanner.UPDATE_ASSOCIATION_RULE -> cr.updateConfiguredTableAssociationAnalysisRule(b -> b
                    .membershipIdentifier(mid).configuredTableAssociationIdentifier(associationIds.get(t))
                    .analysisRuleType(ConfiguredTableAssociationAnalysisRuleType.CUSTOM).analysisRulePolicy(associationPolicy()));
            case AssociationPlanner.DELETE_ASSOCIATION_RULE -> cr.deleteConfiguredTableAssociationAnalysisRule(b -> b
                    .membershipIdentifier(mid).configuredTableAssociationIdentifier(associationIds.get(t))
                    .analysisRuleType(ConfiguredTableAssociationAnalysisRuleType.CUSTOM));
            case AssociationPlanner.DELETE_ASSOCIATION -> {
                cr.deleteConfiguredTableAssociation(b -> b.membershipIdentifier(mid)
                        .configuredTableAssociationIdentifier(associationIds.get(t)));
                associationIds.remove(t);
            }
            case AssociationPlanner.DELETE_TABLE_RULE -> cr.deleteConfiguredTableAnalysisRule(b -> b
                    .configuredTableIdentifier(tableIds.get(t)).analysisRuleType(ConfiguredTableAnalysisRuleType.CUSTOM));
            case AssociationPlanner.DELETE_CONFIGURED_TABLE -> {
                cr.deleteConfiguredTable(b -> b.configuredTableIdentifier(tableIds.get(t)));
                tableIds.remove(t);
            }
            case AssociationPlanner.CREATE_ID_NAMESPACE_ASSOCIATION -> cr.createIdNamespaceAssociation(b -> b
                    .membershipIdentifier(mid).name(a.name())
                    .description("ACX unique customer identifiers for Clean Rooms joins")
                    .inputReferenceConfig(c -> c.inputReferenceArn(request.idNamespaceArn()).manageResourcePolicies(true))
                    .idMappingConfig(c -> c.allowUseAsDimensionColumn(false)).tags(tags));
            default -> throw new IllegalStateException("no way to apply " + a.action());
        }
    }

    private ConfiguredTableAnalysisRulePolicy tablePolicy() {
        return ConfiguredTableAnalysisRulePolicy.builder().v1(v -> v.custom(c -> c
                .allowedAnalyses(AssociationPlanner.ANY_QUERY).allowedAnalysisProviders(providers))).build();
    }

    private ConfiguredTableAssociationAnalysisRulePolicy associationPolicy() {
        return ConfiguredTableAssociationAnalysisRulePolicy.builder().v1(v -> v.custom(c -> c
                .allowedResultReceivers(receivers))).build();
    }
}
