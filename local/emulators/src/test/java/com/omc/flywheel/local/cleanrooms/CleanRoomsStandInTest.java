package com.omc.flywheel.local.cleanrooms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.omc.flywheel.local.fixtures.LakeBuilder;
import com.omc.flywheel.local.moto.MotoServer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cleanrooms.CleanRoomsClient;
import software.amazon.awssdk.services.cleanrooms.model.AccessBudgetType;
import software.amazon.awssdk.services.cleanrooms.model.AccessDeniedException;
import software.amazon.awssdk.services.cleanrooms.model.AnalysisMethod;
import software.amazon.awssdk.services.cleanrooms.model.AutoRefreshMode;
import software.amazon.awssdk.services.cleanrooms.model.BudgetParameter;
import software.amazon.awssdk.services.cleanrooms.model.ConfiguredTableAnalysisRuleType;
import software.amazon.awssdk.services.cleanrooms.model.ConfiguredTableAssociationAnalysisRuleType;
import software.amazon.awssdk.services.cleanrooms.model.ConflictException;
import software.amazon.awssdk.services.cleanrooms.model.ConflictExceptionReason;
import software.amazon.awssdk.services.cleanrooms.model.PrivacyBudgetTemplateAutoRefresh;
import software.amazon.awssdk.services.cleanrooms.model.PrivacyBudgetType;
import software.amazon.awssdk.services.cleanrooms.model.ResourceNotFoundException;
import software.amazon.awssdk.services.cleanrooms.model.ServiceQuotaExceededException;
import software.amazon.awssdk.services.cleanrooms.model.ValidationException;
import software.amazon.awssdk.services.glue.GlueClient;
import software.amazon.awssdk.services.s3.S3Client;

/** The stand-in through the real SDK clients: routing, validation, state, errors, paging, faults. */
class CleanRoomsStandInTest {
    static final String SERVICE = "111111111111";
    static final String RESULTS = "222222222222";
    static MotoServer moto;
    static CleanRoomsStandIn standIn;
    static CleanRoomsClient cr;
    static GlueClient glue;
    String membership;

    @BeforeAll
    static void start() {
        moto = MotoServer.shared();
        glue = GlueClient.builder().region(Region.US_EAST_1).build();
        standIn = CleanRoomsStandIn.start(glue);
        // PATCH (the Update* operations) needs the JDK client, as in the functions.
        cr = com.omc.flywheel.shared.AwsClients.buildWithPatch(CleanRoomsClient.builder()
                .endpointOverride(standIn.endpointUri()));
    }

    @AfterAll
    static void stop() {
        standIn.close();
    }

    @BeforeEach
    void seed() {
        moto.reset();
        standIn.reset();
        standIn.pageSize(2);
        LakeBuilder lake = new LakeBuilder(glue, S3Client.builder().region(Region.US_EAST_1).forcePathStyle(true)
                .build())
                .database("db").bucket("data");
        for (String t : List.of("part_a", "part_b", "part_c", "part_d", "part_e")) {
            lake.table(new LakeBuilder.Table("db", t, "s3://data/" + t + "/", 4, LakeBuilder.Registration.PARTITIONED,
                    List.of(0), List.of(), Map.of()));
        }
        membership = standIn.collaboration("AMC collaboration", List.of(
                new CleanRoomsStandIn.Member(SERVICE, "AMC Service", List.of("CAN_QUERY")),
                new CleanRoomsStandIn.Member(RESULTS, "AMC Results", List.of("CAN_RECEIVE_RESULTS"))),
                        "results-bucket");
    }

    private String table(String name) {
        return cr.createConfiguredTable(b -> b.name(name).analysisMethod(AnalysisMethod.DIRECT_QUERY)
                .allowedColumns(LakeBuilder.columns(name, 4).stream().map(c -> c.name()).toList())
                .tableReference(r -> r.glue(g -> g.databaseName("db").tableName(name)))).configuredTable().id();
    }

