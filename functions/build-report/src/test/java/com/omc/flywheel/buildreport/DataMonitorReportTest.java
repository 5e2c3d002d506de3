package com.omc.flywheel.buildreport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import com.omc.flywheel.local.fixtures.LakeBuilder;
import com.omc.flywheel.shared.AwsClients;
import com.omc.flywheel.shared.Events;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.athena.AthenaClient;
import software.amazon.awssdk.services.athena.model.Datum;
import software.amazon.awssdk.services.athena.model.QueryExecution;
import software.amazon.awssdk.services.athena.model.Row;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;

/** The data-monitor report against moto: the alerts of a lake with known faults, the files, the topic. */
class DataMonitorReportTest extends ReportFixture {
    static final List<String> SPEC_COLUMNS = List.of("input_source", "raw_input_snapshot_dt", "table", "location",
            "s3_partitions", "glue_partitions", "missing_glue_count", "table_type_ok", "contract_ok", "count_src",
            "count_part", "count_diff_pct", "pk_nulls", "pk_dupes", "file_issues_sample", "checked_at");

    /** Five tables: one healthy, one missing partitions, one with a broken SerDe, one stale, one with duplicate keys.
    * */
    private void lakeWithKnownFaults() {
        List<Integer> all = LakeBuilder.buckets(8);
        partTable("part_ibe_01", ROOT + "IBE_01/", 8, all);
        partTable("part_ibe_02", ROOT + "IBE_02/", 8, List.of(0, 1, 2, 3, 4));
        partTable("part_ibe_03", ROOT + "IBE_03/", 8, all);
        var t = GLUE.getTable(b -> b.databaseName(DB).name("part_ibe_03")).table();
        GLUE.updateTable(b -> b.databaseName(DB).tableInput(i -> i.name("part_ibe_03").tableType("EXTERNAL_TABLE")
                .partitionKeys(t.partitionKeys()).storageDescriptor(t.storageDescriptor().toBuilder()
                        .serdeInfo(s -> s.serializationLibrary("org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe"))
                                .build())));
        String staleRoot = "s3://" + DATA + "/omc_cleanroom_data/split_part/legacy_attributes/";
        partTable("part_miacs_01", staleRoot + "MIACS_01/", 8, all);
        partTable("part_miacs_02", ROOT + "MIACS_02/", 8, all);
        lake.table(new LakeBuilder.Table(DB, "part_addressable_ids_er", "s3://" + DATA + "/identity/", 2,
                LakeBuilder.Registration.UNPARTITIONED, List.of(), List.of(), Map.of()));
        for (String src : List.of("ext_ibe_01", "ext_ibe_02", "ext_ibe_03", "ext_miacs_01", "ext_miacs_02")) {
            lake.table(new LakeBuilder.Table(DB, src, "s3://" + DATA + "/split_cluster/" + src + "/", 5,
                    LakeBuilder.Registration.UNPARTITIONED, List.of(), List.of(), Map.of()));
        }
        put(DATA, "omc_cleanroom_data/split_part/infobase_attributes/metadata/snapshot_dt.txt", "2025-10-22\n");
        put(DATA, "omc_cleanroom_data/split_part/legacy_attributes/metadata/snapshot_dt.txt", "2025-01-01\n");
        put(DATA, "opus/infobase_attributes/raw_input/snapshot_dt=2025-09-22/_SUCCESS", "");
        put(DATA, "opus/infobase_attributes/raw_input/snapshot_dt=2025-10-22/_SUCCESS", "");
        // Per table, in name order: the table's (rows, NULL keys, duplicate rows), then the source's count.
        MOTO.athenaResults(List.of(
                List.of("1000", "0", "0"), List.of("1000"),
                List.of("1000", "0", "0"), List.of("1000"),
                List.of("1000", "0", "0"), List.of("1000"),
                List.of("1000", "0", "0"), List.of("1000"),
                List.of("1004", "0", "4"), List.of("1004")));
    }

