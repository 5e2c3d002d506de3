package com.omc.flywheel.associatetables;

import com.omc.flywheel.associatetables.AssociateTablesResult.Action;
import com.omc.flywheel.associatetables.AssociateTablesResult.ColumnDrift;
import com.omc.flywheel.associatetables.AssociateTablesResult.QuotaCheck;
import com.omc.flywheel.associatetables.AssociateTablesResult.UnassociatedTable;
import com.omc.flywheel.associatetables.AssociationPlanner.DesiredTable;
import com.omc.flywheel.associatetables.AssociationPlanner.Intent;
import com.omc.flywheel.associatetables.CollaborationState.Association;
import com.omc.flywheel.associatetables.CollaborationState.BudgetTemplate;
import com.omc.flywheel.associatetables.CollaborationState.ConfiguredTable;
import com.omc.flywheel.associatetables.CollaborationState.Member;
import com.omc.flywheel.shared.CleanRoomsTables;
import com.omc.flywheel.shared.JsonLog;
import com.omc.flywheel.shared.Priming;
import com.omc.flywheel.shared.errors.AwsFaults;
import com.omc.flywheel.shared.errors.PartialFailureException;
import com.omc.flywheel.shared.errors.ResourceNotFoundException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.cleanrooms.CleanRoomsClient;
import software.amazon.awssdk.services.cleanrooms.model.AnalysisMethod;
import software.amazon.awssdk.services.cleanrooms.model.AnalysisRuleCustom;
import software.amazon.awssdk.services.cleanrooms.model.ConfiguredTableAnalysisRuleType;
import software.amazon.awssdk.services.cleanrooms.model.ConfiguredTableAssociationAnalysisRuleCustom;
import software.amazon.awssdk.services.cleanrooms.model.ConfiguredTableAssociationAnalysisRuleType;
import software.amazon.awssdk.services.cleanrooms.model.ConfiguredTableAssociationSummary;
import software.amazon.awssdk.services.cleanrooms.model.ConfiguredTableSummary;
import software.amazon.awssdk.services.cleanrooms.model.IdNamespaceAssociationSummary;
import software.amazon.awssdk.services.cleanrooms.model.ListConfiguredTableAssociationsResponse;
import software.amazon.awssdk.services.cleanrooms.model.ListConfiguredTablesResponse;
import software.amazon.awssdk.services.cleanrooms.model.ListIdNamespaceAssociationsResponse;
import software.amazon.awssdk.services.cleanrooms.model.ListMembersResponse;
import software.amazon.awssdk.services.cleanrooms.model.ListPrivacyBudgetTemplatesResponse;
import software.amazon.awssdk.services.cleanrooms.model.MemberSummary;
import software.amazon.awssdk.services.cleanrooms.model.PrivacyBudgetTemplate;
import software.amazon.awssdk.services.cleanrooms.model.PrivacyBudgetTemplateSummary;
import software.amazon.awssdk.services.cleanrooms.model.PrivacyBudgetType;
import software.amazon.awssdk.services.glue.GlueClient;
import software.amazon.awssdk.services.glue.model.Column;
import software.amazon.awssdk.services.glue.model.EntityNotFoundException;
import software.amazon.awssdk.services.glue.model.GetTablesResponse;
import software.amazon.awssdk.services.glue.model.Table;

/**
 * Reconciles the Clean Rooms collaboration with the Glue catalog (docs/functions.md associate-tables):
 * reads the desired state (the prefixed tables, capped at {@code maxAssociations}) and the actual
 * one (every list paginated), plans the difference ({@link AssociationPlanner}: what exists is
 * adopted, only what the deployer asked for changes, and what does not fit the membership's
 * association quota is left out and listed), then applies it in order, stopping at the first
 * failure with a report of what was and was not applied. A dry run returns the plan with its quota
 * verdict. A rerun completes the job; a second run with nothing changed plans nothing.
 */
public final class AssociateTablesService {
    private static final JsonLog LOG = JsonLog.forFunction("associate-tables");
    /** Clean Rooms' limit on a configured table's allowed columns. */
    static final int MAX_ALLOWED_COLUMNS = 100;
    private final GlueClient glue;
    private final CleanRoomsClient cleanRooms;
    private final Settings settings;

    /**
     * @param associationQuota  associations the membership may hold (Clean Rooms' quota, default 25)
     * @param defaultProviders  analysis providers when the event gives none (may be empty)
     * @param environment       the Environment tag of what this function creates
     */
    public record Settings(int associationQuota, List<String> defaultProviders, String environment) {
    }

