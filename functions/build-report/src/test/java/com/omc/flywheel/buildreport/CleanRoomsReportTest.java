package com.omc.flywheel.buildreport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.omc.flywheel.local.cleanrooms.CleanRoomsStandIn;
import com.omc.flywheel.local.fixtures.LakeBuilder;
import com.omc.flywheel.shared.Events;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The Clean Rooms report against the stand-in: today's files and fields, the readiness fix, several memberships. */
class CleanRoomsReportTest extends ReportFixture {
    static final String MEMBERSHIP = "0b6e5a4c-6f2d-4a8e-9c1b-3d5f7e9a1c2b";
    static final String ROLE = "arn:aws:iam::123456789012:role/cleanrooms-glue-s3-access";

    /** part_ibe_01 fully ready; part_ibe_02 associated without its collaboration rule; part_ibe_03 not configured. */
    private void collaboration(String name, String membershipId) throws Exception {
        for (String t : List.of("part_ibe_01", "part_ibe_02", "part_ibe_03")) {
            partTable(t, ROOT + t + "/", 1, List.of(0));
        }
        lake.table(new LakeBuilder.Table(DB, "part_ibe_04", ROOT + "part_ibe_04/", 3,
                LakeBuilder.Registration.UNPARTITIONED,
                List.of(), List.of(), java.util.Map.of()));
        partTable("part_addressable_ids", ROOT + "addressable_ids/", 1, List.of(0));
        STAND_IN.collaboration(name, List.of(
                new CleanRoomsStandIn.Member("111111111111", "AMC Service", List.of("CAN_QUERY")),
                new CleanRoomsStandIn.Member("222222222222", "AMC Results", List.of("CAN_RECEIVE_RESULTS"))),
                REPORTS, membershipId);
        for (String t : List.of("part_ibe_01", "part_ibe_02")) {
            String ct = CLEAN_ROOMS.createConfiguredTable(b -> b.name(t).analysisMethod("DIRECT_QUERY")
                    .allowedColumns(LakeBuilder.columns(t, 5).stream().map(c -> c.name()).toList())
                    .tableReference(r -> r.glue(g -> g.databaseName(DB).tableName(t)))).configuredTable().id();
            CLEAN_ROOMS.createConfiguredTableAnalysisRule(b ->
                    b.configuredTableIdentifier(ct).analysisRuleType("CUSTOM")
                    .analysisRulePolicy(p -> p.v1(v -> v.custom(c -> c.allowedAnalyses("ANY_QUERY")
                            .allowedAnalysisProviders("111111111111", "999999999999")))));
            String a = CLEAN_ROOMS.createConfiguredTableAssociation(b -> b.membershipIdentifier(membershipId)
                    .name("acx_" + t).configuredTableIdentifier(ct).roleArn(ROLE)).configuredTableAssociation().id();
            if (t.equals("part_ibe_01")) {
                CLEAN_ROOMS.createConfiguredTableAssociationAnalysisRule(b -> b.membershipIdentifier(membershipId)
                        .configuredTableAssociationIdentifier(a).analysisRuleType("CUSTOM")
                        .analysisRulePolicy(p -> p.v1(v -> v.custom(c -> c.allowedResultReceivers("222222222222")))));
            }
        }
        ObjectMapper json = new ObjectMapper();
        STAND_IN.idNamespace("ACXIdNamespace", (ObjectNode) json.readTree(
                "{\"type\":\"SOURCE\",\"description\":\"ACX\","
                + "\"roleArn\":\"arn:aws:iam::123456789012:role/omc-flywheel-prod-ER-SourceIdNamespaceRole\","
                + "\"inputSourceConfig\":[{\"inputSourceARN\":\"arn:aws:glue:us-east-1:123456789012:table/"
                        + "omc_flywheel_dev/"
                + "part_addressable_ids_er\",\"schemaName\":\"ACX_SCHEMA\"}],"
                + "\"idMappingWorkflowProperties\":[{\"idMappingType\":\"RULE_BASED\"}]}"));
        STAND_IN.schemaMapping("ACX_SCHEMA", (ArrayNode) json.readTree(
                "[{\"fieldName\":\"row_id\",\"type\":\"UNIQUE_ID\"},"
                + "{\"fieldName\":\"customer_user_id\",\"type\":\"STRING\",\"matchKey\":\"AXM\",\"hashed\":false}]"));
        String nsa = CLEAN_ROOMS.createIdNamespaceAssociation(b ->
                b.membershipIdentifier(membershipId).name("ACXIdNamespace")
                .inputReferenceConfig(c -> c.inputReferenceArn(
                        "arn:aws:entityresolution:us-east-1:123456789012:idnamespace/"
                        + "ACXIdNamespace").manageResourcePolicies(true))
                .idMappingConfig(c -> c.allowUseAsDimensionColumn(false))).idNamespaceAssociation().id();
        STAND_IN.idMappingTable(membershipId, "acx_real_ids_v1",
                "arn:aws:entityresolution:us-east-1:123456789012:idmappingworkflow/ACX_to_AMC_AXM_v1", nsa, nsa);
    }

