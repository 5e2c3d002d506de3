package com.omc.flywheel.associatetables;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.omc.flywheel.local.fixtures.SampleEvents;
import com.omc.flywheel.shared.AwsClients;
import com.omc.flywheel.shared.errors.InvalidInputException;
import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import software.amazon.awssdk.services.cleanrooms.CleanRoomsClient;
import software.amazon.awssdk.services.glue.GlueClient;

/** Every events/associate-tables*.json through the handler, with its intended outcome. */
class AssociateTablesSampleEventsTest extends CollaborationFixture {

    @TestFactory
    List<DynamicTest> everySampleEvent() {
        List<String> files = SampleEvents.forFunction("associate-tables");
        assertTrue(files.size() >= 4, "sample events: " + files);
        return files.stream().map(f -> DynamicTest.dynamicTest(f, () -> run(f))).toList();
    }

    private void run(String file) {
        productionLikeCatalogAndCollaboration();
        String body = SampleEvents.read(file);
        if (file.contains("-invalid-")) {
            URI nowhere = URI.create("http://127.0.0.1:9");
            AssociateTablesService unreachable = new AssociateTablesService(
                    AwsClients.build(GlueClient.builder().endpointOverride(nowhere)),
                    AwsClients.buildWithPatch(CleanRoomsClient.builder().endpointOverride(nowhere)),
                    AssociateTablesHandler.settings());
            InvalidInputException e = assertThrows(InvalidInputException.class,
                    () -> SampleEvents.invoke(new AssociateTablesHandler(unreachable), "associate-tables", body));
            assertFalse(e.field().isEmpty(), e.getMessage());
            return;
        }
        AssociateTablesHandler handler = new AssociateTablesHandler(service());
        switch (file) {
            case "associate-tables.json" -> {
                String out = SampleEvents.invoke(handler, "associate-tables", body);
                assertTrue(out.contains("\"applied\":true") && out.contains("\"CREATE_ASSOCIATION\":25"), out);
                assertEquals(25, readyAssociations());
            }
            case "associate-tables-dry-run.json" -> {
                String out = SampleEvents.invoke(handler, "associate-tables", body);
                assertTrue(out.contains("\"applied\":false") && out.contains("\"status\":\"PLANNED\""), out);
                assertEquals(List.of(), STAND_IN.mutations());
            }
            case "associate-tables-production.json" -> {
                todaysProduction(todaysAssociatedTables());
                int before = STAND_IN.mutations().size();
                String out = SampleEvents.invoke(handler, "associate-tables", body);
                assertTrue(out.contains("\"actions\":[]") && out.contains("\"quotaVerdict\":\"FITS\"")
                        && out.contains("{\"table\":\"part_miacs_02_a\"") && out.contains("\"action\":\"REPORTED\"")
                        && out.contains("\"name\":\"part_n_a\"") && out.contains("\"reason\":\"EXCLUDED\""), out);
                assertEquals(before, STAND_IN.mutations().size(), "today's state adopted: nothing changed");
                assertEquals(25, readyAssociations());
            }
            case "associate-tables-recreate-drifted.json" -> {
                todaysProduction(todaysAssociatedTables());
                String out = SampleEvents.invoke(handler, "associate-tables", body);
                assertTrue(out.contains("\"action\":\"RECREATE\"") && out.contains("\"DELETE_CONFIGURED_TABLE\":1")
                        && out.contains("\"CREATE_ASSOCIATION_RULE\":1"), out);
                assertEquals(25, readyAssociations());
            }
            default -> fail("events/" + file + " has no expected outcome in this test: add one");
        }
    }
}
