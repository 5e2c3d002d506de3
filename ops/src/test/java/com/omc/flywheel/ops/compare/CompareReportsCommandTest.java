package com.omc.flywheel.ops.compare;

import static com.omc.flywheel.ops.compare.ReportFixtures.CLEANROOMS_JSON;
import static com.omc.flywheel.ops.compare.ReportFixtures.IDENTITY_CSV;
import static com.omc.flywheel.ops.compare.ReportFixtures.MONITOR_CSV;
import static com.omc.flywheel.ops.compare.ReportFixtures.MONITOR_JSON;
import static com.omc.flywheel.ops.compare.ReportFixtures.TABLES_CSV;
import static com.omc.flywheel.ops.compare.ReportFixtures.copy;
import static com.omc.flywheel.ops.compare.ReportFixtures.editCsv;
import static com.omc.flywheel.ops.compare.ReportFixtures.editJson;
import static com.omc.flywheel.ops.compare.ReportFixtures.row;
import static com.omc.flywheel.ops.compare.ReportFixtures.run;
import static com.omc.flywheel.ops.compare.ReportFixtures.setCell;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * compare-reports on fixtures of today's reports (written by Python's json and csv modules, as today's
 * scripts write them) and of build-report's: what it finds, how it classifies it, and its exit code.
 */
class CompareReportsCommandTest {
    @TempDir
    Path tmp;

    private Path today() {
        return copy("today", tmp.resolve("today"));
    }

    private Path todayAgain() {
        return copy("today", tmp.resolve("new"));
    }

    private ReportFixtures.Run compare(Path today, Path now, String... more) {
        List<String> args = new ArrayList<>(List.of(today.toString(), now.toString()));
        args.addAll(List.of(more));
        return run(tmp.resolve("out"), args.toArray(String[]::new));
    }

    @Test
    void identicalReportsExitZeroWithNoDifference() {
        ReportFixtures.Run r = compare(today(), todayAgain());
        assertEquals(0, r.exit(), r.err());
        assertEquals(List.of(), r.differences(null));
        assertEquals(5, r.report().path("files").size(), "every file paired: " + r.report().path("files"));
        assertTrue(r.out().contains("no unexplained difference (0 deliberate, 0 run-time)"), r.out());
        r.report().path("files").forEach(f -> assertEquals(f.path("today").asText(), f.path("new").asText()));
    }

    @Test
    void runTimeOnlyDifferencesExitZeroAndAreListed() throws IOException {
        Path today = today();
        Path now = todayAgain();
        editJson(now.resolve(MONITOR_JSON), r -> {
            r.put("generated_at", "2025-11-02T03:00:00Z");
            r.get("tables").forEach(t -> ((ObjectNode) t)
                    .put("checked_at", "2025-11-02T03:00:00Z"));
        });
        editCsv(now.resolve(MONITOR_CSV), records -> {
            int c = records.get(0).indexOf("checked_at");
            records.stream().skip(1).forEach(row -> row.set(c, "2025-11-02T03:00:00Z"));
            return records;
        });
        editJson(now.resolve(CLEANROOMS_JSON), r -> r.put("generated_at", "2025-11-02T03:01:07Z"));
        // The runs were on different days: every file's name carries the other date.
        for (String f : ReportFixtures.TODAY_FILES) {
            Path p = now.resolve(f);
            Files.move(p, p.resolveSibling(p.getFileName().toString().replace("2025-11-01", "2025-11-02")
                    .replace("20251101", "20251102")));
        }
        ReportFixtures.Run r = compare(today, now);
        assertEquals(0, r.exit(), r.out() + r.err());
        assertEquals(List.of(), r.differences("UNEXPLAINED"));
        assertEquals(List.of(), r.differences("DELIBERATE"));
        Set<String> fields = new TreeSet<>();
        r.differences("RUN_TIME").forEach(d -> fields.add(d.path("field").asText()));
        assertEquals(Set.of("(report date)", "generated_at", "checked_at"), fields);
        // 5 dates in names, 2 generated_at, checked_at in 3 JSON rows and 3 CSV rows
        assertEquals(13, r.differences("RUN_TIME").size(), r.out());
        assertTrue(r.out().contains("run-time:\n"), r.out());
        assertTrue(r.out().contains("member checked_at changed in 3 rows (part_addressable_ids, part_ibe_01, "
                + "part_ibe_02): the time of each run"), r.out());
        assertTrue(r.out().contains("the report date in the file name changed (TODAY \"2025-11-01\", NEW "
                + "\"2025-11-02\")"), r.out());
    }