    @Test
    void aLakeWithKnownFaultsGivesExactlyThoseAlertsInTodaysFiles() throws Exception {
        lakeWithKnownFaults();

        // The clock moves on at every reading: the report still has one time, read once at the start.
        BuildReportResult r = service(ticking(NOW)).build(request("build-report-data-monitor.json"));

        assertEquals(List.of("data-monitor/ACX_Data_Monitor_Report_2025-11-01.json",
                "data-monitor/ACX_Data_Monitor_Report_2025-11-01.csv"), r.reportKeys());
        JsonNode json = Events.mapper().readTree(read(r.reportKeys().get(0)));
        List<String> alerts = new ArrayList<>();
        json.get("alerts").forEach(a -> alerts.add(a.asText()));
        assertEquals(List.of(
                "part_ibe_02: Glue missing 3 partitions (e.g., [5, 6, 7])",
                "part_ibe_03: schema mismatch (EXTERNAL/Parquet/Serde)",
                "part_miacs_01: processed snapshot too old/missing (snap=2025-01-01)",
                "[PK_DUPES] part_miacs_02: customer_user_id duplicate rows=4"), alerts);
        assertEquals(4, r.issues());
        assertEquals(5, json.get("tables").size(), "every part_ table but the _er one");
        // The counts came from each table's own queries: the SQL Athena was sent, in order, and the
        // canned answer each query got (moto hands them out in that order and keeps each one's).
        List<String> tables = List.of("ibe_01", "ibe_02", "ibe_03", "miacs_01", "miacs_02");
        List<List<Object>> expected = new ArrayList<>();
        for (String t : tables) {
            boolean dupes = t.equals("miacs_02");
            expected.add(List.of(partQuery("part_" + t),
                    dupes ? List.of("1004", "0", "4") : List.of("1000", "0", "0")));
            expected.add(List.of("SELECT COUNT(*) FROM \"omc_flywheel_dev\".\"ext_" + t + "\"",
                    List.of(dupes ? "1004" : "1000")));
        }
        assertEquals(expected, queriesSent());
        assertEquals("ext", json.get("compare").get("type").asText());
        assertEquals("2025-11-01T02:00:00Z", json.get("generated_at").asText(), "today's %Y-%m-%dT%H:%M:%SZ");
        json.get("tables").forEach(t -> assertEquals("2025-11-01T02:00:00Z", t.get("checked_at").asText(),
                "checked_at is the run's one timestamp, as today"));
        // Today's members and values, in today's order, every one written (none dropped), then the new one.
        assertEquals(Events.mapper().readTree("{\"table\": \"part_ibe_01\", \"location\": \"" + ROOT + "IBE_01/\", "
                + "\"input_source\": \"s3://" + DATA + "/opus/infobase_attributes/raw_input/snapshot_dt=2025-10-22/\", "
                + "\"s3_partitions\": 8, \"glue_partitions\": 8, \"missing_glue_count\": 0, \"table_type_ok\": true, "
                + "\"contract_ok\": true, \"raw_input_snapshot_dt\": \"2025-10-22\", \"count_src\": 1000, "
                + "\"count_part\": 1000, \"count_diff_pct\": \"0.000000\", \"pk_nulls\": 0, \"pk_dupes\": 0, "
                + "\"file_issues_sample\": \"\", \"checked_at\": \"2025-11-01T02:00:00Z\", "
                + "\"processed_snapshot_dt\": \"2025-10-22\"}"), json.get("tables").get(0));
        String jsonText = read(r.reportKeys().get(0));
        assertTrue(jsonText.startsWith("{\n  \"database\": \"omc_flywheel_dev\",\n  \"prefix\": \"part_\",\n"),
                jsonText);
        assertTrue(jsonText.contains("      \"table\": \"part_ibe_01\",\n"), "json.dumps(indent=2)'s layout");

        String csvText = read(r.reportKeys().get(1));
        assertEquals(6, csvText.split("\r\n", -1).length - 1, "a header and 5 rows, each ending in CRLF");
        assertFalse(csvText.replace("\r\n", "").contains("\n"), "no bare LF");
        assertTrue(csvText.startsWith(String.join(",", SPEC_COLUMNS) + ",processed_snapshot_dt\r\n"
                + "s3://" + DATA + "/opus/infobase_attributes/raw_input/snapshot_dt=2025-10-22/,2025-10-22,part_ibe_01,"
                + ROOT + "IBE_01/,8,8,0,True,True,1000,1000,0.000000,0,0,,2025-11-01T02:00:00Z,2025-10-22\r\n"),
                        csvText);
        List<String[]> csv = parse(csvText);
        List<String> header = Arrays.asList(csv.get(0));
        assertEquals(SPEC_COLUMNS, header.subList(0, 16), "today's columns, in today's order");
        assertEquals("processed_snapshot_dt", header.get(16), "the new column comes last");
        String[] ibe01 = csv.get(1);
        assertEquals("part_ibe_01", ibe01[2]);
        assertEquals("2025-10-22", ibe01[1], "raw_input_snapshot_dt is the raw input's newest snapshot");
        assertEquals("s3://" + DATA + "/opus/infobase_attributes/raw_input/snapshot_dt=2025-10-22/", ibe01[0]);
        assertEquals("True", ibe01[7]);
        assertEquals("0.000000", ibe01[11]);
        assertEquals("", ibe01[14], "missing values are empty");
        assertEquals("2025-10-22", ibe01[16]);
        assertEquals(ServerSideEncryption.AES256, S3.headObject(b -> b.bucket(REPORTS).key(r.reportKeys().get(1)))
                .serverSideEncryption());

        assertTrue(r.alertPublished());
        var sent = MOTO.snsMessages();
        assertEquals(List.of("[DATA MONITOR] omc_flywheel_dev part_* — 4 issue(s)"),
                sent.stream().map(m -> m.subject()).toList(), "one message, the alert count in the subject");
        assertTrue(sent.get(0).message().startsWith("[DATA MONITOR] 4 issue(s) in omc_flywheel_dev (part_*)\n\n"
                + "part_ibe_02: Glue missing 3 partitions"), sent.get(0).message());
    }

