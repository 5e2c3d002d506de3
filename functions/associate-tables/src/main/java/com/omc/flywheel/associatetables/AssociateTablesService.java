package com.omc.flywheel.associatetables;

import com.omc.flywheel.associatetables.AssociateTablesResult.Action;
import com.omc.flywheel.associatetables.AssociationPlanner.DesiredTable;
import com.omc.flywheel.associatetables.CollaborationState.Association;
import com.omc.flywheel.associatetables.CollaborationState.ConfiguredTable;
import com.omc.flywheel.associatetables.CollaborationState.Member;
import com.omc.flywheel.shared.JsonLog;
import com.omc.flywheel.shared.Priming;
import com.omc.flywheel.shared.errors.AwsFaults;
import com.omc.flywheel.shared.errors.InvalidInputException;
import com.omc.flywheel.shared.errors.PartialFailureException;
import com.omc.flywheel.shared.errors.ResourceNotFoundException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.cleanrooms.CleanRoomsClient;
import software.amazon.awssdk.services.cleanrooms.model.AnalysisMethod;
import software.amazon.awssdk.services.cleanrooms.model.ConfiguredTableAnalysisRuleType;
import software.amazon.awssdk.services.cleanrooms.model.ConfiguredTableAssociationAnalysisRuleType;
import software.amazon.awssdk.services.cleanrooms.model.ConfiguredTableAssociationSummary;
import software.amazon.awssdk.services.cleanrooms.model.ConfiguredTableSummary;
import software.amazon.awssdk.services.cleanrooms.model.IdNamespaceAssociationSummary;
import software.amazon.awssdk.services.cleanrooms.model.ListConfiguredTableAssociationsResponse;
import software.amazon.awssdk.services.cleanrooms.model.ListConfiguredTablesResponse;
import software.amazon.awssdk.services.cleanrooms.model.ListIdNamespaceAssociationsResponse;
import software.amazon.awssdk.services.cleanrooms.model.ListMembersResponse;
import software.amazon.awssdk.services.cleanrooms.model.MemberSummary;
import software.amazon.awssdk.services.glue.GlueClient;
import software.amazon.awssdk.services.glue.model.Column;
import software.amazon.awssdk.services.glue.model.EntityNotFoundException;
import software.amazon.awssdk.services.glue.model.GetTablesResponse;
import software.amazon.awssdk.services.glue.model.Table;