    @Test
    void aTimestampInAnotherFormatIsUnexplained() {
        Path now = todayAgain();
        editJson(now.resolve(MONITOR_JSON), r -> r.put("generated_at", "2025-11-01T02:47:13.123Z"));
        ReportFixtures.Run r = compare(today(), now);
        assertEquals(1, r.exit());
        JsonNode d = r.differences("UNEXPLAINED").get(0);
        assertEquals("generated_at", d.path("field").asText());
    }

    @Test
    void oneChangedCellExitsOneNamingTheFileTheTableAndTheColumn() {
        Path now = todayAgain();
        setCell(now.resolve(MONITOR_CSV), "table", "part_ibe_01", "s3_partitions", "255");
        ReportFixtures.Run r = compare(today(), now);
        assertEquals(1, r.exit(), r.out());
        List<JsonNode> all = r.differences(null);
        assertEquals(1, all.size(), all.toString());
        JsonNode d = all.get(0);
        assertEquals("UNEXPLAINED", d.path("category").asText());
        assertEquals(MONITOR_CSV, d.path("file").asText());
        assertEquals("part_ibe_01", d.path("table").asText());
        assertEquals("s3_partitions", d.path("field").asText());
        assertEquals("256", d.path("today").asText());
        assertEquals("255", d.path("new").asText());
        assertTrue(r.out().contains("unexplained:\n  " + MONITOR_CSV + ", table part_ibe_01: column s3_partitions "
                + "changed: TODAY \"256\", NEW \"255\"\n"), r.out());
        assertTrue(r.out().contains("1 unexplained difference (0 deliberate, 0 run-time)"), r.out());
    }

    @Test
    void theReportsAreWrittenToOutAndPrintedWithJson() throws IOException {
        Path now = todayAgain();
        editJson(now.resolve(CLEANROOMS_JSON), r -> ((ObjectNode)
                row(r, "part_ibe_01").get("glue_table")).put("column_count", 5));
        ReportFixtures.Run r = compare(today(), now, "--json");
        assertEquals(1, r.exit());
        JsonNode printed = new ObjectMapper().readTree(r.out());
        assertEquals(r.report(), printed, "--json prints the JSON report it writes");
        assertEquals("glue_table.column_count", printed.path("differences").get(0).path("field").asText());
        String md = Files.readString(tmp.resolve("out").resolve(CompareReportsCommand.MARKDOWN));
        assertTrue(md.contains("| " + CLEANROOMS_JSON + " | part_ibe_01 | member glue_table.column_count changed | 4 "
                + "| 5 |"), md);
    }

    @Test
    void todaysFixtureAgainstBuildReportsHasOnlyDeliberateAndRunTimeDifferences() {
        ReportFixtures.Run r = compare(ReportFixtures.fixture("today"), ReportFixtures.fixture("new"));
        assertEquals(0, r.exit(), r.out());
        assertEquals(List.of(), r.differences("UNEXPLAINED"));
        Set<DeliberateDifference> seen = EnumSet.noneOf(DeliberateDifference.class);
        r.differences("DELIBERATE").forEach(d -> {
            DeliberateDifference dd = DeliberateDifference.valueOf(d.path("deliberate").asText());
            seen.add(dd);
            assertEquals(dd.reference(), d.path("reference").asText());
        });
        Set<DeliberateDifference> expected = EnumSet.allOf(DeliberateDifference.class);
        expected.remove(DeliberateDifference.SNS_BODY_CUT);
        expected.remove(DeliberateDifference.REPORT_NAME_OPTIONS); // the fixtures use today's names
        assertEquals(expected, seen);
        assertEquals(8, r.differences("RUN_TIME").size(), r.out());
    }