    @Test
    void contractFileSizeAndUnreadableMarkerAlertsUseTodaysTextsAndAbsentValuesAreEmptyStrings() throws Exception {
        lake.table(new LakeBuilder.Table(DB, "part_ibe_04", ROOT + "IBE_04/", 5, LakeBuilder.Registration.KEY_AS_COLUMN,
                LakeBuilder.buckets(8), List.of(), Map.of()));
        var t = GLUE.getTable(b -> b.databaseName(DB).name("part_ibe_04")).table();
        GLUE.updateTable(b -> b.databaseName(DB).tableInput(i -> i.name("part_ibe_04").tableType("EXTERNAL_TABLE")
                .partitionKeys(t.partitionKeys()).storageDescriptor(t.storageDescriptor().toBuilder()
                        .columns(t.storageDescriptor().columns().stream()
                                .filter(c -> !c.name().equals("customer_user_id")).toList()).build())));
        String legacy = "s3://" + DATA + "/omc_cleanroom_data/split_part/legacy_attributes/";
        partTable("part_miacs_01", legacy + "MIACS_01/", 2, LakeBuilder.buckets(8));
        put(DATA, "omc_cleanroom_data/split_part/infobase_attributes/metadata/snapshot_dt.txt", "2025-10-22\n");
        put(DATA, "omc_cleanroom_data/split_part/legacy_attributes/metadata/snapshot_dt.txt", " 22/10/2025\n");

        BuildReportResult r = service().build(request("build-report-data-monitor.json", "\"countTolerancePct\": 0",
                "\"countCheckEnabled\": false, \"fileSizeCheck\": true"));

        JsonNode json = Events.mapper().readTree(read(r.reportKeys().get(0)));
        List<String> alerts = new ArrayList<>();
        json.get("alerts").forEach(a -> alerts.add(a.asText()));
        String ibe04 = "omc_cleanroom_data/split_part/infobase_attributes/IBE_04/";
        String miacs01 = "omc_cleanroom_data/split_part/legacy_attributes/MIACS_01/";
        assertEquals(List.of(
                "part_ibe_04: Glue missing 8 partitions (e.g., [0, 1, 2, 3, 4])",
                "part_ibe_04: schema contract issues: missing required column customer_user_id, "
                        + "partition key must be [id_bucket], got []",
                "part_ibe_04: file-size issues (sample): ['id_bucket=0 object " + ibe04
                        + "id_bucket=0/part-00000.snappy.parquet "
                        + "size=0.0MB', 'id_bucket=1 object " + ibe04
                                + "id_bucket=1/part-00000.snappy.parquet size=0.0MB', "
                        + "'id_bucket=2 object " + ibe04 + "id_bucket=2/part-00000.snappy.parquet size=0.0MB']...",
                "part_miacs_01: S3 has 2/8 id_bucket partitions",
                "part_miacs_01: processed snapshot too old/missing (snap=22/10/2025)",
                "part_miacs_01: file-size issues (sample): ['id_bucket=0 object " + miacs01
                        + "id_bucket=0/part-00000.snappy.parquet size=0.0MB', 'id_bucket=1 object " + miacs01
                        + "id_bucket=1/part-00000.snappy.parquet size=0.0MB']..."), alerts);
        JsonNode row = json.get("tables").get(0);
        for (String empty : List.of("count_src", "count_part", "count_diff_pct", "pk_nulls", "pk_dupes")) {
            assertEquals("", row.get(empty).textValue(), empty + " is \"\" when the count check is off, as today");
        }
        assertEquals("id_bucket=0 object " + ibe04 + "id_bucket=0/part-00000.snappy.parquet size=0.0MB;id_bucket=1 "
                + "object "
                + ibe04 + "id_bucket=1/part-00000.snappy.parquet size=0.0MB;id_bucket=2 object " + ibe04
                + "id_bucket=2/part-00000.snappy.parquet size=0.0MB", row.get("file_issues_sample").textValue());
        assertFalse(row.get("contract_ok").booleanValue());
        assertEquals("", row.get("input_source").textValue(), "no raw input found: \"\", as today");
        assertEquals("22/10/2025", json.get("tables").get(1).get("processed_snapshot_dt").textValue());
        String[] csvRow = parse(read(r.reportKeys().get(1))).get(1);
        assertEquals(List.of("", "", "", "", ""), Arrays.asList(csvRow).subList(9, 14));
    }

