package com.omc.flywheel.refreshertable;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.omc.flywheel.local.LocalCloud;
import com.omc.flywheel.local.fixtures.LakeBuilder;
import com.omc.flywheel.local.fixtures.SampleEvents;
import com.omc.flywheel.shared.AwsClients;
import com.omc.flywheel.shared.errors.InvalidInputException;
import java.net.URI;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import software.amazon.awssdk.services.athena.AthenaClient;
import software.amazon.awssdk.services.glue.GlueClient;
import software.amazon.awssdk.services.s3.S3Client;

/** Every events/refresh-er-table*.json through the handler Lambda calls, with its intended outcome. */
class RefreshErTableSampleEventsTest {
    static final LocalCloud CLOUD = LocalCloud.start().asDefaultEndpoint();
    static final ObjectMapper JSON = new ObjectMapper();

    @AfterAll
    static void stop() {
        CLOUD.close();
    }

    @TestFactory
    List<DynamicTest> everySampleEvent() {
        List<String> files = SampleEvents.forFunction("refresh-er-table");
        assertTrue(files.size() >= 2, "sample events: " + files);
        return files.stream().map(f -> DynamicTest.dynamicTest(f, () -> run(f))).toList();
    }

    private void run(String file) throws Exception {
        CLOUD.reset();
        String body = SampleEvents.read(file);
        if (file.contains("-invalid-")) {
            URI nowhere = URI.create("http://127.0.0.1:9");
            ErTableRefresher unreachable = new ErTableRefresher(
                    AwsClients.build(GlueClient.builder().endpointOverride(nowhere)),
                    AwsClients.build(AthenaClient.builder().endpointOverride(nowhere)),
                    AwsClients.build(S3Client.builder().endpointOverride(nowhere)), Clock.systemUTC(), 1);
            InvalidInputException e = assertThrows(InvalidInputException.class,
                    () -> SampleEvents.invoke(new RefreshErTableHandler(unreachable), "refresh-er-table", body));
            assertFalse(e.field().isEmpty(), e.getMessage());
            return;
        }
        GlueClient glue = AwsClients.build(GlueClient.builder());
        S3Client s3 = AwsClients.build(S3Client.builder());
        new LakeBuilder(glue, s3).database("omc_flywheel_dev").bucket("omc-flywheel-data-us-east-1-dev")
                .bucket("omc-flywheel-dev-analysis-data").withParquetFiles(null)
                .table(new LakeBuilder.Table("omc_flywheel_dev", "part_addressable_ids",
                        "s3://omc-flywheel-data-us-east-1-dev/omc_cleanroom_data/split_part/addressable_ids/"
                                + "ADDRESSABLE_IDS/", 1,
                        LakeBuilder.Registration.PARTITIONED, LakeBuilder.buckets(2), LakeBuilder.buckets(2),
                                Map.of()));
        RefreshErTableHandler handler = new RefreshErTableHandler();
        switch (file) {
            case "refresh-er-table.json" -> {
                JsonNode out = JSON.readTree(SampleEvents.invoke(handler, "refresh-er-table", body));
                assertEquals("IN_PROGRESS", out.path("status").asText(), out.toString());
                int calls = 1;
                while (out.path("status").asText().equals("IN_PROGRESS") && calls++ < 20) {
                    ObjectNode next = (ObjectNode) JSON.readTree(body);
                    next.put("queryExecutionId", out.path("queryExecutionId").asText())
                            .put("attempt", out.path("attempt").asText());
                    out = JSON.readTree(SampleEvents.invoke(handler, "refresh-er-table", next.toString()));
                }
                assertEquals("COMPLETE", out.path("status").asText(), out.toString());
                assertEquals("CREATED", out.path("action").asText());
                assertEquals(8, out.path("rows").asLong());
                assertTrue(out.path("location").asText().startsWith(
                        "s3://omc-flywheel-data-us-east-1-dev/omc_cleanroom_data/identity/acx_ids_er/snapshot_dt=2026-"
                                + "11-01/run="),
                        out.toString());
                assertEquals(out.path("location").asText(), glue.getTable(b -> b.databaseName("omc_flywheel_dev")
                        .name("part_addressable_ids_er")).table().storageDescriptor().location());
            }
            default -> fail("events/" + file + " has no expected outcome in this test: add one");
        }
    }
}
