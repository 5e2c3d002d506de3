package com.omc.flywheel.buildreport;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.omc.flywheel.local.cleanrooms.CleanRoomsStandIn;
import com.omc.flywheel.local.fixtures.SampleEvents;
import com.omc.flywheel.shared.AwsClients;
import com.omc.flywheel.shared.errors.InvalidInputException;
import java.net.URI;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import software.amazon.awssdk.services.athena.AthenaClient;
import software.amazon.awssdk.services.cleanrooms.CleanRoomsClient;
import software.amazon.awssdk.services.entityresolution.EntityResolutionClient;
import software.amazon.awssdk.services.glue.GlueClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sns.SnsClient;

/** Every events/build-report*.json through the handler, with its intended outcome. */
class BuildReportSampleEventsTest extends ReportFixture {

    @TestFactory
    List<DynamicTest> everySampleEvent() {
        List<String> files = SampleEvents.forFunction("build-report");
        assertTrue(files.size() >= 4, "sample events: " + files);
        return files.stream().map(f -> DynamicTest.dynamicTest(f, () -> run(f))).toList();
    }

    private void run(String file) {
        reset();
        String body = SampleEvents.read(file);
        if (file.contains("-invalid-")) {
            URI nowhere = URI.create("http://127.0.0.1:9");
            BuildReportService unreachable = new BuildReportService(
                    AwsClients.build(GlueClient.builder().endpointOverride(nowhere)),
                    AwsClients.build(S3Client.builder().endpointOverride(nowhere)),
                    AwsClients.build(AthenaClient.builder().endpointOverride(nowhere)),
                    AwsClients.build(SnsClient.builder().endpointOverride(nowhere)),
                    AwsClients.build(CleanRoomsClient.builder().endpointOverride(nowhere)),
                    AwsClients.build(EntityResolutionClient.builder().endpointOverride(nowhere)),
                    BuildReportHandler.pool(1), ReportSettings.fromEnvironment(), Clock.systemUTC());
            InvalidInputException e = assertThrows(InvalidInputException.class,
                    () -> SampleEvents.invoke(new BuildReportHandler(unreachable), "build-report", body));
            assertFalse(e.field().isEmpty(), e.getMessage());
            return;
        }
        partTable("part_ibe_01", ROOT + "IBE_01/", 8, List.of(0, 1, 2, 3, 4, 5, 6, 7));
        BuildReportHandler handler = new BuildReportHandler(service());
        switch (file) {
            case "build-report-data-monitor.json" -> {
                MOTO.athenaResults(List.of(List.of("10", "0", "0")));
                String out = SampleEvents.invoke(handler, "build-report", body);
                assertTrue(out.contains("ACX_Data_Monitor_Report_2025-11-01.csv")
                        && out.contains("\"alertPublished\":true"), out);
                // Today's formats: json.dumps(indent=2), absent counts null / "", CRLF lines.
                String json = read("data-monitor/ACX_Data_Monitor_Report_2025-11-01.json");
                assertTrue(json.contains("\n      \"count_src\": null,\n      \"count_part\": 10,\n      "
                        + "\"count_diff_pct\": \"\",\n"
                        + "      \"pk_nulls\": 0,\n      \"pk_dupes\": 0,\n      \"file_issues_sample\": \"\",\n"
                        + "      \"checked_at\": \"2025-11-01T02:00:00Z\",\n"), json);
                String csv = read("data-monitor/ACX_Data_Monitor_Report_2025-11-01.csv");
                assertTrue(csv.endsWith(",,10,,0,0,,2025-11-01T02:00:00Z,\r\n"), csv);
            }
            case "build-report-cleanrooms.json" -> {
                STAND_IN.collaboration("AMC", List.of(new CleanRoomsStandIn.Member("111111111111", "AMC Service",
                        List.of("CAN_QUERY"))), REPORTS, CleanRoomsReportTest.MEMBERSHIP);
                String out = SampleEvents.invoke(handler, "build-report", body);
                assertTrue(out.contains("ACX_Cleanroom_Report_AMC_20251101_Tables.csv"), out);
                String json = read("cleanrooms-reports/ACX_Cleanroom_Report_AMC_20251101.json");
                assertTrue(json.contains("\"configured_table\": {\n        \"exists\": false,\n        \"id\": null,\n"
                        + "        \"name\": null,\n        \"allowed_columns_count\": 0,\n        "
                                + "\"allowed_columns\": [],\n"
                        + "        \"analysis_method\": \"N/A\"\n      },"), json);
                assertTrue(read("cleanrooms-reports/ACX_Cleanroom_Report_AMC_20251101_Tables.csv")
                        .endsWith("AMC,part_ibe_01,Yes,5,id_bucket,No,N/A,N/A,0,N/A,No,N/A,No,N/A,No,No,No\r\n"));
            }
            default -> fail("events/" + file + " has no expected outcome in this test: add one ");
        }
    }
}