    @Test
    void aCountCheckThatFindsNoSourceLeavesTheCountsNullAndTheOthersEmpty() throws Exception {
        partTable("part_ibe_01", ROOT + "IBE_01/", 8, LakeBuilder.buckets(8));
        put(DATA, "omc_cleanroom_data/split_part/infobase_attributes/metadata/snapshot_dt.txt", "2025-10-22");
        MOTO.athenaResults(List.of(List.of("1000", "0", "0")));

        BuildReportResult r = service().build(request("build-report-data-monitor.json"));

        JsonNode row = Events.mapper().readTree(read(r.reportKeys().get(0))).get("tables").get(0);
        assertTrue(row.get("count_src").isNull(), "today: None, written as null");
        assertEquals(1000, row.get("count_part").asInt());
        assertEquals("", row.get("count_diff_pct").textValue());
        assertEquals(0, row.get("pk_nulls").asInt());
        String[] csvRow = parse(read(r.reportKeys().get(1))).get(1);
        assertEquals(List.of("", "1000", "", "0", "0"), Arrays.asList(csvRow).subList(9, 14));
    }

    @Test
    void theFreshnessWindowCountsFromTheMarkersMidnightAsToday() {
        java.time.Instant now = java.time.Instant.parse("2025-11-01T02:00:00Z");
        assertFalse(DataMonitorReport.tooOld("2025-09-17", java.time.Instant.parse("2025-11-01T00:00:00Z"), 45));
        assertTrue(DataMonitorReport.tooOld("2025-09-17", now, 45), "45 days and 2 hours is over 45 days");
        assertFalse(DataMonitorReport.tooOld("2025-9-18", now, 45), "strptime's %m and %d take one digit");
        assertTrue(DataMonitorReport.tooOld("2025-02-30", now, 45));
        assertTrue(DataMonitorReport.tooOld("2025-10-22 extra", now, 45));
        assertTrue(DataMonitorReport.tooOld(null, now, 45));
    }

    @Test
    void aRerunTheSameDayOverwritesTheSameKeysWithTheSameContent() {
        lakeWithKnownFaults();
        BuildReportResult first = service().build(request("build-report-data-monitor.json", "\"countTolerancePct\": 0",
                "\"countCheckEnabled\": false"));
        String csv = read(first.reportKeys().get(1));
        BuildReportResult second = service().build(request("build-report-data-monitor.json", "\"countTolerancePct\": 0",
                "\"countCheckEnabled\": false"));
        assertEquals(first.reportKeys(), second.reportKeys());
        assertEquals(csv, read(second.reportKeys().get(1)), "deterministic: sorted, same clock");
    }

