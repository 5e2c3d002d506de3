package com.omc.flywheel.resolvesnapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.omc.flywheel.local.fixtures.SampleEvents;
import com.omc.flywheel.shared.Events;
import com.omc.flywheel.shared.errors.InvalidInputException;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sfn.SfnClient;

/**
 * mode SHADOW: db-refresh's shadow input checked and rewritten, field by field, with no AWS call
 * (the handler's clients point at an address nothing answers).
 */
class ShadowInputTest {
    private static final java.net.URI NOWHERE = java.net.URI.create("http://127.0.0.1:9");

    private static JsonNode invoke(String input) throws Exception {
        ResolveSnapshotHandler handler = new ResolveSnapshotHandler(S3Client.builder().endpointOverride(NOWHERE)
                .region(software.amazon.awssdk.regions.Region.US_EAST_1).build(),
                SfnClient.builder().endpointOverride(NOWHERE).region(software.amazon.awssdk.regions.Region.US_EAST_1)
                        .build());
        return Events.mapper().readTree(SampleEvents.invoke(handler, "resolve-snapshot",
                "{\"mode\": \"SHADOW\", \"input\": " + input + "}"));
    }

    private static InvalidInputException rejected(String input) {
        return assertThrows(InvalidInputException.class, () -> Events.read(new ByteArrayInputStream(
                ("{\"mode\": \"SHADOW\", \"input\": " + input + "}").getBytes(StandardCharsets.UTF_8)),
                ResolveSnapshotRequest.class));
    }

    @Test
    void theSampleShadowInputIsRewrittenSoNothingProductionReadsChanges() throws Exception {
        JsonNode in = invoke(SampleEvents.read("db-refresh-shadow.json")).get("input");

        assertEquals("{\"SplitAddressableIds\":true,\"SplitInfobase\":true,\"RegisterAddressableIds\":true,"
                + "\"RegisterInfobase\":true}", in.get("skip").toString());
        assertTrue(in.at("/repair/dryRun").booleanValue() && in.at("/repair/shadow").booleanValue());
        assertTrue(in.at("/erTable/shadow").booleanValue());
        assertTrue(in.at("/associate/dryRun").booleanValue());
        assertTrue(in.at("/reports/dataMonitor/shadow").booleanValue());
        assertTrue(in.at("/reports/cleanRooms/shadow").booleanValue());
        assertEquals("{\"repair\":false}", in.get("shadow").toString());
        JsonNode given = Events.mapper().readTree(SampleEvents.read("db-refresh-shadow.json"));
        assertEquals(given.get("jobs"), in.get("jobs"), "the rest as given");
        assertEquals(given.at("/erTable/location"), in.at("/erTable/location"), "refresh-er-table derives its own");
    }

    @Test
    void shadowRepairLetsTheRepairChangeTheCatalogAndTheOperatorsSkipIsKept() throws Exception {
        String input = SampleEvents.read("db-refresh-shadow.json").replace("\"shadow\": {}",
                "\"shadow\": {\"repair\": true}, \"skip\": {\"CleanRoomsReport\": true}");

        JsonNode in = invoke(input).get("input");

        assertEquals(false, in.at("/repair/dryRun").booleanValue());
        assertTrue(in.at("/repair/shadow").booleanValue(), "its state still under msck-repair/shadow/");
        assertTrue(in.at("/skip/CleanRoomsReport").booleanValue());
        assertTrue(in.at("/skip/RegisterInfobase").booleanValue());
    }

    @Test
    void eachBadShapeIsRefusedNamingItsField() {
        String sample = SampleEvents.read("db-refresh-shadow.json");
        assertEquals("shadow.repair", rejected(sample.replace("\"shadow\": {}", "\"shadow\": {\"repair\": \"yes\"}"))
                .field());
        assertEquals("shadow.reports", rejected(sample.replace("\"shadow\": {}", "\"shadow\": {\"reports\": true}"))
                .field());
        assertEquals("shadow", rejected(sample.replace("\"shadow\": {}", "\"shadow\": true")).field());
        assertEquals("skip.BuildErTable", rejected(sample.replace("\"shadow\": {}",
                "\"shadow\": {}, \"skip\": {\"BuildErTable\": \"no\"}")).field());
        assertEquals("associate", rejected(sample.replace("\"associate\": {", "\"associateX\": {")).field());
        assertEquals("reports.dataMonitor.reportBucket", rejected(sample.replace(
                "\"reportBucket\": \"omc-flywheel-dev-analysis-data\", \"bucketCount\"", "\"bucketCount\"")).field());
        assertEquals("input", rejected("[1]").field());
        assertEquals("input", assertThrows(InvalidInputException.class, () -> Events.read(new ByteArrayInputStream(
                "{\"mode\": \"SHADOW\"}".getBytes(StandardCharsets.UTF_8)), ResolveSnapshotRequest.class)).field());
    }

    @Test
    void anAbsentStepEventIsFineOnlyWhenItsStepIsSkipped() throws Exception {
        String sample = SampleEvents.read("db-refresh-shadow.json").replace("\"associate\": {", "\"unused\": {");
        assertEquals("associate", rejected(sample).field());

        JsonNode in = invoke(sample.replace("\"shadow\": {}", "\"shadow\": {}, \"skip\": {\"AssociateTables\": "
                + "true}")).get("input");

        assertTrue(in.at("/skip/AssociateTables").booleanValue());
    }
}
