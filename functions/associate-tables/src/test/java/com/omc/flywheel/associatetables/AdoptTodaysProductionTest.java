package com.omc.flywheel.associatetables;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.omc.flywheel.associatetables.AssociateTablesResult.Action;
import com.omc.flywheel.associatetables.AssociateTablesResult.UnassociatedTable;
import com.omc.flywheel.local.fixtures.LakeBuilder;
import com.omc.flywheel.shared.AwsClients;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.cleanrooms.model.BudgetParameter;
import software.amazon.awssdk.services.cleanrooms.model.PrivacyBudgetTemplate;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The first run against what today's scripts built (docs/today.md, issue 15): what exists is adopted,
 * and only what the deployer asked for changes.
 */
class AdoptTodaysProductionTest extends CollaborationFixture {
    static final String NEW_ROLE = "arn:aws:iam::123456789012:role/omc-flywheel-prod-CleanRoomsDataAccessRole";

    private static List<String> kinds(AssociateTablesResult r) {
        return r.actions().stream().map(Action::action).toList();
    }

    private List<String> providers(String table) {
        String id = CLEAN_ROOMS.listConfiguredTablesPaginator(b -> b.maxResults(100)).configuredTableSummaries()
                .stream()
                .filter(s -> s.name().equals(table)).findFirst().orElseThrow().id();
        return CLEAN_ROOMS.getConfiguredTableAnalysisRule(b ->
                b.configuredTableIdentifier(id).analysisRuleType("CUSTOM"))
                .analysisRule().policy().v1().custom().allowedAnalysisProviders().stream().sorted().toList();
    }

    private List<String> receivers(String association) {
        return CLEAN_ROOMS.getConfiguredTableAssociationAnalysisRule(b -> b.membershipIdentifier(MEMBERSHIP)
                .configuredTableAssociationIdentifier(associationId(association)).analysisRuleType("CUSTOM"))
                .analysisRule().policy().v1().custom().allowedResultReceivers().stream().sorted().toList();
    }

    @Test
    void todaysStateIsAdoptedAsItIsAndTheHandFixIsReportedAsDrift() {
        todaysProduction(todaysAssociatedTables());
        int before = STAND_IN.mutations().size();

        AssociateTablesResult plan = service().reconcile(request("associate-tables-production.json",
                "\"compactResult\"",
                "\"dryRun\": true, \"compactResult\""));
        AssociateTablesResult r = service().reconcile(request("associate-tables-production.json"));

        for (AssociateTablesResult run : List.of(plan, r)) {
            assertEquals(List.of(), run.actions(), "providers, receivers, roles and names are today's: nothing to "
                    + "change");
            assertEquals(1, run.columnDrift().size());
            var drift = run.columnDrift().get(0);
            assertEquals("part_miacs_02_a", drift.table());
            assertEquals(List.of(HAND_FIXED_OUT), drift.added());
            assertEquals(List.of("id_bucket"), drift.removed());
            assertEquals("REPORTED", drift.action());
            assertEquals("FITS", run.quotaCheck().verdict());
            assertEquals(25, run.quotaCheck().associationsBefore());
            assertEquals(List.of(new UnassociatedTable("part_n_a", configuredTableId("part_n_a"), "EXCLUDED"),
                    new UnassociatedTable("part_n_a_a", configuredTableId("part_n_a_a"), "EXCLUDED")),
                    run.unassociatedConfiguredTables());
            assertEquals(List.of(), run.unmanagedAssociations());
        }
        assertEquals(before, STAND_IN.mutations().size(), "nothing changed");
        assertEquals(List.of(AMC_SERVICE, AMC_RESULTS), providers("part_ibe_01"),
                "the AMC query submitter stays a provider, although it is not a member that can query");
        assertEquals(25, readyAssociations());
    }