    @Test
    void aFailedQueryIsAnAlertForItsTableNotACrash() throws Exception {
        partTable("part_ibe_01", ROOT + "IBE_01/", 8, LakeBuilder.buckets(8));
        put(DATA, "omc_cleanroom_data/split_part/infobase_attributes/metadata/snapshot_dt.txt", "2025-10-22");
        MOTO.athenaResults(List.of(List.of("not-a-number", "0", "0")));

        BuildReportResult r = service().build(request("build-report-data-monitor.json"));

        JsonNode json = Events.mapper().readTree(read(r.reportKeys().get(0)));
        List<String> alerts = new ArrayList<>();
        json.get("alerts").forEach(a -> alerts.add(a.asText()));
        assertTrue(alerts.contains("part_ibe_01: source table not found omc_flywheel_dev.ext_ibe_01; count match "
                + "skipped"),
                alerts.toString());
        assertTrue(alerts.stream().anyMatch(a -> a.startsWith("part_ibe_01: error during counts/key checks:")),
                alerts.toString());
    }

    @Test
    void anSnsMessageOverTheLimitIsCutWithACountNeverDropped() {
        List<String> alerts = new ArrayList<>();
        for (int i = 0; i < 80; i++) {
            alerts.add("part_t" + i + ": " + "x".repeat(6_000));
        }
        String message = BuildReportService.alertMessage(request("build-report-data-monitor.json"), alerts);
        assertTrue(message.getBytes(java.nio.charset.StandardCharsets.UTF_8)
                .length <= BuildReportService.SNS_MAX_BYTES);
        assertTrue(message.startsWith("[DATA MONITOR] 80 issue(s) in omc_flywheel_dev (part_*)\n\n"));
        assertTrue(message.matches("(?s).*\\.\\.\\. and [0-9]+ more \\(see the report in s3://.*"), message.substring(
                message.length() - 200));
    }

    @Test
    void theSnsBodyIsTodaysHeaderAndTheFirst50AlertsWithNoTrailer() {
        List<String> alerts = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            alerts.add("part_t" + i + ": S3 has 0/256 id_bucket partitions");
        }
        String message = BuildReportService.alertMessage(request("build-report-data-monitor.json"), alerts);
        assertEquals("[DATA MONITOR] 60 issue(s) in omc_flywheel_dev (part_*)\n\n"
                + String.join("\n", alerts.subList(0, 50)),
                message);
    }

    /**
     * The count, NULL-key and duplicate-row query of a table, as the report must send it: the key
     * column's values grouped, summed as (rows, rows with a NULL key, rows of a key seen more than once).
     */
    static String partQuery(String table) {
        return "SELECT COALESCE(SUM(c), 0), COALESCE(SUM(CASE WHEN k IS NULL THEN c ELSE 0 END), 0), "
                + "COALESCE(SUM(CASE WHEN k IS NOT NULL AND c > 1 THEN c ELSE 0 END), 0) "
                + "FROM (SELECT \"customer_user_id\" AS k, COUNT(*) AS c FROM \"omc_flywheel_dev\".\"" + table + "\" "
                + "GROUP BY \"customer_user_id\")";
    }

    /** Every query Athena (moto) was sent, oldest first: its SQL and the first data row it answered. */
    static List<List<Object>> queriesSent() {
        try (AthenaClient athena = AwsClients.build(AthenaClient.builder())) {
            List<List<Object>> sent = new ArrayList<>();
            for (String id : athena.listQueryExecutions(b -> { }).queryExecutionIds()) {
                QueryExecution q = athena.getQueryExecution(b -> b.queryExecutionId(id)).queryExecution();
                assertEquals("primary", q.workGroup(), "the report's workgroup: " + q);
                List<Row> rows = athena.getQueryResults(b -> b.queryExecutionId(id)).resultSet().rows();
                sent.add(List.of(q.query(), rows.size() < 2 ? List.of()
                        : rows.get(1).data().stream().map(Datum::varCharValue).toList()));
            }
            return sent;
        }
    }

    static List<String[]> parse(String csv) throws Exception {
        CsvMapper mapper = new CsvMapper().enable(CsvParser.Feature.WRAP_AS_ARRAY);
        List<String[]> rows = new ArrayList<>();
        try (MappingIterator<String[]> it = mapper.readerFor(String[].class).readValues(csv)) {
            it.forEachRemaining(rows::add);
        }
        return rows;
    }
}
