package com.omc.flywheel.statemachine;

import static com.omc.flywheel.statemachine.TemplateOperabilityTest.resolved;
import static com.omc.flywheel.statemachine.TemplateOperabilityTest.resources;
import static com.omc.flywheel.statemachine.TemplateOperabilityTest.transformed;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.omc.flywheel.associatetables.AssociateTablesRequest;
import com.omc.flywheel.local.fixtures.SampleEvents;
import com.omc.flywheel.local.iam.DeployedStack;
import com.omc.flywheel.shared.Events;
import com.omc.flywheel.shared.iam.PolicyEvaluator;
import com.omc.flywheel.shared.iam.PolicyEvaluator.Decision;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Production settings (issue #15), as deployed (template.yaml through the SAM transform): the Entity
 * Resolution ID namespace association (IdNamespaceArn) and the optional Lake Formation grants
 * (LakeFormationGrants).
 */
class TemplateProductionSettingsTest {
    private static final String ACCOUNT = "123456789012";
    private static final String DATABASE = "omc_flywheel_dev";
    private static final String NAMESPACE =
            "arn:aws:entityresolution:us-east-1:123456789012:idnamespace/ACXIdNamespace";
    private static final String GIVEN_CLEAN_ROOMS_ROLE = "arn:aws:iam::123456789012:role/cleanrooms-glue-s3-access";
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * What Lake Formation grants each role on GlueDatabase with LakeFormationGrants=true: on all its
     * tables ({@code <Role>TablesGrant}), on the database itself ({@code <Role>DatabaseGrant}, empty:
     * none), and whether its IAM policy lets it read governed data (lakeformation:GetDataAccess).
     */
    record Grant(Set<String> tables, Set<String> database, boolean dataAccess) {
    }

    private static final Map<String, Grant> GRANTS = Map.of(
            "MsckRepairFunctionRole", new Grant(Set.of("ALTER", "DESCRIBE"), Set.of(), false),
            "BuildReportFunctionRole", new Grant(Set.of("SELECT", "DESCRIBE"), Set.of(), true),
            "AssociateTablesFunctionRole", new Grant(Set.of("DESCRIBE"), Set.of(), false),
            "CleanRoomsDataAccessRole", new Grant(Set.of("SELECT", "DESCRIBE"), Set.of(), true),
            "RefreshErTableFunctionRole", new Grant(Set.of("ALTER", "DROP", "DESCRIBE", "SELECT"),
                    Set.of("CREATE_TABLE"), true));
    /** Roles that use GlueDatabase and have no grant yet; one that gets a grant fails this test: move it to GRANTS. */
    private static final Set<String> PENDING = Set.of();

    /** The db-refresh input both triggers send (the monthly schedule, the snapshot-arrival rule), checked equal. */
    private static JsonNode refreshInput(JsonNode template) throws Exception {
        JsonNode r = template.path("Resources");
        JsonNode schedule = JSON.readTree(resolved(r.path("DbRefreshStateMachineMonthly"), "the monthly schedule")
                .path("Target").path("Input").asText());
        JsonNode rule = JSON.readTree(resolved(r.path("DbRefreshStateMachineSnapshotLanded"), "the snapshot rule")
                .path("Targets").get(0).path("Input").asText());
        assertEquals(schedule, rule, "both triggers send the same input");
        return schedule;
    }

    private static DeployedStack iam(Map<String, String> extra) {
        Map<String, String> params = new LinkedHashMap<>(DeployedStack.LOCAL_PARAMETERS);
        params.putAll(extra);
        return DeployedStack.read(template(), params);
    }

    private static Path template() {
        return SampleEvents.repoRoot().resolve("template.yaml");
    }

    private static AssociateTablesRequest associateEvent(JsonNode associate) {
        return Events.read(new ByteArrayInputStream(associate.toString().getBytes(StandardCharsets.UTF_8)),
                AssociateTablesRequest.class);
    }

    /**
     * IdNamespaceArn: set, both triggers' associate input carries it (and nothing else changes) and
     * associate-tables' role may read that namespace only; empty (the default), no field and today's
     * statement (any namespace of the account). A value associate-tables would refuse is refused at deploy.
     */
    @Test
    void anIdNamespaceReachesTheAssociateStepAndScopesItsRole() throws Exception {
        JsonNode without = refreshInput(transformed(Map.of())).path("associate");
        JsonNode with = refreshInput(transformed(Map.of("IdNamespaceArn", NAMESPACE))).path("associate");
        assertFalse(without.has("idNamespaceArn"), "by default the input names no namespace: " + without);
        assertEquals(NAMESPACE, with.path("idNamespaceArn").asText(), with.toString());
        ObjectNode rest = with.deepCopy();
        rest.remove("idNamespaceArn");
        assertEquals(without, rest, "the namespace is the only change to the associate input");
        assertEquals(NAMESPACE, associateEvent(with).idNamespaceArn(), "associate-tables takes it as its event");
        assertNull(associateEvent(without).idNamespaceArn());

        String role = "AssociateTablesFunctionRole";
        String other = "arn:aws:entityresolution:us-east-1:123456789012:idnamespace/SomeOtherNamespace";
        DeployedStack today = DeployedStack.local(template());
        DeployedStack scoped = iam(Map.of("IdNamespaceArn", NAMESPACE));
        for (String ns : List.of(NAMESPACE, other)) {
            assertEquals(Decision.ALLOW, PolicyEvaluator.evaluate(today.statementsOf(role),
                    "entityresolution:GetIdNamespace",
                    ns, Map.of()), "by default any of the account's namespaces, as today: " + ns);
        }
        assertEquals(Decision.ALLOW, PolicyEvaluator.evaluate(scoped.statementsOf(role),
                "entityresolution:GetIdNamespace",
                NAMESPACE, Map.of()));
        assertEquals(Decision.IMPLICIT_DENY, PolicyEvaluator.evaluate(scoped.statementsOf(role),
                "entityresolution:GetIdNamespace", other, Map.of()), "with IdNamespaceArn, only that namespace");
        assertEquals(List.of(NAMESPACE), scoped.statementsOf(role).stream()
                .filter(s -> s.sid().equals("AssociateTheIdNamespace")).findFirst().orElseThrow().resources());
        assertEquals(today.statementsOf(role).stream().filter(s -> !s.sid().equals("AssociateTheIdNamespace")).toList(),
                scoped.statementsOf(role).stream().filter(s -> !s.sid().equals("AssociateTheIdNamespace")).toList(),
                "the role's other statements are today's");

        for (String bad : List.of("arn:aws:entityresolution:us-east-1:123456789012:idnamespace/ACX\",\"dryRun\":true",
                "arn:aws:entityresolution:us-east-1:123456789012:matchingworkflow/ACXIdNamespace")) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> transformed(Map.of("IdNamespaceArn", bad)),
                    "the parameter's AllowedPattern refuses " + bad);
            assertTrue(e.getMessage().contains("IdNamespaceArn"), e.getMessage());
        }
    }

    /**
     * LakeFormationGrants: false (the default), no Lake Formation resource and no lakeformation:
     * statement; true, one grant per role and resource with exactly GRANTS' permissions on GlueDatabase,
     * never with the grant option, for every role that uses the database; the Clean Rooms grant names
     * the role the associations pass (CleanRoomsRoleArn when given, else the stack's own).
     */
    @Test
    void lakeFormationGrantsAreOffByDefaultAndLeastPrivilegeWhenOn() {
        JsonNode off = transformed(Map.of());
        assertEquals(Map.of(), resources(off, "AWS::LakeFormation::PrincipalPermissions"), "no grant by default");
        assertEquals(Set.of(), dataAccess(DeployedStack.local(template())),
                "no lakeformation:GetDataAccess by default");

        for (String cleanRoomsRole : List.of("", GIVEN_CLEAN_ROOMS_ROLE)) {
            Map<String, String> params = Map.of("LakeFormationGrants", "true", "CleanRoomsRoleArn", cleanRoomsRole);
            JsonNode on = transformed(params);
            DeployedStack iam = iam(params);
            Map<String, String> roleOfArn = new HashMap<>();
            iam.roles().forEach(r -> roleOfArn.put(iam.roleArn(r), r));
            String where = cleanRoomsRole.isEmpty() ? "the stack's Clean Rooms role" : "CleanRoomsRoleArn given";

            Map<String, Set<String>> tables = new TreeMap<>();
            Map<String, Set<String>> database = new TreeMap<>();
            Map<String, Set<String>> locations = new TreeMap<>();
            resources(on, "AWS::LakeFormation::PrincipalPermissions").forEach((id, g) -> {
                JsonNode p = resolved(g, id);
                String arn = p.path("Principal").path("DataLakePrincipalIdentifier").asText();
                String principal = roleOfArn.getOrDefault(arn, arn);
                assertEquals(ACCOUNT, p.path("Catalog").asText(), id);
                assertEquals(0, p.path("PermissionsWithGrantOption").size(), id + " passes nothing on");
                Set<String> permissions = new TreeSet<>(TemplateOperabilityTest.texts(p.path("Permissions")));
                JsonNode resource = p.path("Resource");
                if (resource.has("Table")) {
                    assertEquals(JSON.createObjectNode().set("Table", JSON.createObjectNode().put("CatalogId", ACCOUNT)
                            .put("DatabaseName", DATABASE).set("TableWildcard", JSON.createObjectNode())), resource,
                            id + ": all tables of GlueDatabase, nothing else");
                    assertNull(tables.put(principal, permissions), id + ": one tables grant per role");
                } else if (resource.has("DataLocation")) {
                    // refresh-er-table alone points tables at folders (the CTAS's staging table, the swap).
                    assertEquals("RefreshErTableFunctionRole", principal, id);
                    assertEquals(List.of("DATA_LOCATION_ACCESS"), TemplateOperabilityTest.texts(p.path("Permissions")),
                            id);
                    assertEquals("arn:aws:s3:::omc-flywheel-data-us-east-1-dev", resource.path("DataLocation")
                            .path("ResourceArn").asText(), id + ": the data bucket, the registered location");
                    assertNull(locations.put(principal, permissions), id + ": one data location grant");
                } else {
                    assertEquals(JSON.createObjectNode().set("Database",
                            JSON.createObjectNode().put("CatalogId", ACCOUNT)
                            .put("Name", DATABASE)), resource, id + ": GlueDatabase, nothing else");
                    assertNull(database.put(principal, permissions), id + ": one database grant per role");
                }
            });

            Map<String, Set<String>> expectedTables = new TreeMap<>();
            Map<String, Set<String>> expectedDatabase = new TreeMap<>();
            Set<String> expectedDataAccess = new TreeSet<>();
            GRANTS.forEach((role, grant) -> {
                String principal = role.equals("CleanRoomsDataAccessRole")
                        && !cleanRoomsRole.isEmpty() ? cleanRoomsRole : role;
                expectedTables.put(principal, new TreeSet<>(grant.tables()));
                if (!grant.database().isEmpty()) {
                    expectedDatabase.put(principal, new TreeSet<>(grant.database()));
                }
                if (grant.dataAccess() && iam.roles().contains(principal)) {
                    expectedDataAccess.add(principal); // a role the stack does not create is the operator's to grant
                }
            });
            assertEquals(expectedTables, tables, where);
            assertEquals(expectedDatabase, database, where);
            assertEquals(Set.of("RefreshErTableFunctionRole"), locations.keySet(), where);
            assertEquals(expectedDataAccess, dataAccess(iam), where
                    + ": the roles that may call lakeformation:GetDataAccess");
            assertEquals(cleanRoomsRole.isEmpty(), on.path("Resources").path("CleanRoomsDataAccessRole")
                    .path("Deployed").asBoolean());

            // Every role the stack gives the database to is granted (or known to be pending), and no pending one is.
            for (String role : iam.roles()) {
                if (usesTheDatabase(iam.statementsOf(role))) {
                    assertTrue(tables.containsKey(role) || PENDING.contains(role),
                            role + " uses GlueDatabase but Lake Formation grants it nothing: add its grant (GRANTS)");
                }
                assertFalse(PENDING.contains(role) && (tables.containsKey(role) || database.containsKey(role)),
                        role + " has a grant now: move it from PENDING to GRANTS");
            }
        }
    }

    /** The roles whose IAM policy allows lakeformation:GetDataAccess. */
    private static Set<String> dataAccess(DeployedStack iam) {
        Set<String> out = new TreeSet<>();
        for (String role : iam.roles()) {
            if (PolicyEvaluator.evaluate(iam.statementsOf(role), "lakeformation:GetDataAccess", "*",
                    Map.of()) == Decision.ALLOW) {
                out.add(role);
            }
        }
        return out;
    }

    /** Whether a role may read GlueDatabase's tables or create one in it. */
    private static boolean usesTheDatabase(List<PolicyEvaluator.Statement> statements) {
        String glue = "arn:aws:glue:us-east-1:" + ACCOUNT + ":";
        return PolicyEvaluator.evaluate(statements, "glue:GetTable", glue + "table/" + DATABASE + "/part_ibe_01",
                Map.of())
                == Decision.ALLOW
                || PolicyEvaluator.evaluate(statements, "glue:GetTables", glue + "database/" + DATABASE,
                        Map.of()) == Decision.ALLOW
                || PolicyEvaluator.evaluate(statements, "glue:CreateTable", glue + "database/" + DATABASE, Map.of())
                == Decision.ALLOW;
    }
}
