package com.omc.flywheel.associatetables;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.omc.flywheel.associatetables.AssociateTablesResult.Action;
import com.omc.flywheel.local.fixtures.LakeBuilder;
import com.omc.flywheel.shared.AwsClients;
import com.omc.flywheel.shared.errors.PartialFailureException;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.cleanrooms.model.ConfiguredTableAnalysisRuleType;
import software.amazon.awssdk.services.glue.model.Column;
import software.amazon.awssdk.services.glue.model.Table;
import software.amazon.awssdk.services.s3.S3Client;

/** associate-tables against moto and the Clean Rooms stand-in, on the production table set. */
class AssociateTablesTest extends CollaborationFixture {

    private static List<Action> of(AssociateTablesResult r, String action) {
        return r.actions().stream().filter(a -> a.action().equals(action)).toList();
    }

    @Test
    void theProductionTablesReach25ReadyAssociationsAndASecondRunPlansNothing() {
        AssociateTablesResult first = service().reconcile(request("associate-tables.json"));

        assertTrue(first.applied());
        assertEquals(List.of(), first.summary().skippedForQuota());
        assertEquals(25, of(first, "CREATE_ASSOCIATION").size());
        assertEquals(25, of(first, "CREATE_ASSOCIATION_RULE").size());
        assertEquals(1, of(first, "CREATE_ID_NAMESPACE_ASSOCIATION").size());
        assertTrue(first.actions().stream().allMatch(a -> a.status().equals("APPLIED")));
        assertEquals(25, readyAssociations());
        assertEquals("FITS", first.quotaCheck().verdict());
        assertEquals(List.of(), first.columnDrift());
        assertEquals(List.of(), first.unassociatedConfiguredTables());
        Set<String> names = CLEAN_ROOMS.listConfiguredTableAssociationsPaginator(b ->
                b.membershipIdentifier(MEMBERSHIP))
                .configuredTableAssociationSummaries().stream().map(s -> s.name()).collect(Collectors.toSet());
        assertTrue(names.contains("acx_part_ibe_01") && names.contains("acx_part_new_borrowers"), names.toString());
        assertFalse(names.contains("acx_part_addressable_ids") || names.contains("acx_part_addressable_ids_er")
                || names.contains("acx_part_n_a"), names.toString());
        var ct = CLEAN_ROOMS.listConfiguredTablesPaginator(b -> b.maxResults(100)).configuredTableSummaries().stream()
                .filter(s -> s.name().equals("part_miacs_02_a")).findFirst().orElseThrow();
        List<String> columns = CLEAN_ROOMS.getConfiguredTable(b -> b.configuredTableIdentifier(ct.id()))
                .configuredTable()
                .allowedColumns();
        assertEquals(100, columns.size(), "100 data columns, all allowed");
        assertFalse(columns.contains("id_bucket"), "never the partition key");
        var receivers = CLEAN_ROOMS.getSchemaAnalysisRule(b -> b.collaborationIdentifier(collaborationId)
                .name("acx_part_ibe_01").type("CUSTOM")).analysisRule().consolidatedPolicy().v1().custom();
        assertEquals(Set.of(AMC_RESULTS, ADVERTISER), Set.copyOf(receivers.allowedResultReceivers()),
                "default receivers: members that can receive results, never the caller");
        assertEquals(List.of(AMC_SERVICE), receivers.allowedAnalysisProviders());

        int changes = STAND_IN.mutations().size();
        AssociateTablesResult second = service().reconcile(request("associate-tables.json"));
        assertEquals(List.of(), second.actions(), "nothing changed, nothing planned");
        assertEquals(changes, STAND_IN.mutations().size());
    }

    @Test
    void twoMoreTablesAreTheTwoLastInNameOrderAndLandInSkippedForQuota() {
        LakeBuilder lake = new LakeBuilder(GLUE, AwsClients.build(S3Client.builder()));
        table(lake, "part_zz_extra_1", 5);
        table(lake, "part_zz_extra_2", 5);

        AssociateTablesResult r = service().reconcile(request("associate-tables.json"));

        assertEquals(List.of("part_zz_extra_1", "part_zz_extra_2"), r.summary().skippedForQuota());
        assertEquals(2, r.summary().skippedForQuotaCount());
        assertEquals(25, readyAssociations());

        AssociateTablesResult compact = service().reconcile(
                request("associate-tables.json", "\"membershipId\"", "\"compactResult\": true, \"membershipId\""));
        assertEquals(List.of(), compact.summary().skippedForQuota(), "the names stay in the log, not in the answer");
        assertEquals(2, compact.summary().skippedForQuotaCount());
    }

