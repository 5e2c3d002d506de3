package com.omc.flywheel.associatetables;

import com.omc.flywheel.associatetables.AssociateTablesResult.Action;
import com.omc.flywheel.associatetables.CollaborationState.Association;
import com.omc.flywheel.associatetables.CollaborationState.ConfiguredTable;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The difference between what the catalog says should be in the collaboration and what is there,
 * as an ordered list of changes. Pure: no AWS calls, so every case is cheap to test.
 *
 * <p>Per table, in name order: create what is missing; update a rule whose providers or receivers
 * drifted; recreate a configured table only when its allowed columns changed (they are immutable:
 * association rule, association, table rule and table go, then all four come back). Nothing else is
 * ever deleted. Actions on one table never touch another, so a table that is ready stays ready.
 */
final class AssociationPlanner {
    static final String CREATE_CONFIGURED_TABLE = "CREATE_CONFIGURED_TABLE";
    static final String CREATE_TABLE_RULE = "CREATE_TABLE_RULE";
    static final String UPDATE_TABLE_RULE = "UPDATE_TABLE_RULE";
    static final String CREATE_ASSOCIATION = "CREATE_ASSOCIATION";
    static final String CREATE_ASSOCIATION_RULE = "CREATE_ASSOCIATION_RULE";
    static final String UPDATE_ASSOCIATION_RULE = "UPDATE_ASSOCIATION_RULE";
    static final String DELETE_ASSOCIATION_RULE = "DELETE_ASSOCIATION_RULE";
    static final String DELETE_ASSOCIATION = "DELETE_ASSOCIATION";
    static final String DELETE_TABLE_RULE = "DELETE_TABLE_RULE";
    static final String DELETE_CONFIGURED_TABLE = "DELETE_CONFIGURED_TABLE";
    static final String CREATE_ID_NAMESPACE_ASSOCIATION = "CREATE_ID_NAMESPACE_ASSOCIATION";
    static final String ANY_QUERY = "ANY_QUERY";

    /** A table the collaboration should have, with its data columns (never the partition key). */
    record DesiredTable(String name, List<String> columns) {
    }

    /** The plan and what it leads to. */
    record Plan(List<Action> actions, List<String> unmanaged, int associationsAfter) {
    }

    private AssociationPlanner() {
    }

    static String associationName(String table) {
        return "acx_" + table;
    }

    static Plan plan(List<DesiredTable> desired, CollaborationState actual, List<String> providers,
                     List<String> receivers, String idNamespaceArn) {
        List<Action> actions = new ArrayList<>();
        Map<String, Association> byTable = actual.associations().stream()
                .collect(Collectors.toMap(Association::configuredTableId, a -> a, (a, b) -> a));
        Set<String> managedTableIds = new HashSet<>();
        int deleted = 0;
        int created = 0;
        for (DesiredTable t : desired) {
            ConfiguredTable ct = actual.tables().get(t.name());
            Association assoc = ct == null ? null : byTable.get(ct.id());
            String name = associationName(t.name());
            if (ct != null) {
                managedTableIds.add(ct.id());
            }
            if (ct != null && !Set.copyOf(ct.allowedColumns()).equals(Set.copyOf(t.columns()))) {
                String why = columnChange(ct.allowedColumns(), t.columns());
                if (assoc != null) {
                    if (assoc.hasRule()) {
                        actions.add(new Action(DELETE_ASSOCIATION_RULE, t.name(), assoc.name(), why, null));
                    }
                    actions.add(new Action(DELETE_ASSOCIATION, t.name(), assoc.name(), why, null));
                    deleted++;
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
                        + " allowed columns, DIRECT_QUERY", null));
                actions.add(new Action(CREATE_TABLE_RULE, t.name(), t.name(), "CUSTOM, ANY_QUERY, providers " + providers, null));
            } else if (!ct.hasRule()) {
                actions.add(new Action(CREATE_TABLE_RULE, t.name(), t.name(), "CUSTOM, ANY_QUERY, providers " + providers, null));
            } else if (!List.of(ANY_QUERY).equals(ct.allowedAnalyses()) || !Set.copyOf(ct.providers()).equals(Set.copyOf(providers))) {
                actions.add(new Action(UPDATE_TABLE_RULE, t.name(), t.name(), "providers " + sorted(ct.providers())
                        + " -> " + sorted(providers) + (List.of(ANY_QUERY).equals(ct.allowedAnalyses()) ? ""
                        : ", analyses " + ct.allowedAnalyses() + " -> [ANY_QUERY]"), null));
            }
            if (assoc == null) {
                actions.add(new Action(CREATE_ASSOCIATION, t.name(), name, "in the membership", null));
                actions.add(new Action(CREATE_ASSOCIATION_RULE, t.name(), name, "CUSTOM, result receivers " + receivers, null));
                created++;
            } else if (!assoc.hasRule()) {
                actions.add(new Action(CREATE_ASSOCIATION_RULE, t.name(), assoc.name(), "CUSTOM, result receivers "
                        + receivers, null));
            } else if (!Set.copyOf(assoc.receivers()).equals(Set.copyOf(receivers)) || !assoc.additionalAnalyses().isEmpty()) {
                actions.add(new Action(UPDATE_ASSOCIATION_RULE, t.name(), assoc.name(), "result receivers "
                        + sorted(assoc.receivers()) + " -> " + sorted(receivers)
                        + (assoc.additionalAnalyses().isEmpty() ? "" : ", additional analyses removed"), null));
            }
        }
        if (idNamespaceArn != null && !actual.idNamespaceArns().contains(idNamespaceArn)) {
            actions.add(new Action(CREATE_ID_NAMESPACE_ASSOCIATION, null, idNamespaceName(idNamespaceArn), idNamespaceArn, null));
        }
        List<String> unmanaged = actual.associations().stream().filter(a -> !managedTableIds.contains(a.configuredTableId()))
                .map(Association::name).sorted().toList();
        return new Plan(actions, unmanaged, actual.associations().size() - deleted + created);
    }

    static String idNamespaceName(String arn) {
        return arn.substring(arn.lastIndexOf('/') + 1);
    }

    private static String columnChange(List<String> had, List<String> wants) {
        Set<String> added = new java.util.TreeSet<>(wants);
        had.forEach(added::remove);
        Set<String> removed = new java.util.TreeSet<>(had);
        wants.forEach(removed::remove);
        return "allowed columns changed (immutable, so the table is recreated): +" + added + " -" + removed;
    }

    private static List<String> sorted(List<String> v) {
        return v.stream().sorted().toList();
    }
}