/**
 * Reconciles the Clean Rooms collaboration with the Glue catalog (CONTRACTS.md associate-tables):
 * reads the desired state (the prefixed tables, capped at {@code maxAssociations}) and the actual
 * one (every list paginated), plans the difference ({@link AssociationPlanner}), checks the plan fits
 * the membership's association quota before touching anything, then applies it in order, stopping at
 * the first failure with a report of what was and was not applied. A rerun completes the job; a
 * second run with nothing changed plans nothing.
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
        List<Table> candidates = candidateTables(request);
        List<Table> kept = candidates.subList(0, Math.min(candidates.size(), request.maxAssociations()));
        List<String> skipped = candidates.subList(kept.size(), candidates.size()).stream().map(Table::name).toList();
        if (!skipped.isEmpty()) {
            LOG.warn("tables over maxAssociations are not associated", "database", request.database(),
                    "maxAssociations", request.maxAssociations(), "skippedForQuota", skipped);
        }
        Map<String, String> tableErrors = new TreeMap<>();
        List<DesiredTable> desired = new ArrayList<>();
        for (Table t : kept) {
            String name = t.name();
            List<String> columns = t.storageDescriptor().columns().stream().map(Column::name).toList();
            if (columns.size() > MAX_ALLOWED_COLUMNS) {
                tableErrors.put(name, "has " + columns.size() + " data columns; a Clean Rooms configured table allows at most "
                        + MAX_ALLOWED_COLUMNS + ". Split the table or drop columns; nothing was truncated");
            } else {
                desired.add(new DesiredTable(name, columns));
            }
        }
        CollaborationState actual = read(request, desired);
        List<String> providers = request.allowedAnalysisProviders() != null ? request.allowedAnalysisProviders()
                : !settings.defaultProviders().isEmpty() ? settings.defaultProviders()
                : members(actual, "CAN_QUERY");
        List<String> receivers = request.allowedResultReceivers() != null ? request.allowedResultReceivers()
                : members(actual, "CAN_RECEIVE_RESULTS");
        AssociationPlanner.Plan plan = AssociationPlanner.plan(desired, actual, providers, receivers, request.idNamespaceArn());
        if (plan.associationsAfter() > settings.associationQuota()) {
            throw new InvalidInputException("maxAssociations", "the plan needs " + plan.associationsAfter()
                    + " associations in membership " + request.membershipId() + " but its quota is "
                    + settings.associationQuota() + ": " + desired.size() + " tables to associate, "
                    + plan.unmanaged().size() + " other associations " + plan.unmanaged()
                    + ". Nothing was changed. Lower maxAssociations to "
                    + Math.max(0, desired.size() - (plan.associationsAfter() - settings.associationQuota()))
                    + ", remove associations that are not needed, or raise the quota (ASSOCIATION_QUOTA)");
        }
        List<Action> actions = request.dryRun() ? plan.actions().stream().map(a -> a.withStatus("PLANNED")).toList()
                : apply(request, plan.actions(), desired, actual, providers, receivers);
        Map<String, Integer> counts = new TreeMap<>();
        actions.forEach(a -> counts.merge(a.action(), 1, Integer::sum));
        java.util.Set<String> touched = actions.stream().map(Action::table).collect(Collectors.toSet());
        int ready = request.dryRun() ? (int) desired.stream().filter(d -> !touched.contains(d.name())).count() : desired.size();
        AssociateTablesResult result = new AssociateTablesResult(actions, !request.dryRun(), plan.unmanaged(),
                new AssociateTablesResult.Summary(counts, request.compactResult() ? List.of() : List.copyOf(skipped),
                        skipped.size(), desired.size(), ready,
                        plan.associationsAfter(), settings.associationQuota()));
        if (!request.dryRun()) {
            // One line per kind of action applied (CREATE_ASSOCIATION, UPDATE_ASSOCIATION_RULE, ...).
            counts.forEach((kind, n) -> LOG.metrics("Clean Rooms actions", java.util.Map.of("CleanRoomsActions", n),
                    "Action", kind));
        }
        LOG.info(request.dryRun() ? "plan ready (dry run)" : "collaboration reconciled", "membership", request.membershipId(),
                "actions", counts, "skippedForQuota", skipped, "unmanaged", plan.unmanaged(), "outcome",
                tableErrors.isEmpty() ? "SUCCEEDED" : "PARTIAL");
        if (!tableErrors.isEmpty()) {
            throw new PartialFailureException("associate-tables " + (request.dryRun() ? "planned " : "applied ")
                    + actions.size() + " actions " + counts + " but could not manage " + tableErrors.size() + " table(s): "
                    + tableErrors.entrySet().stream().map(e -> e.getKey() + " " + e.getValue())
                    .collect(Collectors.joining("; ")), List.copyOf(tableErrors.keySet()));
        }
        return result;
    }

    /** Prefixed tables, minus exclusions, the addressable ids table and Entity Resolution tables, sorted. */
    private List<Table> candidateTables(AssociateTablesRequest request) {
        List<Table> names = new ArrayList<>();
        try {
            for (GetTablesResponse page : glue.getTablesPaginator(b -> b.databaseName(request.database()))) {
                for (Table t : page.tableList()) {
                    String n = t.name();
                    if (n.startsWith(request.tablePrefix()) && !request.exclude().contains(n)
                            && !n.equals("part_addressable_ids") && !n.endsWith("_er")) {
                        names.add(t);
                    }
                }
            }
        } catch (EntityNotFoundException e) {
            throw new ResourceNotFoundException("Glue database " + request.database() + " does not exist", e);
        } catch (SdkException e) {
            throw AwsFaults.translate(e, "Glue GetTables for database " + request.database());
        }
        names.sort(java.util.Comparator.comparing(Table::name));
        return names;
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
            for (ListConfiguredTablesResponse page : cleanRooms.listConfiguredTablesPaginator(b -> b.maxResults(100))) {
                for (ConfiguredTableSummary s : page.configuredTableSummaries()) {
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
                            : new Association(a.id(), a.name(), a.configuredTableId(), null, List.of()));
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
            return new CollaborationState(collab, caller, members, tables, associations, namespaces);
        } catch (software.amazon.awssdk.services.cleanrooms.model.ResourceNotFoundException e) {
            throw new ResourceNotFoundException("Clean Rooms membership " + mid + " (or its collaboration) does not exist "
                    + "or is not visible to this account: " + e.awsErrorDetails().errorMessage(), e);
        } catch (SdkException e) {
            throw AwsFaults.translate(e, "reading Clean Rooms membership " + mid);
        }
    }

    private ConfiguredTable configuredTable(ConfiguredTableSummary s) {
        var ct = cleanRooms.getConfiguredTable(b -> b.configuredTableIdentifier(s.id())).configuredTable();
        List<String> analyses = null;
        List<String> providers = null;
        if (ct.analysisRuleTypesAsStrings().contains("CUSTOM")) {
            var custom = cleanRooms.getConfiguredTableAnalysisRule(b -> b.configuredTableIdentifier(s.id())
                    .analysisRuleType(ConfiguredTableAnalysisRuleType.CUSTOM)).analysisRule().policy().v1().custom();
            analyses = custom.allowedAnalyses();
            providers = custom.allowedAnalysisProviders();
        }
        return new ConfiguredTable(ct.id(), ct.name(), ct.allowedColumns(), analyses, providers);
    }

    private Association association(String mid, ConfiguredTableAssociationSummary a) {
        if (!a.analysisRuleTypesAsStrings().contains("CUSTOM")) {
            return new Association(a.id(), a.name(), a.configuredTableId(), null, List.of());
        }
        var custom = cleanRooms.getConfiguredTableAssociationAnalysisRule(b -> b.membershipIdentifier(mid)
                .configuredTableAssociationIdentifier(a.id()).analysisRuleType(ConfiguredTableAssociationAnalysisRuleType.CUSTOM))
                .analysisRule().policy().v1().custom();
        return new Association(a.id(), a.name(), a.configuredTableId(), custom.allowedResultReceivers(),
                custom.allowedAdditionalAnalyses());
    }

    /** Members with an ability, but us: the defaults for providers (CAN_QUERY) and receivers. */
    private static List<String> members(CollaborationState s, String ability) {
        return s.members().stream().filter(m -> !m.accountId().equals(s.callerAccount()) && m.abilities().contains(ability))
                .map(Member::accountId).sorted().toList();
    }

    /** Applies the actions in order; the first failure stops the rest and is reported with them. */
    private List<Action> apply(AssociateTablesRequest request, List<Action> plan, List<DesiredTable> desired,
                               CollaborationState actual, List<String> providers, List<String> receivers) {
        PlanExecutor executor = new PlanExecutor(cleanRooms, request, desired, actual, providers, receivers,
                settings.environment());
        List<Action> done = new ArrayList<>();
        for (int i = 0; i < plan.size(); i++) {
            Action a = plan.get(i);
            try {
                executor.apply(a);
                done.add(a.withStatus("APPLIED"));
                LOG.info("applied", "action", a.action(), "table", a.table(), "name", a.name(), "outcome", "APPLIED");
            } catch (SdkException e) {
                done.add(a.withStatus("FAILED"));
                List<Action> rest = plan.subList(i + 1, plan.size());
                LOG.error("action failed; stopping", "action", a.action(), "table", a.table(), "name", a.name(),
                        "error", e.getMessage(), "outcome", "FAILED", "notApplied", rest.size());
                String applied = done.stream().filter(d -> d.status().equals("APPLIED"))
                        .map(d -> d.action() + " " + d.name()).collect(Collectors.joining(", "));
                String notApplied = rest.stream().map(d -> d.action() + " " + d.name()).collect(Collectors.joining(", "));
                String message = "associate-tables stopped at " + a.action() + " " + a.name() + " (table " + a.table()
                        + "): " + e.getMessage() + ". Applied " + (done.size() - 1) + " of " + plan.size() + " actions ["
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