    @Test
    void aTableBecomesReadyWithBothRulesAndListsPageThroughEverything() {
        for (String t : List.of("part_a", "part_b", "part_c", "part_d", "part_e")) {
            table(t);
        }
        List<String> names = new ArrayList<>();
        cr.listConfiguredTablesPaginator(b -> b.maxResults(100)).configuredTableSummaries()
                .forEach(s -> names.add(s.name()));
        assertEquals(List.of("part_a", "part_b", "part_c", "part_d", "part_e"), names, "three pages of two");

        String ctId = cr.listConfiguredTables(b -> b.maxResults(1)).configuredTableSummaries().get(0).id();
        cr.createConfiguredTableAnalysisRule(b -> b.configuredTableIdentifier(ctId)
                .analysisRuleType(ConfiguredTableAnalysisRuleType.CUSTOM)
                .analysisRulePolicy(p -> p.v1(v -> v.custom(c ->
                        c.allowedAnalyses("ANY_QUERY").allowedAnalysisProviders(SERVICE)))));
        String assoc = cr.createConfiguredTableAssociation(b -> b.membershipIdentifier(membership).name("acx_part_a")
                .configuredTableIdentifier(ctId).roleArn("arn:aws:iam::123456789012:role/cleanrooms-glue-s3-access"))
                .configuredTableAssociation().id();
        String collab = cr.getMembership(b -> b.membershipIdentifier(membership)).membership().collaborationId();
        assertEquals("NOT_READY", cr.getSchema(b -> b.collaborationIdentifier(collab).name("acx_part_a")).schema()
                .schemaStatusDetails().get(0).statusAsString());

        cr.createConfiguredTableAssociationAnalysisRule(b -> b.membershipIdentifier(membership)
                .configuredTableAssociationIdentifier(assoc)
                        .analysisRuleType(ConfiguredTableAssociationAnalysisRuleType.CUSTOM)
                .analysisRulePolicy(p -> p.v1(v -> v.custom(c -> c.allowedResultReceivers(RESULTS)))));

        assertEquals("READY", cr.getSchema(b -> b.collaborationIdentifier(collab).name("acx_part_a")).schema()
                .schemaStatusDetails().get(0).statusAsString());
        var rule = cr.getSchemaAnalysisRule(b -> b.collaborationIdentifier(collab).name("acx_part_a").type("CUSTOM"))
                .analysisRule();
        assertEquals(List.of(RESULTS), rule.consolidatedPolicy().v1().custom().allowedResultReceivers());
        assertEquals(List.of(SERVICE), rule.consolidatedPolicy().v1().custom().allowedAnalysisProviders());
    }

    @Test
    void theRealServicesErrorsComeBackTyped() {
        String ctId = table("part_a");
        assertThrows(ConflictException.class, () -> table("part_a"));
        assertThrows(ResourceNotFoundException.class, () -> cr.getConfiguredTable(b -> b.configuredTableIdentifier(
                "00000000-0000-0000-0000-000000000000")));
        ValidationException v = assertThrows(ValidationException.class,
                () -> cr.getMembership(b -> b.membershipIdentifier("not-a-uuid")));
        assertTrue(v.getMessage().contains("membershipIdentifier"), v.getMessage());
        assertThrows(ValidationException.class, () -> cr.createConfiguredTable(b ->
                b.name("bad").analysisMethod(AnalysisMethod.DIRECT_QUERY)
                .allowedColumns("no_such_column").tableReference(r ->
                        r.glue(g -> g.databaseName("db").tableName("part_b")))),
                "columns are checked against the Glue table");
        assertThrows(ValidationException.class, () -> cr.createConfiguredTableAssociation(b ->
                b.membershipIdentifier(membership)
                .name("acx_part_a").configuredTableIdentifier(ctId).roleArn("not-an-arn")),
                        "roleArn pattern from the model");
        String assoc = cr.createConfiguredTableAssociation(b -> b.membershipIdentifier(membership).name("acx_part_a")
                .configuredTableIdentifier(ctId).roleArn("arn:aws:iam::123456789012:role/r"))
                        .configuredTableAssociation().id();
        assertThrows(ConflictException.class, () -> cr.deleteConfiguredTable(b -> b.configuredTableIdentifier(ctId)),
                "a table still associated cannot be deleted");
        assertThrows(ValidationException.class, () -> cr.createConfiguredTableAssociationAnalysisRule(b -> b
                .membershipIdentifier(membership).configuredTableAssociationIdentifier(assoc)
                .analysisRuleType(ConfiguredTableAssociationAnalysisRuleType.CUSTOM)
                .analysisRulePolicy(p -> p.v1(x -> x.custom(c -> c.allowedResultReceivers(SERVICE))))),
                "a member that cannot receive results is not a result receiver");
    }

    @Test
    void theAssociationQuotaIsEnforced() {
        standIn.associationQuota(2);
        for (String t : List.of("part_a", "part_b")) {
            String id = table(t);
            cr.createConfiguredTableAssociation(b -> b.membershipIdentifier(membership).name("acx_" + t)
                    .configuredTableIdentifier(id).roleArn("arn:aws:iam::123456789012:role/r"));
        }
        String third = table("part_c");
        ServiceQuotaExceededException e = assertThrows(ServiceQuotaExceededException.class,
                () -> cr.createConfiguredTableAssociation(b -> b.membershipIdentifier(membership).name("acx_part_c")
                        .configuredTableIdentifier(third).roleArn("arn:aws:iam::123456789012:role/r")));
        assertEquals(2.0, e.quotaValue());
    }