    @Test
    void theOtherWayRoundTheFixesAreUnexplained() {
        ReportFixtures.Run r = compare(ReportFixtures.fixture("new"), ReportFixtures.fixture("today"));
        assertEquals(1, r.exit());
        Set<String> unexplained = new TreeSet<>();
        r.differences("UNEXPLAINED").forEach(d -> unexplained.add(d.path("field").asText()));
        assertTrue(unexplained.containsAll(Set.of("processed_snapshot_dt", "compare.type", "(file)",
                "membership_results_delivery.result_receiver_accounts", "status.ready_for_analysis")), unexplained
                .toString());
    }

    @Test
    void aTableOnOneSideOnlyIsOneDifferenceAndTheRestIsCompared() {
        Path now = todayAgain();
        editCsv(now.resolve(MONITOR_CSV), records -> {
            records.removeIf(row -> row.get(2).equals("part_ibe_02"));
            List<String> added = new ArrayList<>(records.get(1));
            added.set(2, "part_ibe_09");
            records.add(added);
            return records;
        });
        editJson(now.resolve(CLEANROOMS_JSON), r -> ((ArrayNode) r.get("tables"))
                .remove(3));
        ReportFixtures.Run r = compare(today(), now);
        assertEquals(1, r.exit());
        List<String> seen = r.differences("UNEXPLAINED").stream().map(d -> d.path("file").asText() + " "
                + d.path("table").asText() + " " + d.path("change").asText() + " " + d.path("field").asText(null))
                .toList();
        assertEquals(List.of(MONITOR_CSV + " part_ibe_02 ONLY_TODAY null", MONITOR_CSV + " part_ibe_09 ONLY_NEW null",
                CLEANROOMS_JSON + " part_n_a_a ONLY_TODAY null"), seen);
        assertEquals(4, r.report().path("files").get(1).path("rows").asInt(), "rows counted on both sides");
    }

    @Test
    void aChangedColumnOrderIsOneDifferenceAndTheCellsAreComparedByName() {
        Path now = todayAgain();
        editCsv(now.resolve(TABLES_CSV), records -> {
            for (List<String> row : records) {
                row.add(1, row.remove(2)); // glue_exists before table_name
            }
            return records;
        });
        ReportFixtures.Run r = compare(today(), now);
        assertEquals(1, r.exit());
        List<JsonNode> all = r.differences(null);
        assertEquals(1, all.size(), all.toString());
        assertEquals("ORDER", all.get(0).path("change").asText());
        assertEquals("(columns)", all.get(0).path("field").asText());
        assertTrue(all.get(0).path("new").asText().startsWith("collaboration_name, glue_exists, table_name"));
        assertTrue(r.out().contains("the order of the columns differs"), r.out());
    }

    @Test
    void aChangedRowOrderOrMemberOrderIsADifference() {
        Path now = todayAgain();
        editCsv(now.resolve(MONITOR_CSV), records -> {
            records.add(records.remove(1));
            return records;
        });
        editJson(now.resolve(MONITOR_JSON), r -> {
            var compare = (ObjectNode) r.get("compare");
            compare.set("enabled", compare.remove("enabled"));
        });
        ReportFixtures.Run r = compare(today(), now);
        assertEquals(1, r.exit());
        assertEquals(List.of("compare", "(rows)"), r.differences("UNEXPLAINED").stream()
                .map(d -> d.path("field").asText()).toList());
    }