    public AssociateTablesService(GlueClient glue, CleanRoomsClient cleanRooms, Settings settings) {
        this.glue = glue;
        this.cleanRooms = cleanRooms;
        this.settings = settings;
    }

    /** SnapStart priming: one read of Glue and of Clean Rooms, whatever the answer. */
    public void prime() {
        Priming.call(() -> glue.getTable(b -> b.databaseName(Priming.NAME).name(Priming.NAME)));
        Priming.call(() -> cleanRooms.getMembership(b -> b.membershipIdentifier(Priming.ZERO_ID)));
    }

    public AssociateTablesResult reconcile(AssociateTablesRequest request) {
        Catalog catalog = catalog(request);
        List<Table> candidates = catalog.candidates();
        List<Table> kept = candidates.subList(0, Math.min(candidates.size(), request.maxAssociations()));
        List<String> cut = candidates.subList(kept.size(), candidates.size()).stream().map(Table::name).toList();
        if (!cut.isEmpty()) {
            LOG.warn("tables over maxAssociations are not associated", "database", request.database(),
                    "maxAssociations", request.maxAssociations(), "skippedForQuota", cut);
        }
        Map<String, String> tableErrors = new TreeMap<>();
        List<DesiredTable> desired = new ArrayList<>();
        for (Table t : kept) {
            String name = t.name();
            List<String> columns = t.storageDescriptor().columns().stream().map(Column::name).toList();
            if (columns.size() > MAX_ALLOWED_COLUMNS) {
                tableErrors.put(name, "has " + columns.size()
                        + " data columns; a Clean Rooms configured table allows at most "
                        + MAX_ALLOWED_COLUMNS + ". Split the table or drop columns; nothing was truncated");
            } else {
                desired.add(new DesiredTable(name, columns));
            }
        }
        CollaborationState actual = read(request, desired);
        // Providers and receivers are changed only when the deployer configured them; the defaults are
        // for what is created (docs/decisions/0011).
        List<String> configuredProviders = request.allowedAnalysisProviders() != null
                ? request.allowedAnalysisProviders()
                : !settings.defaultProviders().isEmpty() ? settings.defaultProviders() : null;
        Intent intent = new Intent(request.roleArn(), configuredProviders, request.allowedResultReceivers(),
                members(actual, "CAN_QUERY"), members(actual, "CAN_RECEIVE_RESULTS"),
                Set.copyOf(request.recreateDriftedTables()), request.idNamespaceArn(), settings.associationQuota());
        Set<String> recreating = AssociationPlanner.associationsToRecreate(desired, actual, intent);
        if (!recreating.isEmpty()) {
            actual = actual.withBudgetTemplates(budgetTemplates(request.membershipId(), recreating));
        }
        AssociationPlanner.Plan plan = AssociationPlanner.plan(desired, actual, intent);
        QuotaCheck quota = plan.quota();
        if (!quota.verdict().equals(AssociationPlanner.FITS)) {
            LOG.warn("association quota full: tables left out", "membership", request.membershipId(), "leftOut",
                    quota.leftOut(), "heldBy", quota.heldBy(), "quota", quota.quota());
        }
        for (ColumnDrift d : plan.drift()) {
            LOG.warn("allowed columns drifted", "table", d.table(), "added", d.added(), "removed", d.removed(),
                    "action", d.action());
        }
        List<Action> actions = request.dryRun() ? plan.actions().stream().map(a -> a.withStatus("PLANNED")).toList()
                : apply(request, plan, actual);
        Map<String, Integer> counts = new TreeMap<>();
        actions.forEach(a -> counts.merge(a.action(), 1, Integer::sum));
        Set<String> touched = actions.stream().map(Action::table).collect(Collectors.toSet());
        int ready = request.dryRun() ? (int) plan.admitted().stream().filter(t -> !touched.contains(t)).count()
                : plan.admitted().size();
        List<String> skipped = new ArrayList<>(quota.leftOut());
        skipped.addAll(cut);
        List<ColumnDrift> drift = request.compactResult() ? plan.drift().stream().map(d -> new ColumnDrift(d.table(),
                d.configuredTableId(), first(d.added(), 10), d.addedCount(), first(d.removed(), 10), d.removedCount(),
                d.action())).toList() : plan.drift();
        AssociateTablesResult result = new AssociateTablesResult(actions, !request.dryRun(), plan.unmanaged(),
                new AssociateTablesResult.Summary(counts, request.compactResult() ? List.of() : List.copyOf(skipped),
                        skipped.size(), desired.size(), ready, plan.associationsAfter(), settings.associationQuota(),
                        quota.verdict(), plan.drift().size()),
                drift, quota, unassociated(request, catalog, actual, plan, tableErrors, cut));
        if (!request.dryRun()) {
            // One line per kind of action applied (CREATE_ASSOCIATION, UPDATE_ASSOCIATION_RULE, ...).
            counts.forEach((kind, n) -> LOG.metrics("Clean Rooms actions", java.util.Map.of("CleanRoomsActions", n),
                    "Action", kind));
        }
        LOG.info(request.dryRun() ? "plan ready (dry run)" : "collaboration reconciled", "membership",
                request.membershipId(),
                "actions", counts, "skippedForQuota", skipped, "unmanaged", plan.unmanaged(), "quota", quota.verdict(),
                "unassociatedConfiguredTables", result.unassociatedConfiguredTables().size(), "outcome",
                tableErrors.isEmpty() ? "SUCCEEDED" : "PARTIAL");
        if (!tableErrors.isEmpty()) {
            throw new PartialFailureException("associate-tables " + (request.dryRun() ? "planned " : "applied ")
                    + actions.size() + " actions " + counts + " but could not manage " + tableErrors.size()
                            + " table(s): "
                    + tableErrors.entrySet().stream().map(e -> e.getKey() + " " + e.getValue())
                    .collect(Collectors.joining("; ")), List.copyOf(tableErrors.keySet()));
        }
        return result;
    }

