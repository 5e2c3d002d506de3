package com.omc.flywheel.buildreport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.omc.flywheel.shared.Events;
import com.omc.flywheel.shared.errors.InvalidInputException;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The SHADOW report's event and what it lists: a shadow run's results, one line a change. */
class ShadowRunSummaryTest {
    private static final String RESULTS = """
            {"split": [{"step": "SplitAddressableIds", "skipped": true}, {"step": "SplitInfobase", "skipped": true}],
             "register": [{"step": "RegisterAddressableIds", "skipped": true},
                          {"step": "RegisterInfobase", "skipped": true}],
             "repair": {"step": "RepairPartitions", "summary": {"tables": 29, "failed": 0, "partitionsAdded": 0,
                        "remaining": 0, "partitionsToAdd": 2048}},
             "er": [{"step": "BuildErTable", "result": {"table": "shadow_part_addressable_ids_er",
                     "shadowOf": "part_addressable_ids_er", "location": "s3://d/er/shadow/snapshot_dt=2026-11-30/r/",
                     "rows": 32}}],
             "associate": {"actions": {"CREATE_ASSOCIATION": 2}, "skippedForQuota": 0},
             "reports": [{"report": "DATA_MONITOR", "issues": 3,
                          "reportKeys": ["shadow/data-monitor/ACX_Data_Monitor_Report_2026-12-01.json"]}]}""";

    private static BuildReportRequest request(String shadowRun, String extra) {
        String json = "{\"report\": \"SHADOW\", \"database\": \"omc_flywheel_dev\", \"tablePrefix\": \"part_\", "
                + "\"reportBucket\": \"reports\"" + extra + (shadowRun == null ? "" : ", \"shadowRun\": " + shadowRun)
                + "}";
        return Events.read(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)), BuildReportRequest.class);
    }

    @Test
    void everyChangeARefreshWouldMakeIsOneLineInTheOrderTheRefreshRuns() {
        BuildReportRequest r = request("{\"results\": " + RESULTS + ", \"snapshotDt\": \"2026-11-30\", "
                + "\"repairAllowed\": false}", "");

        ShadowRunSummary s = ShadowRunSummary.of(r, Instant.parse("2026-12-01T03:00:00Z"));

        assertEquals("shadow/", r.reportPrefix());
        assertEquals(List.of(
                "SplitAddressableIds: would start its Glue job (a shadow run starts none; it read the snapshot the "
                        + "last jobs wrote)",
                "SplitInfobase: would start its Glue job (a shadow run starts none; it read the snapshot the last "
                        + "jobs wrote)",
                "RegisterAddressableIds: would start its Glue job (a shadow run starts none; it read the snapshot "
                        + "the last jobs wrote)",
                "RegisterInfobase: would start its Glue job (a shadow run starts none; it read the snapshot the last "
                        + "jobs wrote)",
                "RepairPartitions: would add 2048 partitions in 29 tables (dry run: none added; --shadow repair "
                        + "allows it)",
                "BuildErTable: would re-point part_addressable_ids_er to a new folder (built as "
                        + "shadow_part_addressable_ids_er at s3://d/er/shadow/snapshot_dt=2026-11-30/r/, 32 rows)",
                "AssociateTables: would create association 2 (dry run: the plan only, nothing changed in Clean Rooms)",
                "DataMonitorReport: would write s3://reports/data-monitor/ACX_Data_Monitor_Report_2026-12-01.json "
                        + "(written as shadow/data-monitor/ACX_Data_Monitor_Report_2026-12-01.json)",
                "DataMonitorReport: would publish 3 alert(s) under today's subject (published with the subject "
                        + "prefix [SHADOW])"), s.wouldChange());
        assertEquals("s3://reports/shadow/", s.json().get("reportsPrefix").asText());
        assertEquals("[\"shadow/data-monitor/ACX_Data_Monitor_Report_2026-12-01.json\"]",
                s.json().get("reportKeys").toString());
        assertEquals("2026-11-30", s.json().get("snapshotDt").asText());
    }

    @Test
    void theShadowFlagMovesAReportUnderShadowAndItsAthenaResultsToo() {
        String json = "{\"report\": \"DATA_MONITOR\", \"database\": \"db\", \"tablePrefix\": \"part_\", "
                + "\"reportBucket\": \"reports\", \"athenaResults\": \"s3://reports/query-results/monitor/\", "
                + "\"shadow\": true}";
        BuildReportRequest r = Events.read(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)),
                BuildReportRequest.class);

        assertEquals("shadow/data-monitor/", r.reportPrefix());
        assertEquals("s3://reports/query-results/monitor/shadow/", r.athenaResults());
    }

    @Test
    void aBadShadowEventIsRefusedNamingTheField() {
        assertEquals("shadowRun", assertThrows(InvalidInputException.class, () -> request(null, "")).field());
        assertEquals("shadowRun.extra", assertThrows(InvalidInputException.class,
                () -> request("{\"results\": {}, \"snapshotDt\": \"2026-11-30\", \"extra\": 1}", "")).field());
        assertEquals("shadowRun.snapshotDt", assertThrows(InvalidInputException.class,
                () -> request("{\"results\": {}, \"snapshotDt\": \"30.11.2026\"}", "")).field());
        assertEquals("shadowRun.repairAllowed", assertThrows(InvalidInputException.class,
                () -> request("{\"results\": {}, \"snapshotDt\": \"2026-11-30\", \"repairAllowed\": \"no\"}", ""))
                .field());
        assertEquals("shadow", assertThrows(InvalidInputException.class,
                () -> request("{\"results\": {}, \"snapshotDt\": \"2026-11-30\"}", ", \"shadow\": false")).field());
    }
}