    /** An associated table with both rules, as associate-tables leaves it; returns the association's id. */
    private String associated(String name) {
        String ctId = table(name);
        cr.createConfiguredTableAnalysisRule(b -> b.configuredTableIdentifier(ctId)
                .analysisRuleType(ConfiguredTableAnalysisRuleType.CUSTOM)
                .analysisRulePolicy(p -> p.v1(v -> v.custom(c ->
                        c.allowedAnalyses("ANY_QUERY").allowedAnalysisProviders(SERVICE)))));
        String assoc = cr.createConfiguredTableAssociation(b -> b.membershipIdentifier(membership).name("acx_" + name)
                .configuredTableIdentifier(ctId).roleArn("arn:aws:iam::123456789012:role/r"))
                        .configuredTableAssociation().id();
        cr.createConfiguredTableAssociationAnalysisRule(b -> b.membershipIdentifier(membership)
                .configuredTableAssociationIdentifier(assoc)
                        .analysisRuleType(ConfiguredTableAssociationAnalysisRuleType.CUSTOM)
                .analysisRulePolicy(p -> p.v1(v -> v.custom(c -> c.allowedResultReceivers(RESULTS)))));
        return assoc;
    }

    @Test
    void anAssociationsRoleIsUpdatedInPlace() {
        String assoc = associated("part_a");

        var updated = cr.updateConfiguredTableAssociation(b -> b.membershipIdentifier(membership)
                .configuredTableAssociationIdentifier(assoc).roleArn("arn:aws:iam::123456789012:role/new-reader"))
                .configuredTableAssociation();

        assertEquals(assoc, updated.id());
        assertEquals("arn:aws:iam::123456789012:role/new-reader", cr.getConfiguredTableAssociation(b -> b
                .membershipIdentifier(membership).configuredTableAssociationIdentifier(assoc))
                        .configuredTableAssociation().roleArn());
        assertEquals("acx_part_a", updated.name());
        assertThrows(ValidationException.class, () -> cr.updateConfiguredTableAssociation(b ->
                b.membershipIdentifier(membership)
                .configuredTableAssociationIdentifier(assoc).roleArn("new-reader")), "roleArn pattern from the model");
        assertThrows(ResourceNotFoundException.class, () -> cr.updateConfiguredTableAssociation(b -> b
                .membershipIdentifier(membership).configuredTableAssociationIdentifier(
                        "00000000-0000-0000-0000-000000000000")
                .roleArn("arn:aws:iam::123456789012:role/new-reader")));
    }

