package com.omc.flywheel.ops.compare;

import static com.omc.flywheel.ops.compare.ReportFixtures.CLEANROOMS_JSON;
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
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each documented difference seeded alone into a copy of today's reports (the NEW side): every
 * difference it makes is classified DELIBERATE, with that entry and its reference, and the command exits
 * 0. The same change without what makes it deliberate is unexplained.
 */
class DeliberateDifferenceSeedsTest {
    private static final String DM_KEY = "table";
    @TempDir
    Path tmp;

    /** How each documented difference shows in build-report's files, applied to NEW (a copy of today's). */
    static final Map<DeliberateDifference, Consumer<Path>> SEEDS = Map.of(
            DeliberateDifference.EXT_COUNT_SOURCE, now -> {
                editJson(now.resolve(MONITOR_JSON), r -> {
                    ((ObjectNode) r.get("compare")).put("type", "ext");
                    row(r, "part_ibe_02").put("count_src", 51234567).put("count_diff_pct", "0.008914");
                    row(r, "part_ibe_01").put("count_src", (String) null).put("count_diff_pct", "");
                    ((ArrayNode) r.get("alerts")).add("[COUNT_MISMATCH] part_ibe_02: omc_flywheel_prod.part_ibe_02="
                            + "51230000 vs omc_flywheel_prod.ext_ibe_02=51234567 (\u0394=0.009%)")
                            .add("part_ibe_01: source table not found omc_flywheel_prod.ext_ibe_01; count match "
                                    + "skipped");
                });
                setCell(now.resolve(MONITOR_CSV), DM_KEY, "part_ibe_02", "count_src", "51234567");
                setCell(now.resolve(MONITOR_CSV), DM_KEY, "part_ibe_02", "count_diff_pct", "0.008914");
            },
            DeliberateDifference.RAW_INPUT_SNAPSHOT, now -> {
                processedColumn(now);
                editJson(now.resolve(MONITOR_JSON), r -> r.get("tables").forEach(t -> ((ObjectNode) t)
                        .put("raw_input_snapshot_dt", "2025-10-29")
                        .put("input_source", t.get("input_source").asText().replace("=2025-10-22/", "=2025-10-29/"))));
                editCsv(now.resolve(MONITOR_CSV), records -> {
                    records.stream().skip(1).forEach(row -> {
                        row.set(0, row.get(0).replace("=2025-10-22/", "=2025-10-29/"));
                        row.set(1, "2025-10-29");
                    });
                    return records;
                });
            },
            DeliberateDifference.PROCESSED_SNAPSHOT_COLUMN, DeliberateDifferenceSeedsTest::processedColumn,
            DeliberateDifference.REPORT_NAME_OPTIONS, now -> {
                try {
                    Path folder = Files.createDirectories(now.resolve("data-monitor-reports"));
                    Files.move(now.resolve(MONITOR_JSON), folder.resolve("ACX_Data_Monitor_Report_20251101.json"));
                    Files.move(now.resolve(MONITOR_CSV), folder.resolve("ACX_Data_Monitor_Report_20251101.csv"));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            },
            DeliberateDifference.NOTHING_REPAIRED, now -> editJson(now.resolve(MONITOR_JSON), r -> {
                ArrayNode alerts = (ArrayNode) r.get("alerts");
                alerts.remove(2); // part_ibe_02: MSCK failed (...)
            }),
            DeliberateDifference.READY_REQUIRES_COLLABORATION_RULE, now -> {
                editJson(now.resolve(CLEANROOMS_JSON), r -> ((ObjectNode) row(r, "part_ibe_02").get("status"))
                        .put("ready_for_analysis", false));
                setCell(now.resolve(TABLES_CSV), "table_name", "part_ibe_02", "ready_for_analysis", "No");
            },
            DeliberateDifference.RESULT_RECEIVER_ACCOUNTS, now -> editJson(now.resolve(CLEANROOMS_JSON), r ->
                    ((ObjectNode) r.get("membership_results_delivery")).putArray("result_receiver_accounts")
                            .addObject().put("account_id", "222222222222").put("display_name", "AMC")
                            .put("description", "Query Submitter/AMC Results Receiver")),
            DeliberateDifference.SEVERAL_MEMBERSHIPS, now -> {
                Path folder = ReportFixtures.fixture("new").resolve("cleanrooms-reports");
                try (Stream<Path> files = Files.list(folder)) {
                    for (Path f : files.filter(p -> p.getFileName().toString().contains("OMC_Test_Collab")).toList()) {
                        Files.copy(f, now.resolve("cleanrooms-reports").resolve(f.getFileName().toString()));
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            },
            DeliberateDifference.READY_FOR_ANALYSIS_COUNT, now -> editJson(now.resolve(CLEANROOMS_JSON), r ->
                    ((ObjectNode) r.get("summary")).put("ready_for_analysis_count", 2)));

    /** build-report's last column and row member: the processed date, which today's raw_input_snapshot_dt holds. */
    private static void processedColumn(Path now) {
        editJson(now.resolve(MONITOR_JSON), r -> r.get("tables").forEach(t -> ((ObjectNode) t)
                .put("processed_snapshot_dt", t.get("raw_input_snapshot_dt").asText())));
        editCsv(now.resolve(MONITOR_CSV), records -> {
            records.get(0).add("processed_snapshot_dt");
            records.stream().skip(1).forEach(row -> row.add(row.get(1)));
            return records;
        });
    }

    static Stream<DeliberateDifference> inReportFiles() {
        return Stream.of(DeliberateDifference.values()).filter(DeliberateDifference::inReportFiles);
    }

    @Test
    void everyDifferenceInTheReportFilesHasASeed() {
        Set<DeliberateDifference> expected = EnumSet.noneOf(DeliberateDifference.class);
        inReportFiles().forEach(expected::add);
        assertEquals(expected, SEEDS.keySet());
    }

    @ParameterizedTest
    @MethodSource("inReportFiles")
    void eachSeededDifferenceIsDeliberateWithItsReference(DeliberateDifference seeded) {
        Path today = copy("today", tmp.resolve("today"));
        Path now = copy("today", tmp.resolve("new"));
        SEEDS.get(seeded).accept(now);
        ReportFixtures.Run r = run(tmp.resolve("out"), today.toString(), now.toString());
        assertEquals(0, r.exit(), r.out() + r.err());
        List<JsonNode> all = r.differences(null);
        assertFalse(all.isEmpty(), "the seed made no difference");
        for (JsonNode d : all) {
            DeliberateDifference expected = seeded == DeliberateDifference.RAW_INPUT_SNAPSHOT
                    && d.path("field").asText().equals("processed_snapshot_dt")
                    ? DeliberateDifference.PROCESSED_SNAPSHOT_COLUMN : seeded;
            assertEquals("DELIBERATE", d.path("category").asText(), d.toString());
            assertEquals(expected.name(), d.path("deliberate").asText(), d.toString());
            assertEquals("docs/functions.md#" + expected.section(), d.path("reference").asText());
        }
        assertTrue(all.stream().anyMatch(d -> d.path("deliberate").asText().equals(seeded.name())));
        assertTrue(r.out().contains("[" + seeded.name() + ", " + seeded.reference() + "]"), r.out());
    }

    /** The same changes without what makes them deliberate. */
    @Test
    void withoutTheirConditionTheSameChangesAreUnexplained() throws IOException {
        Path today = copy("today", tmp.resolve("today"));
        Path now = copy("today", tmp.resolve("new"));
        // not ready although the collaboration rule exists
        setCell(now.resolve(TABLES_CSV), "table_name", "part_ibe_01", "ready_for_analysis", "No");
        // another count of the table itself (not the self-comparison giving way to ext_)
        setCell(now.resolve(MONITOR_CSV), DM_KEY, "part_ibe_01", "count_part", "51234000");
        setCell(now.resolve(MONITOR_CSV), DM_KEY, "part_ibe_01", "count_src", "51234000");
        // raw_input_snapshot_dt changed with no processed_snapshot_dt holding today's value
        setCell(now.resolve(MONITOR_CSV), DM_KEY, "part_ibe_02", "raw_input_snapshot_dt", "2025-10-29");
        // processed_snapshot_dt not last, and not the date today's raw_input_snapshot_dt holds
        editCsv(now.resolve(MONITOR_CSV), records -> {
            records.get(0).add(0, "processed_snapshot_dt");
            records.stream().skip(1).forEach(row -> row.add(0, "2025-10-15"));
            return records;
        });
        editJson(now.resolve(MONITOR_JSON), r -> {
            // a count mismatch although both compare with the same source type
            ((ArrayNode) r.get("alerts")).add("[COUNT_MISMATCH] part_ibe_01: x=1 vs y=2 (\u0394=100.000%)");
            // an alert other than MSCK's gone
            ((ArrayNode) r.get("alerts")).remove(0);
        });
        ReportFixtures.Run r = run(tmp.resolve("out"), today.toString(), now.toString());
        assertEquals(1, r.exit());
        assertEquals(List.of(), r.differences("DELIBERATE"), r.out());
        List<String> unexplained = r.differences("UNEXPLAINED").stream().map(d -> d.path("table").asText("-") + " "
                + d.path("field").asText()).toList();
        assertEquals(List.of("part_ibe_01 alerts", "part_ibe_01 alerts", "- processed_snapshot_dt",
                "part_ibe_01 count_src", "part_ibe_01 count_part", "part_ibe_02 raw_input_snapshot_dt",
                "part_ibe_01 ready_for_analysis"), unexplained);
    }
}