    @Test
    void aProviderChangeUpdatesExactlyTheRulesThatDrifted() {
        service().reconcile(request("associate-tables.json"));
        String ibe01 = configuredTableId("part_ibe_01");
        CLEAN_ROOMS.updateConfiguredTableAnalysisRule(b -> b.configuredTableIdentifier(ibe01)
                .analysisRuleType(ConfiguredTableAnalysisRuleType.CUSTOM)
                .analysisRulePolicy(p -> p.v1(v -> v.custom(c ->
                        c.allowedAnalyses("ANY_QUERY").allowedAnalysisProviders(ADVERTISER)))));

        AssociateTablesResult drifted = service().reconcile(request("associate-tables.json"));
        assertEquals(List.of("UPDATE_TABLE_RULE part_ibe_01"), drifted.actions().stream()
                .map(a -> a.action() + " " + a.table()).toList());

        AssociateTablesResult changed = service().reconcile(request("associate-tables.json",
                "\"allowedAnalysisProviders\": [\"111111111111\"]",
                        "\"allowedAnalysisProviders\": [\"111111111111\", \"333333333333\"]"));
        assertEquals(25, changed.actions().size());
        assertTrue(changed.actions().stream().allMatch(a -> a.action().equals("UPDATE_TABLE_RULE")));
        assertEquals(25, readyAssociations());
    }

    @Test
    void aTableWhoseColumnsChangedIsReportedAndRecreatedOnlyWhenTheEventNamesIt() {
        service().reconcile(request("associate-tables.json"));
        Table t = GLUE.getTable(b -> b.databaseName(DB).name("part_ibe_08")).table();
        List<Column> cols = new java.util.ArrayList<>(t.storageDescriptor().columns());
        cols.add(Column.builder().name("ibe_08_new_attribute").type("string").build());
        GLUE.updateTable(b -> b.databaseName(DB).tableInput(i -> i.name("part_ibe_08").partitionKeys(t.partitionKeys())
                .storageDescriptor(t.storageDescriptor().toBuilder().columns(cols).build())));
        int before = STAND_IN.mutations().size();

        AssociateTablesResult reported = service().reconcile(request("associate-tables.json"));

        assertEquals(List.of(), reported.actions(), "drift alone never deletes or recreates");
        assertEquals(before, STAND_IN.mutations().size());
        assertEquals(List.of(new AssociateTablesResult.ColumnDrift("part_ibe_08", configuredTableId("part_ibe_08"),
                List.of("ibe_08_new_attribute"), 1, List.of(), 0, "REPORTED")), reported.columnDrift());
        assertEquals(1, reported.summary().columnDriftTables());

        AssociateTablesResult r = service().reconcile(request("associate-tables.json", "\"membershipId\"",
                "\"recreateDriftedTables\": [\"part_ibe_08\"], \"membershipId\""));

        assertEquals(List.of("DELETE_ASSOCIATION_RULE", "DELETE_ASSOCIATION", "DELETE_TABLE_RULE",
                "DELETE_CONFIGURED_TABLE",
                "CREATE_CONFIGURED_TABLE", "CREATE_TABLE_RULE", "CREATE_ASSOCIATION", "CREATE_ASSOCIATION_RULE"),
                r.actions().stream().map(Action::action).toList());
        assertTrue(r.actions().stream().allMatch(a -> "part_ibe_08".equals(a.table())));
        assertEquals("RECREATE", r.columnDrift().get(0).action());
        assertEquals(25, readyAssociations());
        assertTrue(CLEAN_ROOMS.getConfiguredTable(b -> b.configuredTableIdentifier(configuredTableId("part_ibe_08")))
                .configuredTable().allowedColumns().contains("ibe_08_new_attribute"));
        assertEquals(List.of(), service().reconcile(request("associate-tables.json")).columnDrift());
    }

    @Test
    void aDryRunPlansEverythingAndChangesNothing() {
        AssociateTablesResult r = service().reconcile(request("associate-tables-dry-run.json"));

        assertFalse(r.applied());
        assertEquals(100, r.actions().size(), "25 tables x (table, rule, association, rule)");
        assertTrue(r.actions().stream().allMatch(a -> a.status().equals("PLANNED")));
        assertEquals(List.of(), STAND_IN.mutations());
        assertEquals(0, readyAssociations());
    }

