package com.omc.flywheel.buildreport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import com.omc.flywheel.local.LakeBuilder;
import com.omc.flywheel.shared.Events;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;

/** The data-monitor report against moto: the alerts of a lake with known faults, the files, the topic. */
class DataMonitorReportTest extends ReportFixture {
    static final List<String> SPEC_COLUMNS = List.of("input_source", "raw_input_snapshot_dt", "table", "location",
            "s3_partitions", "glue_partitions", "missing_glue_count", "table_type_ok", "contract_ok", "count_src",
            "count_part", "count_diff_pct", "pk_nulls", "pk_dupes", "file_issues_sample", "checked_at");

    /** Five tables: one healthy, one missing partitions, one with a broken SerDe, one stale, one with duplicate keys. */
    private void lakeWithKnownFaults() {
        List<Integer> all = LakeBuilder.buckets(8);
        partTable("part_ibe_01", ROOT + "IBE_01/", 8, all);
        partTable("part_ibe_02", ROOT + "IBE_02/", 8, List.of(0, 1, 2, 3, 4));
        partTable("part_ibe_03", ROOT + "IBE_03/", 8, all);
        var t = GLUE.getTable(b -> b.databaseName(DB).name("part_ibe_03")).table();
        GLUE.updateTable(b -> b.databaseName(DB).tableInput(i -> i.name("part_ibe_03").tableType("EXTERNAL_TABLE")
                .partitionKeys(t.partitionKeys()).storageDescriptor(t.storageDescriptor().toBuilder()
                        .serdeInfo(s -> s.serializationLibrary("org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe")).build())));
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

        BuildReportResult r = service().build(request("build-report-data-monitor.json"));

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
        assertEquals("ext", json.get("compare").get("type").asText());

        List<String[]> csv = parse(read(r.reportKeys().get(1)));
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
        assertTrue(alerts.contains("part_ibe_01: source table not found omc_flywheel_dev.ext_ibe_01; count match skipped"),
                alerts.toString());
        assertTrue(alerts.stream().anyMatch(a -> a.startsWith("part_ibe_01: error during counts/key checks:")), alerts.toString());
    }

    @Test
    void anSnsMessageOverTheLimitIsCutWithACountNeverDropped() {
        List<String> alerts = new ArrayList<>();
        for (int i = 0; i < 80; i++) {
            alerts.add("part_t" + i + ": " + "x".repeat(5_000));
        }
        String message = BuildReportService.alertMessage(request("build-report-data-monitor.json"), alerts);
        assertTrue(message.getBytes(java.nio.charset.StandardCharsets.UTF_8).length <= BuildReportService.SNS_MAX_BYTES);
        assertTrue(message.startsWith("[DATA MONITOR] 80 issue(s) in omc_flywheel_dev (part_*)\n\n"));
        assertTrue(message.matches("(?s).*\\.\\.\\. and [0-9]+ more \\(see the report in s3://.*"), message.substring(
                message.length() - 200));
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