    @Test
    void aPrivacyBudgetTemplateBlocksDeletingWhatItBudgetsUntilItIsDeleted() {
        String assoc = associated("part_a");
        String arn = cr.getConfiguredTableAssociation(b -> b.membershipIdentifier(membership)
                .configuredTableAssociationIdentifier(assoc)).configuredTableAssociation().arn();
        BudgetParameter monthly = BudgetParameter.builder().type(AccessBudgetType.CALENDAR_MONTH).budget(500)
                .autoRefresh(AutoRefreshMode.ENABLED).build();
        String template = cr.createPrivacyBudgetTemplate(b -> b.membershipIdentifier(membership)
                .privacyBudgetType(PrivacyBudgetType.ACCESS_BUDGET)
                        .parameters(p -> p.accessBudget(a -> a.resourceArn(arn)
                        .budgetParameters(monthly)))).privacyBudgetTemplate().id();
        cr.createPrivacyBudgetTemplate(b -> b.membershipIdentifier(membership)
                .privacyBudgetType(PrivacyBudgetType.DIFFERENTIAL_PRIVACY)
                .autoRefresh(PrivacyBudgetTemplateAutoRefresh.CALENDAR_MONTH)
                .parameters(p -> p.differentialPrivacy(d -> d.epsilon(3).usersNoisePerQuery(30))));

        for (Runnable delete : List.<Runnable>of(
                () -> cr.deleteConfiguredTableAssociationAnalysisRule(b -> b.membershipIdentifier(membership)
                        .configuredTableAssociationIdentifier(assoc)
                                .analysisRuleType(ConfiguredTableAssociationAnalysisRuleType.CUSTOM)),
                () -> cr.deleteConfiguredTableAssociation(b -> b.membershipIdentifier(membership)
                        .configuredTableAssociationIdentifier(assoc)))) {
            ConflictException e = assertThrows(ConflictException.class, delete::run);
            assertEquals(ConflictExceptionReason.SUBRESOURCES_EXIST, e.reason());
            assertEquals(assoc, e.resourceId());
            assertTrue(e.getMessage().contains(template), e.getMessage());
        }
        List<String> types = new ArrayList<>();
        cr.listPrivacyBudgetTemplatesPaginator(b -> b.membershipIdentifier(membership).maxResults(1))
                .privacyBudgetTemplateSummaries().forEach(t -> types.add(t.privacyBudgetTypeAsString()));
        assertEquals(List.of("ACCESS_BUDGET", "DIFFERENTIAL_PRIVACY"), types, "two pages of one");
        var read = cr.getPrivacyBudgetTemplate(b -> b.membershipIdentifier(membership)
                .privacyBudgetTemplateIdentifier(template))
                .privacyBudgetTemplate();
        assertEquals(arn, read.parameters().accessBudget().resourceArn());
        assertEquals(List.of(monthly), read.parameters().accessBudget().budgetParameters());
        assertEquals("NONE", read.autoRefreshAsString(), "the template's own auto refresh when none is given");

        assertEquals(ConflictExceptionReason.ALREADY_EXISTS, assertThrows(ConflictException.class, () -> cr
                .createPrivacyBudgetTemplate(b -> b.membershipIdentifier(membership)
                        .privacyBudgetType(PrivacyBudgetType.ACCESS_BUDGET)
                        .parameters(p -> p.accessBudget(a -> a.resourceArn(arn).budgetParameters(monthly))))).reason(),
                "one data access budget per association");
        assertThrows(ConflictException.class, () -> cr.createPrivacyBudgetTemplate(b ->
                b.membershipIdentifier(membership)
                .privacyBudgetType(PrivacyBudgetType.DIFFERENTIAL_PRIVACY)
                .parameters(p -> p.differentialPrivacy(d -> d.epsilon(2).usersNoisePerQuery(20)))),
                "one differential privacy budget per collaboration");
        assertThrows(ValidationException.class, () -> cr.createPrivacyBudgetTemplate(b ->
                b.membershipIdentifier(membership)
                .privacyBudgetType(PrivacyBudgetType.ACCESS_BUDGET)
                .parameters(p -> p.differentialPrivacy(d -> d.epsilon(2).usersNoisePerQuery(20)))),
                "the parameters must be those of the type");
        assertThrows(ValidationException.class, () -> cr.createPrivacyBudgetTemplate(b ->
                b.membershipIdentifier(membership)
                .privacyBudgetType(PrivacyBudgetType.DIFFERENTIAL_PRIVACY)
                .parameters(p -> p.differentialPrivacy(d -> d.epsilon(21).usersNoisePerQuery(20)))),
                "epsilon is 1..20 in the model");
        assertThrows(ResourceNotFoundException.class, () ->
                cr.createPrivacyBudgetTemplate(b -> b.membershipIdentifier(membership)
                .privacyBudgetType(PrivacyBudgetType.ACCESS_BUDGET).parameters(p -> p.accessBudget(a -> a
                        .resourceArn(arn.replace(assoc, "00000000-0000-0000-0000-000000000000"))
                                .budgetParameters(monthly)))),
                "a budget names an association that exists");

        cr.deletePrivacyBudgetTemplate(b -> b.membershipIdentifier(membership)
                .privacyBudgetTemplateIdentifier(template));
        assertThrows(ResourceNotFoundException.class, () ->
                cr.getPrivacyBudgetTemplate(b -> b.membershipIdentifier(membership)
                .privacyBudgetTemplateIdentifier(template)));
        cr.deleteConfiguredTableAssociationAnalysisRule(b -> b.membershipIdentifier(membership)
                .configuredTableAssociationIdentifier(assoc)
                        .analysisRuleType(ConfiguredTableAssociationAnalysisRuleType.CUSTOM));
        cr.deleteConfiguredTableAssociation(b -> b.membershipIdentifier(membership)
                .configuredTableAssociationIdentifier(assoc));
        assertTrue(standIn.mutations().contains("DeleteConfiguredTableAssociation " + assoc),
                standIn.mutations().toString());
    }

    @Test
    void aChosenCallFails() {
        standIn.failCall("CreateConfiguredTable", 2, 403, "AccessDeniedException");
        table("part_a");
        assertThrows(AccessDeniedException.class, () -> table("part_b"));
        table("part_c");
        assertEquals(List.of("CreateConfiguredTable part_a", "CreateConfiguredTable part_c"), standIn.mutations());
    }
}