    @Test
    void overTheQuotaADryRunGivesTheVerdictAndTheApplyDoesWhatFits() {
        for (String t : List.of("part_n_a", "part_n_a_a")) {
            String id = CLEAN_ROOMS.createConfiguredTable(b -> b.name(t).analysisMethod("DIRECT_QUERY")
                    .allowedColumns("customer_user_id").tableReference(r ->
                            r.glue(g -> g.databaseName(DB).tableName(t))))
                    .configuredTable().id();
            CLEAN_ROOMS.createConfiguredTableAssociation(b -> b.membershipIdentifier(MEMBERSHIP).name("legacy_" + t)
                    .configuredTableIdentifier(id).roleArn("arn:aws:iam::123456789012:role/legacy"));
        }
        int before = STAND_IN.mutations().size();

        AssociateTablesResult plan = service().reconcile(request("associate-tables-dry-run.json"));

        assertEquals("OVER_QUOTA", plan.quotaCheck().verdict());
        assertEquals(List.of("part_miacs_04", "part_new_borrowers"), plan.quotaCheck().leftOut(),
                "the last two in name order that need a new association");
        assertEquals(plan.quotaCheck().leftOut(), plan.summary().skippedForQuota());
        assertTrue(plan.quotaCheck().heldBy().containsAll(List.of("legacy_part_n_a", "legacy_part_n_a_a",
                "acx_part_ibe_01"))
                && plan.quotaCheck().heldBy().size() == 25, plan.quotaCheck().heldBy().toString());
        assertTrue(plan.quotaCheck().message().contains("legacy_part_n_a"), plan.quotaCheck().message());
        assertEquals(before, STAND_IN.mutations().size(), "a dry run changes nothing");

        AssociateTablesResult applied = service().reconcile(request("associate-tables.json"));

        assertTrue(applied.applied());
        assertEquals(23, of(applied, "CREATE_ASSOCIATION").size());
        assertEquals(List.of("part_miacs_04", "part_new_borrowers"), applied.summary().skippedForQuota());
        assertEquals(2, applied.summary().skippedForQuotaCount());
        assertEquals(25, applied.summary().associations());
        assertEquals(23, readyAssociations());
        assertTrue(STAND_IN.mutations().stream().noneMatch(m -> m.contains("part_miacs_04")
                || m.contains("part_new_borrowers")),
                "nothing is created for a table that cannot be associated");
        assertEquals(List.of(), applied.unassociatedConfiguredTables(), "the legacy tables hold their associations");
    }

    @Test
    void aFailurePartWayReportsWhatWasAppliedAndARerunFinishes() {
        STAND_IN.failCall("CreateConfiguredTableAssociation", 5, 403, "AccessDeniedException");

        PartialFailureException e = assertThrows(PartialFailureException.class,
                () -> service().reconcile(request("associate-tables.json")));

        assertTrue(e.getMessage().contains("stopped at CREATE_ASSOCIATION acx_part_ibe_03")
                && e.getMessage().contains("Applied 18 of 101 actions") && e.getMessage().contains("not applied 82"),
                e.getMessage());
        assertEquals(4, readyAssociations());

        AssociateTablesResult rerun = service().reconcile(request("associate-tables.json"));
        assertEquals(101 - 18, rerun.actions().size(), "exactly what was not applied");
        assertEquals(25, readyAssociations());
    }

    @Test
    void aTableOverTheColumnLimitIsAClearErrorAndTheOthersAreDone() {
        LakeBuilder lake = new LakeBuilder(GLUE, AwsClients.build(S3Client.builder()));
        GLUE.deleteTable(b -> b.databaseName(DB).name("part_ibe_01"));
        table(lake, "part_ibe_01", 101);

        PartialFailureException e = assertThrows(PartialFailureException.class,
                () -> service().reconcile(request("associate-tables.json")));

        assertEquals(List.of("part_ibe_01"), e.failed());
        assertTrue(e.getMessage().contains("101 data columns") && e.getMessage().contains("at most 100"),
                e.getMessage());
        assertEquals(24, readyAssociations());
    }

    private String configuredTableId(String name) {
        return CLEAN_ROOMS.listConfiguredTablesPaginator(b -> b.maxResults(100)).configuredTableSummaries().stream()
                .filter(s -> s.name().equals(name)).findFirst().orElseThrow().id();
    }
}
