package com.omc.flywheel.associatetables;

import com.omc.flywheel.associatetables.AssociateTablesResult.Action;
import com.omc.flywheel.associatetables.AssociateTablesResult.ColumnDrift;
import com.omc.flywheel.associatetables.AssociateTablesResult.QuotaCheck;
import com.omc.flywheel.associatetables.CollaborationState.Association;
import com.omc.flywheel.associatetables.CollaborationState.BudgetTemplate;
import com.omc.flywheel.associatetables.CollaborationState.ConfiguredTable;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import software.amazon.awssdk.services.cleanrooms.model.AnalysisRuleCustom;
import software.amazon.awssdk.services.cleanrooms.model.BudgetParameter;
import software.amazon.awssdk.services.cleanrooms.model.ConfiguredTableAssociationAnalysisRuleCustom;

/**
 * The difference between what the catalog says should be in the collaboration and what is there,
 * as an ordered list of changes. Pure: no AWS calls, so every case is cheap to test.
 *
 * <p>What exists is adopted, and only what the deployer asked for is changed (docs/decisions/0011,
 * adopting today's collaboration). Per table, in name order: create what is missing; update an
 * association whose role is
 * not the configured one; update a rule's providers or receivers only when the deployer configured
 * them (unset: the rule is kept as it is, and the defaults apply to what is created). A configured
 * table whose allowed columns differ from the Glue table's data columns is reported, and recreated
 * only when {@code recreateDriftedTables} names it (allowed columns are immutable: the privacy budget
 * templates of its association, association rule, association, table rule and table go, then all
 * come back with what they had). Nothing else is ever deleted. A table that needs a new association
 * gets one only while the membership's quota has a free slot; the rest are left out, and listed.
 * Actions on one table never touch another, so a table that is ready stays ready.
 */
final class AssociationPlanner {
    static final String CREATE_CONFIGURED_TABLE = "CREATE_CONFIGURED_TABLE";
    static final String CREATE_TABLE_RULE = "CREATE_TABLE_RULE";
    static final String UPDATE_TABLE_RULE = "UPDATE_TABLE_RULE";
    static final String CREATE_ASSOCIATION = "CREATE_ASSOCIATION";
    static final String UPDATE_ASSOCIATION_ROLE = "UPDATE_ASSOCIATION_ROLE";
    static final String CREATE_ASSOCIATION_RULE = "CREATE_ASSOCIATION_RULE";
    static final String UPDATE_ASSOCIATION_RULE = "UPDATE_ASSOCIATION_RULE";
    static final String DELETE_PRIVACY_BUDGET_TEMPLATE = "DELETE_PRIVACY_BUDGET_TEMPLATE";
    static final String CREATE_PRIVACY_BUDGET_TEMPLATE = "CREATE_PRIVACY_BUDGET_TEMPLATE";
    static final String DELETE_ASSOCIATION_RULE = "DELETE_ASSOCIATION_RULE";
    static final String DELETE_ASSOCIATION = "DELETE_ASSOCIATION";
    static final String DELETE_TABLE_RULE = "DELETE_TABLE_RULE";
    static final String DELETE_CONFIGURED_TABLE = "DELETE_CONFIGURED_TABLE";
    static final String CREATE_ID_NAMESPACE_ASSOCIATION = "CREATE_ID_NAMESPACE_ASSOCIATION";
    static final String ANY_QUERY = "ANY_QUERY";
    static final String DIRECT_QUERY = "DIRECT_QUERY";
    static final String FITS = "FITS";
    static final String OVER_QUOTA = "OVER_QUOTA";

    /** A table the collaboration should have, with its data columns (never the partition key). */
    record DesiredTable(String name, List<String> columns) {
    }

    /**
     * What the deployer asked for.
     *
     * @param providers        configured analysis providers; null = not configured: existing rules keep theirs
     * @param receivers        configured result receivers; null = not configured: existing rules keep theirs
     * @param defaultProviders the providers of a rule that is created while none are configured
     * @param defaultReceivers the receivers of a rule that is created while none are configured
     * @param recreateDrifted  tables whose configured table may be recreated when its allowed columns drifted
     * @param quota            associations the membership may hold
     */
    record Intent(String roleArn, List<String> providers, List<String> receivers, List<String> defaultProviders,
                  List<String> defaultReceivers, Set<String> recreateDrifted, String idNamespaceArn, int quota) {
    }