    @Test
    void emptyReportsCompareAndAgainstAFullOneEveryRowIsOnOneSide() throws IOException {
        Path today = today();
        Path now = todayAgain();
        for (Path side : List.of(today, now)) {
            editJson(side.resolve(MONITOR_JSON), r -> {
                r.putArray("tables");
                r.putArray("alerts");
            });
            editCsv(side.resolve(MONITOR_CSV), records -> new ArrayList<>(records.subList(0, 1)));
        }
        Files.writeString(now.resolve(IDENTITY_CSV), "");
        Files.writeString(today.resolve(IDENTITY_CSV), "");
        ReportFixtures.Run r = compare(today, now);
        assertEquals(0, r.exit(), r.out() + r.err());
        assertEquals(0, r.report().path("files").get(0).path("rows").asInt());

        ReportFixtures.Run full = compare(today, copy("today", tmp.resolve("full")));
        assertEquals(1, full.exit());
        List<String> monitorCsv = full.differences("UNEXPLAINED").stream()
                .filter(d -> d.path("file").asText().equals(MONITOR_CSV))
                .map(d -> d.path("table").asText() + " " + d.path("change").asText()).toList();
        assertEquals(List.of("part_addressable_ids ONLY_NEW", "part_ibe_01 ONLY_NEW", "part_ibe_02 ONLY_NEW"),
                monitorCsv);
        assertTrue(full.differences("UNEXPLAINED").stream().anyMatch(d -> d.path("file").asText().equals(IDENTITY_CSV)
                && d.path("field").asText().equals("collaboration_name")
                && d.path("change").asText().equals("ONLY_NEW")), "an empty CSV has no columns");
    }

    @Test
    void aCsvWithLfLineEndsIsAFormatDifference() throws IOException {
        Path now = todayAgain();
        Path csv = now.resolve(IDENTITY_CSV);
        Files.writeString(csv, Files.readString(csv).replace("\r\n", "\n"));
        ReportFixtures.Run r = compare(today(), now);
        assertEquals(1, r.exit());
        List<JsonNode> all = r.differences(null);
        assertEquals(1, all.size(), "the cells are the same: " + all);
        assertEquals("FORMAT", all.get(0).path("change").asText());
        assertEquals("as Python's csv module writes it", all.get(0).path("today").asText());
        assertEquals("lines end with LF, where Python's csv module ends them with CRLF",
                all.get(0).path("new").asText());
    }

    @Test
    void aJsonNotLaidOutAsJsonDumpsIsAFormatDifference() throws IOException {
        Path now = todayAgain();
        Path json = now.resolve(CLEANROOMS_JSON);
        Files.writeString(json, new ObjectMapper().readTree(json.toFile()).toString());
        ReportFixtures.Run r = compare(today(), now);
        assertEquals(1, r.exit());
        List<JsonNode> all = r.differences(null);
        assertEquals(1, all.size(), "the members are the same: " + all);
        assertEquals("(layout)", all.get(0).path("field").asText());
        assertTrue(all.get(0).path("new").asText().startsWith("line 1 is `{\"generated_at\""), all.toString());
    }

    @Test
    void aNullMemberWrittenAsAnEmptyStringIsADifference() {
        Path now = todayAgain();
        editJson(now.resolve(CLEANROOMS_JSON), r -> ((ObjectNode)
                row(r, "part_n_a_a").get("configured_table")).put("id", ""));
        ReportFixtures.Run r = compare(today(), now);
        assertEquals(1, r.exit());
        JsonNode d = r.differences("UNEXPLAINED").get(0);
        assertEquals("configured_table.id", d.path("field").asText());
        assertTrue(d.path("today").isNull(), d.toString());
        assertEquals("", d.path("new").asText());
        assertTrue(r.out().contains("TODAY null, NEW \"\""), r.out());
    }

    @Test
    void filesThatAreNotReportsAreListedNotCompared() throws IOException {
        Path now = todayAgain();
        Files.writeString(now.resolve("summary.json"), "{}");
        Files.createDirectories(now.resolve("data-monitor/.in-progress"));
        Files.writeString(now.resolve("data-monitor/.in-progress/x.json.gz"), "partial");
        ReportFixtures.Run r = compare(today(), now);
        assertEquals(0, r.exit(), r.err());
        assertEquals("[\"summary.json\"]", r.report().path("ignored").path("new").toString());
    }
}