    private static List<String> first(List<String> values, int n) {
        return values.size() <= n ? values : List.copyOf(values.subList(0, n));
    }

    /**
     * The configured tables with the prefix that are left without an association in the membership, and
     * why: what today's scripts left behind (part_n_a, part_n_a_a) and what this run leaves out.
     */
    private static List<UnassociatedTable> unassociated(AssociateTablesRequest request, Catalog catalog,
                                                        CollaborationState actual, AssociationPlanner.Plan plan,
                                                        Map<String, String> tableErrors, List<String> cut) {
        Set<String> associated = actual.associations().stream().map(Association::configuredTableId)
                .collect(Collectors.toSet());
        List<UnassociatedTable> out = new ArrayList<>();
        actual.prefixedTables().forEach((name, id) -> {
            if (associated.contains(id) || plan.admitted().contains(name)) {
                return;
            }
            String reason = request.exclude().contains(name) ? "EXCLUDED"
                    : !catalog.prefixed().contains(name) ? "NOT_IN_CATALOG"
                    : !catalog.isCandidate(name) ? "NOT_ASSOCIATED_BY_THIS_FUNCTION"
                    : tableErrors.containsKey(name) ? "TOO_MANY_COLUMNS"
                    : cut.contains(name) ? "OVER_MAX_ASSOCIATIONS"
                    : "SKIPPED_FOR_QUOTA";
            out.add(new UnassociatedTable(name, id, reason));
        });
        out.sort(java.util.Comparator.comparing(UnassociatedTable::name));
        return out;
    }

    /**
     * @param candidates tables to associate: prefixed, not excluded, not the addressable ids or ER tables, sorted
     * @param prefixed   every table of the database with the prefix
     */
    private record Catalog(List<Table> candidates, Set<String> prefixed) {
        boolean isCandidate(String name) {
            return candidates.stream().anyMatch(t -> t.name().equals(name));
        }
    }

    /** Prefixed tables, minus exclusions, the addressable ids table and Entity Resolution tables, sorted. */
    private Catalog catalog(AssociateTablesRequest request) {
        List<Table> names = new ArrayList<>();
        Set<String> prefixed = new java.util.TreeSet<>();
        try {
            for (GetTablesResponse page : glue.getTablesPaginator(b -> b.databaseName(request.database()))) {
                for (Table t : page.tableList()) {
                    String n = t.name();
                    if (n.startsWith(request.tablePrefix())) {
                        prefixed.add(n);
                        if (CleanRoomsTables.isAssociated(n, request.tablePrefix(), request.exclude())) {
                            names.add(t);
                        }
                    }
                }
            }
        } catch (EntityNotFoundException e) {
            throw new ResourceNotFoundException("Glue database " + request.database() + " does not exist", e);
        } catch (SdkException e) {
            throw AwsFaults.translate(e, "Glue GetTables for database " + request.database());
        }
        names.sort(java.util.Comparator.comparing(Table::name));
        return new Catalog(names, prefixed);
    }