    /**
     * What a table's creates and updates are made of: what exists carried over (its rules' policies with
     * only the configured providers or receivers changed, its names and descriptions, its association's
     * privacy budget templates), else the defaults.
     */
    record TableSpec(List<String> columns, String description, String analysisMethod,
            List<String> selectedAnalysisMethods,
                     AnalysisRuleCustom tablePolicy, String associationName, String associationDescription,
                     ConfiguredTableAssociationAnalysisRuleCustom associationPolicy, List<BudgetTemplate> templates) {
    }

    /**
     * The plan and what it leads to.
     *
     * @param specs     per table of the plan, what its actions write
     * @param admitted  desired tables the plan reconciles (the others were left out for the quota)
     */
    record Plan(List<Action> actions, Map<String, TableSpec> specs, List<String> unmanaged, int associationsAfter,
                List<ColumnDrift> drift, QuotaCheck quota, List<String> admitted) {
    }

    private AssociationPlanner() {
    }

    static String associationName(String table) {
        return "acx_" + table;
    }

    /** The associations (ARNs) whose privacy budget templates the plan needs: those of tables it will recreate. */
    static Set<String> associationsToRecreate(List<DesiredTable> desired, CollaborationState actual, Intent intent) {
        Map<String, Association> byTable = byTable(actual);
        Set<String> out = new TreeSet<>();
        for (DesiredTable t : desired) {
            ConfiguredTable ct = actual.tables().get(t.name());
            Association assoc = ct == null ? null : byTable.get(ct.id());
            if (assoc != null && intent.recreateDrifted().contains(t.name()) && drifted(ct, t)) {
                out.add(assoc.arn());
            }
        }
        return out;
    }

