package com.omc.flywheel.msckrepair;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.omc.flywheel.local.fixtures.SampleEvents;
import com.omc.flywheel.shared.AwsClients;
import com.omc.flywheel.shared.errors.InvalidInputException;
import com.omc.flywheel.shared.errors.PartialFailureException;
import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import software.amazon.awssdk.services.athena.AthenaClient;
import software.amazon.awssdk.services.glue.GlueClient;
import software.amazon.awssdk.services.s3.S3Client;

/** Every events/msck-repair*.json, through the handler Lambda calls, with its intended outcome. */
class MsckRepairSampleEventsTest extends LakeFixture {

    @TestFactory
    List<DynamicTest> everySampleEvent() {
        List<String> files = SampleEvents.forFunction("msck-repair");
        assertTrue(files.size() >= 6, "sample events: " + files);
        return files.stream().map(f -> DynamicTest.dynamicTest(f, () -> run(f))).toList();
    }

    private void run(String file) {
        resetLake();
        String body = SampleEvents.read(file);
        if (file.contains("-invalid-")) {
            URI nowhere = URI.create("http://127.0.0.1:9");
            MsckRepairService unreachable = new MsckRepairService(
                    AwsClients.build(GlueClient.builder().endpointOverride(nowhere)),
                    AwsClients.build(S3Client.builder().endpointOverride(nowhere)),
                    AwsClients.build(AthenaClient.builder().endpointOverride(nowhere)),
                    MsckRepairHandler.pool(1), MsckRepairHandler.settings());
            InvalidInputException e = assertThrows(InvalidInputException.class,
                    () -> SampleEvents.invoke(new MsckRepairHandler(unreachable, 60), "msck-repair", body));
            assertFalse(e.field().isEmpty(), e.getMessage());
            return;
        }
        partitioned("part_ibe_01", 4, List.of(0));
        MsckRepairHandler handler = new MsckRepairHandler();
        switch (file) {
            case "msck-repair.json" -> {
                String out = SampleEvents.invoke(handler, "msck-repair", body);
                assertTrue(out.contains("\"status\":\"COMPLETE\"") && out.contains("\"partitionsAdded\":3"), out);
                assertEquals(4, catalogPartitions("part_ibe_01").size());
            }
            case "msck-repair-continuation.json" -> {
                partitioned("part_ibe_02", 4, List.of());
                String out = SampleEvents.invoke(handler, "msck-repair", body);
                assertTrue(out.contains("\"status\":\"COMPLETE\""), out);
                assertEquals(1, catalogPartitions("part_ibe_01").size(),
                        "the token says part_ibe_01 is done: untouched");
                assertEquals(4, catalogPartitions("part_ibe_02").size());
                assertTrue(out.contains("\"table\":\"part_ibe_01\",\"action\":\"SYNCED\",\"partitionsAdded\":6"), out);
            }
            case "msck-repair-athena.json" -> {
                String out = SampleEvents.invoke(handler, "msck-repair", body);
                assertTrue(out.contains("\"status\":\"IN_PROGRESS\"") && out.contains("\"queryExecutionIds\":["), out);
            }
            case "msck-repair-tables.json" -> {
                PartialFailureException e = assertThrows(PartialFailureException.class,
                        () -> SampleEvents.invoke(handler, "msck-repair", body));
                assertEquals(List.of("part_ibe_02"), e.failed());
                assertEquals(4, catalogPartitions("part_ibe_01").size());
            }
            default -> fail("events/" + file + " has no expected outcome in this test: add one");
        }
    }
}