    private CollaborationState read(AssociateTablesRequest request, List<DesiredTable> desired) {
        String mid = request.membershipId();
        try {
            var membership = cleanRooms.getMembership(b -> b.membershipIdentifier(mid)).membership();
            String collab = membership.collaborationId();
            List<Member> members = new ArrayList<>();
            String caller = null;
            for (ListMembersResponse page : cleanRooms.listMembersPaginator(b -> b.collaborationIdentifier(collab))) {
                for (MemberSummary m : page.memberSummaries()) {
                    members.add(new Member(m.accountId(), m.displayName(), m.abilitiesAsStrings()));
                    if (mid.equals(m.membershipId())) {
                        caller = m.accountId();
                    }
                }
            }
            Map<String, DesiredTable> wanted = desired.stream().collect(Collectors.toMap(DesiredTable::name, d -> d));
            Map<String, ConfiguredTable> tables = new LinkedHashMap<>();
            Map<String, String> prefixed = new TreeMap<>();
            for (ListConfiguredTablesResponse page : cleanRooms.listConfiguredTablesPaginator(b -> b.maxResults(100))) {
                for (ConfiguredTableSummary s : page.configuredTableSummaries()) {
                    if (s.name().startsWith(request.tablePrefix())) {
                        prefixed.put(s.name(), s.id());
                    }
                    if (wanted.containsKey(s.name())) {
                        tables.put(s.name(), configuredTable(s));
                    }
                }
            }
            Map<String, String> managedIds = new HashMap<>();
            tables.values().forEach(t -> managedIds.put(t.id(), t.name()));
            List<Association> associations = new ArrayList<>();
            for (ListConfiguredTableAssociationsResponse page : cleanRooms.listConfiguredTableAssociationsPaginator(
                    b -> b.membershipIdentifier(mid).maxResults(100))) {
                for (ConfiguredTableAssociationSummary a : page.configuredTableAssociationSummaries()) {
                    associations.add(managedIds.containsKey(a.configuredTableId()) ? association(mid, a)
                            : new Association(a.id(), a.arn(), a.name(), a.configuredTableId(), null, null, null));
                }
            }
            List<String> namespaces = new ArrayList<>();
            if (request.idNamespaceArn() != null) {
                for (ListIdNamespaceAssociationsResponse page : cleanRooms.listIdNamespaceAssociationsPaginator(
                        b -> b.membershipIdentifier(mid).maxResults(100))) {
                    for (IdNamespaceAssociationSummary s : page.idNamespaceAssociationSummaries()) {
                        namespaces.add(s.inputReferenceConfig().inputReferenceArn());
                    }
                }
            }
            return new CollaborationState(collab, caller, members, tables, prefixed, associations, namespaces,
                    Map.of());
        } catch (software.amazon.awssdk.services.cleanrooms.model.ResourceNotFoundException e) {
            throw new ResourceNotFoundException("Clean Rooms membership " + mid
                    + " (or its collaboration) does not exist "
                    + "or is not visible to this account: " + e.awsErrorDetails().errorMessage(), e);
        } catch (SdkException e) {
            throw AwsFaults.translate(e, "reading Clean Rooms membership " + mid);
        }
    }

    /**
     * The membership's ACCESS_BUDGET privacy budget templates that budget one of {@code associationArns}
     * (read only when a table is to be recreated: they block its association's deletion).
     */
    private Map<String, List<BudgetTemplate>> budgetTemplates(String mid, Set<String> associationArns) {
        Map<String, List<BudgetTemplate>> out = new HashMap<>();
        try {
            for (ListPrivacyBudgetTemplatesResponse page : cleanRooms.listPrivacyBudgetTemplatesPaginator(
                    b -> b.membershipIdentifier(mid).maxResults(100))) {
                for (PrivacyBudgetTemplateSummary s : page.privacyBudgetTemplateSummaries()) {
                    if (s.privacyBudgetType() != PrivacyBudgetType.ACCESS_BUDGET) {
                        continue; // a differential privacy template is the collaboration's, not one association's
                    }
                    PrivacyBudgetTemplate t = cleanRooms.getPrivacyBudgetTemplate(b -> b.membershipIdentifier(mid)
                            .privacyBudgetTemplateIdentifier(s.id())).privacyBudgetTemplate();
                    var budget = t.parameters().accessBudget();
                    if (budget != null && associationArns.contains(budget.resourceArn())) {
                        out.computeIfAbsent(budget.resourceArn(), k -> new ArrayList<>()).add(new BudgetTemplate(t.id(),
                                t.privacyBudgetTypeAsString(), t.autoRefreshAsString(), t.parameters()));
                    }
                }
            }
        } catch (SdkException e) {
            throw AwsFaults.translate(e, "reading the privacy budget templates of membership " + mid);
        }
        return out;
    }