    @Test
    void providersAndReceiversChangeOnlyWhenConfiguredAndTheDefaultsOnlyApplyToWhatIsCreated() {
        todaysProduction(todaysAssociatedTables());
        table(new LakeBuilder(GLUE, AwsClients.build(S3Client.builder())), "part_zz_new", 5);
        STAND_IN.associationQuota(26);
        AssociateTablesService roomFor26 = new AssociateTablesService(GLUE, CLEAN_ROOMS,
                new AssociateTablesService.Settings(26, List.of(), "dev"));

        AssociateTablesResult added = roomFor26.reconcile(request("associate-tables-production.json",
                "\"compactResult\"",
                "\"maxAssociations\": 26, \"compactResult\""));

        assertEquals(List.of("CREATE_CONFIGURED_TABLE", "CREATE_TABLE_RULE", "CREATE_ASSOCIATION",
                "CREATE_ASSOCIATION_RULE"),
                kinds(added));
        assertTrue(added.actions().stream().allMatch(a -> a.table().equals("part_zz_new")), added.actions().toString());
        assertEquals(List.of(AMC_SERVICE), providers("part_zz_new"), "a created rule: every member that can query");
        assertEquals(List.of(AMC_RESULTS, ADVERTISER), receivers("acx_part_zz_new"));
        assertEquals(List.of(AMC_SERVICE, AMC_RESULTS), providers("part_ibe_01"), "existing rules kept");

        AssociateTablesService configured = new AssociateTablesService(GLUE, CLEAN_ROOMS,
                new AssociateTablesService.Settings(26, List.of(AMC_SERVICE), "dev"));
        AssociateTablesResult narrowed = configured.reconcile(request("associate-tables-production.json",
                "\"compactResult\"", "\"maxAssociations\": 26, \"allowedResultReceivers\": [\"" + AMC_RESULTS
                        + "\"], \"compactResult\""));

        assertEquals(25, narrowed.actions().stream().filter(a -> a.action().equals("UPDATE_TABLE_RULE")).count(),
                "ALLOWED_ANALYSIS_PROVIDERS set by the deployer: every rule that differs follows it");
        assertEquals(26, narrowed.actions().stream().filter(a -> a.action().equals("UPDATE_ASSOCIATION_RULE")).count());
        assertEquals(List.of(AMC_SERVICE), providers("part_ibe_01"));
        assertEquals(List.of(AMC_RESULTS), receivers("acx_part_ibe_01"));
        assertEquals(26, readyAssociations());
    }

    @Test
    void anAssociationOnAnotherRoleIsUpdatedInPlaceAsItsOwnAction() {
        todaysProduction(todaysAssociatedTables());
        String id = associationId("acx_part_ibe_01");

        AssociateTablesResult r = service().reconcile(request("associate-tables-production.json",
                TODAYS_ROLE, NEW_ROLE));

        assertEquals(25, r.actions().size());
        assertTrue(r.actions().stream().allMatch(a -> a.action().equals("UPDATE_ASSOCIATION_ROLE")
                && a.detail().equals("role " + TODAYS_ROLE + " -> " + NEW_ROLE + " (updated in place)")),
                        r.actions().toString());
        assertEquals(id, associationId("acx_part_ibe_01"), "the same association: nothing deleted");
        assertEquals(NEW_ROLE, CLEAN_ROOMS.getConfiguredTableAssociation(b -> b.membershipIdentifier(MEMBERSHIP)
                .configuredTableAssociationIdentifier(id)).configuredTableAssociation().roleArn());
        assertTrue(STAND_IN.mutations().stream().noneMatch(m -> m.startsWith("Delete")));
        assertEquals(25, readyAssociations());
        assertEquals(List.of(), service().reconcile(request("associate-tables-production.json", TODAYS_ROLE, NEW_ROLE))
                .actions());
    }

    @Test
    void aDriftedTableIsRecreatedOnRequestWithItsRulesNameAndPrivacyBudget() {
        todaysProduction(todaysAssociatedTables());
        String oldAssociation = associationId("acx_part_miacs_02_a");
        String oldArn = CLEAN_ROOMS.getConfiguredTableAssociation(b -> b.membershipIdentifier(MEMBERSHIP)
                .configuredTableAssociationIdentifier(oldAssociation)).configuredTableAssociation().arn();
        BudgetParameter monthly = BudgetParameter.builder().type("CALENDAR_MONTH").budget(1000).autoRefresh("ENABLED")
                .build();
        String oldTemplate = CLEAN_ROOMS.createPrivacyBudgetTemplate(b -> b.membershipIdentifier(MEMBERSHIP)
                .privacyBudgetType("ACCESS_BUDGET").autoRefresh("NONE").parameters(p -> p.accessBudget(a -> a
                        .resourceArn(oldArn).budgetParameters(monthly)))).privacyBudgetTemplate().id();

        AssociateTablesResult r = service().reconcile(request("associate-tables-recreate-drifted.json"));

        assertEquals(List.of("DELETE_PRIVACY_BUDGET_TEMPLATE", "DELETE_ASSOCIATION_RULE", "DELETE_ASSOCIATION",
                "DELETE_TABLE_RULE", "DELETE_CONFIGURED_TABLE", "CREATE_CONFIGURED_TABLE", "CREATE_TABLE_RULE",
                "CREATE_ASSOCIATION", "CREATE_ASSOCIATION_RULE", "CREATE_PRIVACY_BUDGET_TEMPLATE"), kinds(r));
        assertEquals(oldTemplate, r.actions().get(0).name());
        assertTrue(r.actions().get(0).detail().contains("CALENDAR_MONTH 1000"), r.actions().get(0).detail());
        assertEquals("RECREATE", r.columnDrift().get(0).action());
        List<String> columns = CLEAN_ROOMS.getConfiguredTable(b -> b.configuredTableIdentifier(
                configuredTableId("part_miacs_02_a"))).configuredTable().allowedColumns();
        assertEquals(100, columns.size());
        assertTrue(columns.contains(HAND_FIXED_OUT) && !columns.contains("id_bucket"), columns.toString());
        assertEquals(List.of(AMC_SERVICE, AMC_RESULTS), providers("part_miacs_02_a"), "the rule comes back as it was");
        assertEquals(List.of(AMC_RESULTS, ADVERTISER), receivers("acx_part_miacs_02_a"));
        String newAssociation = associationId("acx_part_miacs_02_a");
        assertFalse(newAssociation.equals(oldAssociation));
        List<PrivacyBudgetTemplate> templates = new ArrayList<>();
        CLEAN_ROOMS.listPrivacyBudgetTemplatesPaginator(b -> b.membershipIdentifier(MEMBERSHIP))
                .privacyBudgetTemplateSummaries().forEach(s -> templates.add(CLEAN_ROOMS.getPrivacyBudgetTemplate(b -> b
                        .membershipIdentifier(MEMBERSHIP).privacyBudgetTemplateIdentifier(s.id()))
                                .privacyBudgetTemplate()));
        assertEquals(1, templates.size());
        assertTrue(templates.get(0).parameters().accessBudget().resourceArn().endsWith("/configuredtableassociation/"
                + newAssociation), templates.get(0).toString());
        assertEquals(List.of(monthly), templates.get(0).parameters().accessBudget().budgetParameters());
        assertEquals(25, readyAssociations());
        assertEquals(List.of(), service().reconcile(request("associate-tables-recreate-drifted.json")).actions(),
                "recreated: no drift left");
    }