    static Plan plan(List<DesiredTable> desired, CollaborationState actual, Intent intent) {
        List<Action> actions = new ArrayList<>();
        Map<String, TableSpec> specs = new LinkedHashMap<>();
        List<ColumnDrift> drift = new ArrayList<>();
        Map<String, Association> byTable = byTable(actual);
        Set<String> managedTableIds = new HashSet<>();
        List<String> admitted = new ArrayList<>();
        List<String> leftOut = new ArrayList<>();
        List<String> newNames = new ArrayList<>();
        int before = actual.associations().size();
        int free = intent.quota() - before;
        int wanted = 0;
        for (DesiredTable t : desired) {
            ConfiguredTable ct = actual.tables().get(t.name());
            Association assoc = ct == null ? null : byTable.get(ct.id());
            if (ct != null) {
                managedTableIds.add(ct.id());
            }
            boolean needsSlot = assoc == null;
            boolean fits = true;
            if (needsSlot) {
                wanted++;
                fits = free > 0;
                if (fits) {
                    free--;
                } else {
                    leftOut.add(t.name());
                }
            }
            boolean recreate = fits && ct != null && drifted(ct, t) && intent.recreateDrifted().contains(t.name());
            if (ct != null && drifted(ct, t)) {
                drift.add(columnDrift(ct, t, recreate));
            }
            if (!fits) {
                continue;
            }
            admitted.add(t.name());
            TableSpec spec = spec(t, ct, assoc, intent, recreate
                    ? actual.budgetTemplates().getOrDefault(assoc == null ? ""
                    : assoc.arn(), List.of()) : List.of());
            specs.put(t.name(), spec);
            if (recreate) {
                String why = "allowed columns drifted and recreateDriftedTables names the table (allowed columns are "
                        + "immutable): " + change(ct.allowedColumns(), t.columns());
                if (assoc != null) {
                    for (BudgetTemplate b : spec.templates()) {
                        actions.add(new Action(DELETE_PRIVACY_BUDGET_TEMPLATE, t.name(), b.id(), describe(b)
                                + " on " + assoc.name() + "; it budgets the association, so it goes first and is "
                                        + "created "
                                + "again for the new association", null));
                    }
                    if (assoc.hasRule()) {
                        actions.add(new Action(DELETE_ASSOCIATION_RULE, t.name(), assoc.name(), why, null));
                    }
                    actions.add(new Action(DELETE_ASSOCIATION, t.name(), assoc.name(), why, null));
                }
                if (ct.hasRule()) {
                    actions.add(new Action(DELETE_TABLE_RULE, t.name(), t.name(), why, null));
                }
                actions.add(new Action(DELETE_CONFIGURED_TABLE, t.name(), t.name(), why, null));
                ct = null;
                assoc = null;
            }
            if (ct == null) {
                actions.add(new Action(CREATE_CONFIGURED_TABLE, t.name(), t.name(), t.columns().size()
                        + " allowed columns, " + spec.analysisMethod(), null));
                actions.add(new Action(CREATE_TABLE_RULE, t.name(), t.name(), describe(spec.tablePolicy()), null));
            } else if (!ct.hasRule()) {
                actions.add(new Action(CREATE_TABLE_RULE, t.name(), t.name(), describe(spec.tablePolicy()), null));
            } else if (intent.providers() != null && !Set.copyOf(ct.providers())
                    .equals(Set.copyOf(intent.providers()))) {
                actions.add(new Action(UPDATE_TABLE_RULE, t.name(), t.name(), "providers " + sorted(ct.providers())
                        + " -> " + sorted(intent.providers()) + " (configured); the rest of the rule is kept", null));
            }
            if (assoc == null) {
                actions.add(new Action(CREATE_ASSOCIATION, t.name(), spec.associationName(), "in the membership, role "
                        + intent.roleArn(), null));
                actions.add(new Action(CREATE_ASSOCIATION_RULE, t.name(), spec.associationName(),
                        describe(spec.associationPolicy()), null));
                for (BudgetTemplate b : spec.templates()) {
                    actions.add(new Action(CREATE_PRIVACY_BUDGET_TEMPLATE, t.name(), spec.associationName(), describe(b)
                            + " (as template " + b.id() + " had; the budget's balance starts again)", null));
                }
                if (needsSlot) {
                    newNames.add(spec.associationName());
                }
            } else {
                if (!intent.roleArn().equals(assoc.roleArn())) {
                    actions.add(new Action(UPDATE_ASSOCIATION_ROLE, t.name(), assoc.name(), "role " + assoc.roleArn()
                            + " -> " + intent.roleArn() + " (updated in place)", null));
                }
                if (!assoc.hasRule()) {
                    actions.add(new Action(CREATE_ASSOCIATION_RULE, t.name(), assoc.name(),
                            describe(spec.associationPolicy()), null));
                } else if (intent.receivers() != null
                        && !Set.copyOf(assoc.receivers()).equals(Set.copyOf(intent.receivers()))) {
                    actions.add(new Action(UPDATE_ASSOCIATION_RULE, t.name(), assoc.name(), "result receivers "
                            + sorted(assoc.receivers()) + " -> " + sorted(intent.receivers())
                            + " (configured); the rest of the rule is kept", null));
                }
            }
        }
        if (intent.idNamespaceArn() != null && !actual.idNamespaceArns().contains(intent.idNamespaceArn())) {
            actions.add(new Action(CREATE_ID_NAMESPACE_ASSOCIATION, null, idNamespaceName(intent.idNamespaceArn()),
                    intent.idNamespaceArn(), null));
        }
        List<String> unmanaged = actual.associations().stream()
                .filter(a -> !managedTableIds.contains(a.configuredTableId()))
                .map(Association::name).sorted().toList();
        int after = before + newNames.size();
        return new Plan(actions, specs, unmanaged, after, drift,
                quotaCheck(intent.quota(), before, after, wanted, newNames, leftOut, actual, unmanaged), admitted);
    }

    private static QuotaCheck quotaCheck(int quota, int before, int after, int wanted, List<String> newNames,
                                         List<String> leftOut, CollaborationState actual, List<String> unmanaged) {
        if (leftOut.isEmpty()) {
            return new QuotaCheck(FITS, quota, before, after, wanted, newNames.size(), List.of(), List.of(),
                    after + " of " + quota + " associations after the run (" + newNames.size() + " new)");
        }
        TreeSet<String> heldBy = new TreeSet<>(newNames);
        actual.associations().forEach(a -> heldBy.add(a.name()));
        return new QuotaCheck(OVER_QUOTA, quota, before, after, wanted, newNames.size(), List.copyOf(leftOut),
                List.copyOf(heldBy), "the membership holds " + before + " of its " + quota + " associations ("
                + unmanaged.size() + " not managed by this function: " + unmanaged + "); " + wanted
                + " table(s) need a new association and " + leftOut.size() + " do not fit: " + leftOut
                + ". They are left out (skippedForQuota); everything else is done. To associate them, delete "
                + "associations that are no longer needed, lower maxAssociations, or raise the quota "
                        + "(ASSOCIATION_QUOTA "
                + "and Clean Rooms' service quota)");
    }