    private ConfiguredTable configuredTable(ConfiguredTableSummary s) {
        var ct = cleanRooms.getConfiguredTable(b -> b.configuredTableIdentifier(s.id())).configuredTable();
        AnalysisRuleCustom policy = null;
        if (ct.analysisRuleTypesAsStrings().contains("CUSTOM")) {
            policy = cleanRooms.getConfiguredTableAnalysisRule(b -> b.configuredTableIdentifier(s.id())
                    .analysisRuleType(ConfiguredTableAnalysisRuleType.CUSTOM)).analysisRule().policy().v1().custom();
        }
        return new ConfiguredTable(ct.id(), ct.name(), ct.allowedColumns(), ct.description(),
                ct.analysisMethodAsString(),
                ct.selectedAnalysisMethodsAsStrings(), policy);
    }

    /** A managed association as it is: its role and description (GetConfiguredTableAssociation) and its rule. */
    private Association association(String mid, ConfiguredTableAssociationSummary a) {
        var full = cleanRooms.getConfiguredTableAssociation(b -> b.membershipIdentifier(mid)
                .configuredTableAssociationIdentifier(a.id())).configuredTableAssociation();
        ConfiguredTableAssociationAnalysisRuleCustom policy = null;
        if (a.analysisRuleTypesAsStrings().contains("CUSTOM")) {
            policy = cleanRooms.getConfiguredTableAssociationAnalysisRule(b -> b.membershipIdentifier(mid)
                    .configuredTableAssociationIdentifier(a.id())
                            .analysisRuleType(ConfiguredTableAssociationAnalysisRuleType.CUSTOM))
                    .analysisRule().policy().v1().custom();
        }
        return new Association(a.id(), a.arn(), a.name(), a.configuredTableId(), full.roleArn(), full.description(),
                policy);
    }

    /** Members with an ability, but us: the defaults for providers (CAN_QUERY) and receivers. */
    private static List<String> members(CollaborationState s, String ability) {
        return s.members().stream().filter(m -> !m.accountId().equals(s.callerAccount())
                && m.abilities().contains(ability))
                .map(Member::accountId).sorted().toList();
    }

    /** Applies the actions in order; the first failure stops the rest and is reported with them. */
    private List<Action> apply(AssociateTablesRequest request, AssociationPlanner.Plan plan,
            CollaborationState actual) {
        PlanExecutor executor = new PlanExecutor(cleanRooms, request, plan.specs(), actual, settings.environment());
        List<Action> steps = plan.actions();
        // Tables being recreated: what their not-applied actions would write is spelled out on failure.
        Set<String> recreated = steps.stream().filter(a -> a.action().startsWith("DELETE_")).map(Action::table)
                .collect(Collectors.toSet());
        List<Action> done = new ArrayList<>();
        for (int i = 0; i < steps.size(); i++) {
            Action a = steps.get(i);
            try {
                executor.apply(a);
                done.add(a.withStatus("APPLIED"));
                LOG.info("applied", "action", a.action(), "table", a.table(), "name", a.name(), "detail", a.detail(),
                        "outcome", "APPLIED");
            } catch (SdkException e) {
                done.add(a.withStatus("FAILED"));
                List<Action> rest = steps.subList(i + 1, steps.size());
                LOG.error("action failed; stopping", "action", a.action(), "table", a.table(), "name", a.name(),
                        "error", e.getMessage(), "outcome", "FAILED", "notApplied", rest.size());
                String applied = done.stream().filter(d -> d.status().equals("APPLIED"))
                        .map(d -> d.action() + " " + d.name()).collect(Collectors.joining(", "));
                String notApplied = rest.stream().map(d -> d.action() + " " + d.name()
                        + (recreated.contains(d.table()) ? " (" + d.detail() + ")" : ""))
                                .collect(Collectors.joining(", "));
                String message = "associate-tables stopped at " + a.action() + " " + a.name() + " (table " + a.table()
                        + "): " + e.getMessage() + ". Applied " + (done.size() - 1) + " of " + steps.size()
                                + " actions ["
                        + applied + "]; not applied " + rest.size() + " [" + notApplied
                        + "]. A rerun plans from the current state and finishes the job";
                if (AwsFaults.isTransient(e)) {
                    throw new com.omc.flywheel.shared.errors.TransientAwsException(message, e);
                }
                throw new PartialFailureException(message, a.table() == null ? List.of(a.name()) : List.of(a.table()));
            }
        }
        return done;
    }

    static AnalysisMethod analysisMethod() {
        return AnalysisMethod.DIRECT_QUERY;
    }
}