    @Test
    void theReportHasTodaysFilesAndFieldsAndReadinessNeedsTheCollaborationRule() throws Exception {
        collaboration("AMC \"Flywheel\", test", MEMBERSHIP);

        BuildReportResult r = service(java.time.Clock.fixed(java.time.Instant.parse("2025-11-01T02:00:05.194129Z"),
                java.time.ZoneOffset.UTC)).build(request("build-report-cleanrooms.json"));

        String base = "cleanrooms-reports/ACX_Cleanroom_Report_AMC__Flywheel___test_20251101";
        assertEquals(List.of(base + ".json", base + "_Tables.csv", base + "_IdentityResolution.csv"), r.reportKeys());
        JsonNode json = Events.mapper().readTree(read(base + ".json"));
        assertEquals("AMC \"Flywheel\", test", json.get("collaboration_name").asText());
        assertEquals("2025-11-01T02:00:05.194129Z", json.get("generated_at").asText(), "isoformat() + 'Z', as today");
        assertEquals(Events.mapper().readTree("{\"glue_tables_count\": 5, \"configured_tables_count\": 2, "
                + "\"associations_count\": 2, \"id_namespace_associations_count\": 1, \"id_mapping_tables_count\": 1, "
                + "\"entity_resolution_namespaces_count\": 1}"), json.get("summary"),
                "today's members only; every prefixed Glue table is counted, part_addressable_ids too");
        assertEquals(Events.mapper().readTree("{\"name\": \"ACXIdNamespace\", "
                + "\"arn\": \"" + json.get("identity_resolution").get("entity_resolution_namespaces").get(0).get("arn")
                        .asText()
                + "\", \"type\": \"SOURCE\", \"description\": \"ACX\", "
                + "\"role_arn\": \"arn:aws:iam::123456789012:role/omc-flywheel-prod-ER-SourceIdNamespaceRole\", "
                + "\"input_source_arn\": "
                        + "\"arn:aws:glue:us-east-1:123456789012:table/omc_flywheel_dev/part_addressable_ids_er\", "
                + "\"schema_name\": \"ACX_SCHEMA\", \"id_mapping_config\": {\"idMappingType\": \"RULE_BASED\"}}"),
                json.get("identity_resolution").get("entity_resolution_namespaces").get(0),
                        "today's object, not a list");
        JsonNode mapping = json.get("identity_resolution").get("schema_mappings").get(0);
        assertTrue(mapping.get("created_at").asText().matches(
                "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{6})?\\+00:00"), mapping.toString());
        assertEquals(Events.mapper().readTree("[{\"fieldName\": \"row_id\", \"type\": \"UNIQUE_ID\"}, "
                + "{\"fieldName\": \"customer_user_id\", \"type\": \"STRING\", \"matchKey\": \"AXM\", \"hashed\": "
                        + "false}]"),
                mapping.get("mappedInputFields"), "the fields as the API gives them");
        assertEquals(REPORTS, json.get("membership_results_delivery").get("result_bucket").asText());
        assertEquals("222222222222", json.get("membership_results_delivery").get("result_receiver_accounts").get(0)
                .get("account_id").asText(), "results-delivery accounts are written (today's bug)");
        JsonNode tables = json.get("tables");
        assertEquals(List.of("part_ibe_01", "part_ibe_02", "part_ibe_03", "part_ibe_04"), List.of(
                tables.get(0).get("table_name").asText(), tables.get(1).get("table_name").asText(),
                tables.get(2).get("table_name").asText(), tables.get(3).get("table_name").asText()),
                        "associated first");
        // A table with nothing in Clean Rooms: every member written, with today's placeholders.
        JsonNode notInCleanRooms = tables.get(2);
        assertEquals(Events.mapper().readTree("{\"exists\": false, \"id\": null, \"name\": null, "
                + "\"allowed_columns_count\": 0, \"allowed_columns\": [], \"analysis_method\": \"N/A\"}"),
                notInCleanRooms.get("configured_table"));
        assertEquals(Events.mapper().readTree(
                "{\"exists\": false, \"type\": null, \"allowed_analysis_providers\": []}"),
                notInCleanRooms.get("analysis_rule"));
        assertEquals(Events.mapper().readTree("{\"exists\": false, \"name\": null}"),
                notInCleanRooms.get("association"));
        assertEquals(Events.mapper().readTree("{\"exists\": false, \"type\": null, \"allowed_result_receivers\": []}"),
                notInCleanRooms.get("collaboration_analysis_rule"));
        assertEquals(Events.mapper().readTree("{\"exists\": false, \"type\": null, \"allowed_result_receivers\": []}"),
                tables.get(1).get("collaboration_analysis_rule"), "associated, no collaboration rule");
        assertTrue(tables.get(0).get("status").get("ready_for_analysis").asBoolean());
        assertFalse(tables.get(1).get("status").get("ready_for_analysis").asBoolean(),
                "no collaboration rule, not ready (today's report said ready)");
        assertEquals("222222222222", tables.get(0).get("collaboration_analysis_rule").get("allowed_result_receivers")
                .get(0).asText());

        String tablesCsv = read(base + "_Tables.csv");
        assertTrue(tablesCsv.endsWith("\r\n\"AMC \"\"Flywheel\"\", "
                + "test\",part_ibe_03,Yes,5,id_bucket,No,N/A,N/A,0,N/A,No,N/A,"
                + "No,N/A,No,No,No\r\n\"AMC \"\"Flywheel\"\", "
                        + "test\",part_ibe_04,Yes,3,,No,N/A,N/A,0,N/A,No,N/A,No,N/A,No,No,No\r\n"),
                "CRLF lines; allowed_columns_count 0 and glue_partition_keys empty, as today: " + tablesCsv);
        List<String[]> csv = DataMonitorReportTest.parse(tablesCsv);
        assertEquals(List.of("collaboration_name", "table_name", "glue_exists", "glue_column_count",
                "glue_partition_keys",
                "configured_table_exists", "configured_table_id", "configured_table_name", "allowed_columns_count",
                "analysis_method", "analysis_rule_exists", "Allowed Analyses for Query", "association_exists",
                "association_name", "collaboration_rule_exists", "in_collaboration", "ready_for_analysis"),
                Arrays.asList(csv.get(0)));
        String[] ibe01 = csv.get(1);
        assertEquals("AMC \"Flywheel\", test", ibe01[0], "commas and quotes survive a CSV round trip");
        assertEquals("Yes", ibe01[2]);
        assertEquals("id_bucket", ibe01[4]);
        assertEquals("1111-1111-1111 (AMC Service), 999999999999", ibe01[11],
                "described accounts formatted, unknown raw");
        assertEquals("Yes", ibe01[16]);
        String[] ibe03 = csv.get(3);
        assertEquals("No", ibe03[5]);
        assertEquals("N/A", ibe03[6]);
        assertEquals("N/A", ibe03[11]);

        String identityCsv = read(base + "_IdentityResolution.csv");
        assertEquals("collaboration_name,id namespace,Id namespace method,source db,region,table,schema mapping,unique "
                + "id,"
                + "input field,matchkey\r\n\"AMC \"\"Flywheel\"\", "
                        + "test\",ACXIdNamespace,rule-based,omc_flywheel_dev,us-east-1,"
                + "part_addressable_ids_er,acx_schema,row_id,customer_user_id,AXM\r\n", identityCsv);
        List<String[]> identity = DataMonitorReportTest.parse(identityCsv);
        assertEquals(List.of("collaboration_name", "id namespace", "Id namespace method", "source db", "region",
                "table",
                "schema mapping", "unique id", "input field", "matchkey"), Arrays.asList(identity.get(0)));
        assertEquals(List.of("AMC \"Flywheel\", test", "ACXIdNamespace", "rule-based", "omc_flywheel_dev", "us-east-1",
                "part_addressable_ids_er", "acx_schema", "row_id", "customer_user_id", "AXM"),
                        Arrays.asList(identity.get(1)));
    }