    private static TableSpec spec(DesiredTable t, ConfiguredTable ct, Association assoc, Intent intent,
                                  List<BudgetTemplate> templates) {
        AnalysisRuleCustom tablePolicy = ct != null && ct.hasRule()
                ? (intent.providers() == null ? ct.policy() : ct.policy().toBuilder()
                .allowedAnalysisProviders(intent.providers()).build())
                : AnalysisRuleCustom.builder().allowedAnalyses(ANY_QUERY).allowedAnalysisProviders(
                intent.providers() != null ? intent.providers() : intent.defaultProviders()).build();
        ConfiguredTableAssociationAnalysisRuleCustom associationPolicy = assoc != null && assoc.hasRule()
                ? (intent.receivers() == null ? assoc.policy() : assoc.policy().toBuilder()
                .allowedResultReceivers(intent.receivers()).build())
                : ConfiguredTableAssociationAnalysisRuleCustom.builder().allowedResultReceivers(
                intent.receivers() != null ? intent.receivers() : intent.defaultReceivers()).build();
        return new TableSpec(t.columns(),
                ct != null && ct.description() != null ? ct.description() : "Partitioned table " + t.name()
                        + " for Clean Rooms analysis",
                ct != null && ct.analysisMethod() != null ? ct.analysisMethod() : DIRECT_QUERY,
                ct != null ? ct.selectedAnalysisMethods() : List.of(), tablePolicy,
                assoc != null ? assoc.name() : associationName(t.name()),
                assoc != null && assoc.description() != null ? assoc.description() : "ACX table " + t.name()
                        + " for Clean Rooms analysis",
                associationPolicy, templates);
    }

    private static Map<String, Association> byTable(CollaborationState actual) {
        return actual.associations().stream().collect(Collectors.toMap(Association::configuredTableId, a -> a,
                (a, b) -> a));
    }

    static boolean drifted(ConfiguredTable ct, DesiredTable t) {
        return !Set.copyOf(ct.allowedColumns()).equals(Set.copyOf(t.columns()));
    }

    private static ColumnDrift columnDrift(ConfiguredTable ct, DesiredTable t, boolean recreate) {
        List<String> added = minus(t.columns(), ct.allowedColumns());
        List<String> removed = minus(ct.allowedColumns(), t.columns());
        return new ColumnDrift(t.name(), ct.id(), added, added.size(), removed, removed.size(),
                recreate ? "RECREATE" : "REPORTED");
    }

    private static List<String> minus(List<String> a, List<String> b) {
        Set<String> out = new TreeSet<>(a);
        b.forEach(out::remove);
        return List.copyOf(out);
    }

    private static String change(List<String> had, List<String> wants) {
        return "+" + minus(wants, had) + " -" + minus(had, wants);
    }

    static String idNamespaceName(String arn) {
        return arn.substring(arn.lastIndexOf('/') + 1);
    }

    static String describe(AnalysisRuleCustom p) {
        return "CUSTOM, analyses " + p.allowedAnalyses() + ", providers " + sorted(p.allowedAnalysisProviders());
    }

    static String describe(ConfiguredTableAssociationAnalysisRuleCustom p) {
        return "CUSTOM, result receivers " + sorted(p.allowedResultReceivers())
                + (p.allowedAdditionalAnalyses().isEmpty() ? "" : ", additional analyses "
                        + p.allowedAdditionalAnalyses());
    }

    static String describe(BudgetTemplate b) {
        String what = b.parameters().accessBudget() == null ? ""
                : b.parameters().accessBudget().budgetParameters().stream()
                .map(AssociationPlanner::describe).collect(Collectors.joining(", ", " ", ""));
        return "privacy budget template " + b.id() + " (" + b.type() + what + ", auto refresh " + b.autoRefresh() + ")";
    }

    private static String describe(BudgetParameter p) {
        return p.typeAsString() + " " + p.budget() + (p.autoRefresh() == null ? "" : " auto refresh "
                + p.autoRefreshAsString());
    }

    private static List<String> sorted(List<String> v) {
        return v.stream().sorted().toList();
    }
}