    @Test
    void anUnmanagedAssociationHoldingASlotNeitherFailsTheDryRunNorStopsWhatFits() {
        List<String> associated = new ArrayList<>(todaysAssociatedTables());
        associated.remove("part_new_borrowers");
        associated.add("part_n_a");
        todaysProduction(associated);
        String ibe01 = associationId("acx_part_ibe_01");
        CLEAN_ROOMS.deleteConfiguredTableAssociationAnalysisRule(b -> b.membershipIdentifier(MEMBERSHIP)
                .configuredTableAssociationIdentifier(ibe01).analysisRuleType("CUSTOM"));
        int before = STAND_IN.mutations().size();

        AssociateTablesResult plan = service().reconcile(request("associate-tables-production.json",
                "\"compactResult\": true",
                "\"dryRun\": true"));

        assertEquals("OVER_QUOTA", plan.quotaCheck().verdict());
        assertEquals(List.of("part_new_borrowers"), plan.quotaCheck().leftOut());
        assertEquals(List.of("part_new_borrowers"), plan.summary().skippedForQuota());
        assertEquals(25, plan.quotaCheck().heldBy().size());
        assertTrue(plan.quotaCheck().heldBy().contains("acx_part_n_a"), plan.quotaCheck().heldBy().toString());
        assertEquals(List.of("acx_part_n_a"), plan.unmanagedAssociations());
        assertEquals(List.of("CREATE_ASSOCIATION_RULE acx_part_ibe_01"), plan.actions().stream()
                .map(a -> a.action() + " " + a.name()).toList());
        assertEquals(before, STAND_IN.mutations().size());

        AssociateTablesResult r = service().reconcile(request("associate-tables-production.json"));

        assertEquals(List.of("CREATE_ASSOCIATION_RULE"), kinds(r));
        assertEquals("APPLIED", r.actions().get(0).status());
        assertEquals(List.of(), r.summary().skippedForQuota(),
                "compactResult: the names are in quotaCheck and the log");
        assertEquals(1, r.summary().skippedForQuotaCount());
        assertEquals(List.of("part_new_borrowers"), r.quotaCheck().leftOut());
        assertEquals(List.of(new UnassociatedTable("part_n_a_a", configuredTableId("part_n_a_a"), "EXCLUDED"),
                new UnassociatedTable("part_new_borrowers", configuredTableId("part_new_borrowers"),
                        "SKIPPED_FOR_QUOTA")),
                r.unassociatedConfiguredTables());
        assertEquals(25, readyAssociations());
        assertEquals(Set.of("CreateConfiguredTableAssociationAnalysisRule " + ibe01),
                Set.copyOf(STAND_IN.mutations().subList(before, STAND_IN.mutations().size())));
    }

    private static String configuredTableId(String name) {
        return CLEAN_ROOMS.listConfiguredTablesPaginator(b -> b.maxResults(100)).configuredTableSummaries().stream()
                .filter(s -> s.name().equals(name)).findFirst().orElseThrow().id();
    }
}