    @Test
    void absentEntityResolutionTextsAreEmptyStringsAndTheReadyCountIsAnOption() throws Exception {
        collaboration("AMC", MEMBERSHIP);
        STAND_IN.idNamespace("ACXIdNamespace", (ObjectNode) new ObjectMapper().readTree("{\"type\":\"SOURCE\"}"));

        BuildReportResult r = service().build(request("build-report-cleanrooms.json"));

        JsonNode json = Events.mapper().readTree(read(r.reportKeys().get(0)));
        assertEquals("2025-11-01T02:00:00Z", json.get("generated_at").asText(),
                "isoformat() leaves out zero microseconds");
        JsonNode ns = json.get("identity_resolution").get("entity_resolution_namespaces").get(0);
        for (String member : List.of("description", "role_arn", "input_source_arn", "schema_name")) {
            assertEquals("", ns.get(member).textValue(), member + " is \"\" when absent, as today");
        }
        assertEquals(0, ns.get("id_mapping_config").size());
        assertTrue(ns.get("id_mapping_config").isObject());
        assertFalse(json.get("summary").has("ready_for_analysis_count"), "not today's: only on request");

        BuildReportResult withCount = service().build(request("build-report-cleanrooms.json", "\"membershipIds\"",
                "\"readyForAnalysisCount\": true, \"membershipIds\""));
        assertEquals(1, Events.mapper().readTree(read(withCount.reportKeys().get(0))).get("summary")
                .get("ready_for_analysis_count").asInt());
    }

    @Test
    void severalMembershipsInOneCallEachGetTheirOwnFiles() throws Exception {
        collaboration("AMC", MEMBERSHIP);
        STAND_IN.collaboration("Test collab", List.of(), REPORTS, "11111111-2222-3333-4444-555555555555");

        BuildReportResult r = service().build(request("build-report-cleanrooms.json",
                "[\"0b6e5a4c-6f2d-4a8e-9c1b-3d5f7e9a1c2b\"]",
                "[\"0b6e5a4c-6f2d-4a8e-9c1b-3d5f7e9a1c2b\", \"11111111-2222-3333-4444-555555555555\"]"));

        assertEquals(6, r.reportKeys().size());
        assertTrue(r.reportKeys().contains("cleanrooms-reports/ACX_Cleanroom_Report_Test_collab_20251101_Tables.csv"));
        assertTrue(r.reportKeys().contains("cleanrooms-reports/ACX_Cleanroom_Report_AMC_20251101.json"));
    }
}
