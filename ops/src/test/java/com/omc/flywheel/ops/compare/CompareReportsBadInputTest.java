package com.omc.flywheel.ops.compare;

import static com.omc.flywheel.ops.compare.ReportFixtures.MONITOR_CSV;
import static com.omc.flywheel.ops.compare.ReportFixtures.MONITOR_JSON;
import static com.omc.flywheel.ops.compare.ReportFixtures.copy;
import static com.omc.flywheel.ops.compare.ReportFixtures.editCsv;
import static com.omc.flywheel.ops.compare.ReportFixtures.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What cannot be compared exits 2 with what is wrong, and writes no report. */
class CompareReportsBadInputTest {
    @TempDir
    Path tmp;

    private ReportFixtures.Run refused(String... args) {
        ReportFixtures.Run r = run(tmp.resolve("out"), args);
        assertEquals(2, r.exit(), r.out() + r.err());
        assertEquals("", r.out());
        assertFalse(Files.exists(tmp.resolve("out").resolve(CompareReportsCommand.JSON)), "no report written");
        return r;
    }

    private static String firstLine(ReportFixtures.Run r) {
        return r.err().lines().findFirst().orElse("");
    }

    @Test
    void badArgumentsPrintWhatIsWrongAndTheUsage() throws IOException {
        Path today = copy("today", tmp.resolve("today"));
        Path file = Files.writeString(tmp.resolve("a-file"), "x");
        assertEquals("compare-reports: give TODAY and NEW (two folders or S3 prefixes)", firstLine(refused()));
        assertEquals("compare-reports: give TODAY and NEW (two folders or S3 prefixes)",
                firstLine(refused(today.toString())));
        assertEquals("compare-reports: unexpected argument 'c': give TODAY and NEW only",
                firstLine(refused("a", "b", "c")));
        assertEquals("compare-reports: unknown option --html", firstLine(refused("a", "b", "--html")));
        assertEquals("compare-reports: TODAY and NEW are the same place (" + today + ")",
                firstLine(refused(today.toString(), today + "/")));
        assertEquals("compare-reports: --region must be a region such as us-east-1, got 'moon'",
                firstLine(refused("a", "b", "--region", "moon")));
        assertEquals("compare-reports: --profile needs a value", firstLine(refused("a", "b", "--profile")));
        assertTrue(refused("a", "b", "--html").err().contains("usage: bin/flywheel compare-reports TODAY NEW"));
        List<String> args = new ArrayList<>(List.of(today.toString(), today.toString() + "2", "--out",
                file.toString()));
        int exit = CompareReportsCommand.run(args.toArray(String[]::new), System.out, System.err);
        assertEquals(2, exit, "--out is a file");
        assertEquals("compare-reports: NEW must be a local folder or s3://bucket/prefix/, got 'https://x/'",
                firstLine(refused(today.toString(), "https://x/")));
        assertEquals("compare-reports: NEW: 'Bad_Bucket' is not an S3 bucket name (s3://Bad_Bucket/r/)",
                firstLine(refused(today.toString(), "s3://Bad_Bucket/r/")));
    }

    @Test
    void aMissingSideIsRefused() throws IOException {
        Path today = copy("today", tmp.resolve("today"));
        assertEquals("compare-reports: NEW: the folder " + tmp.resolve("nowhere") + " does not exist",
                firstLine(refused(today.toString(), tmp.resolve("nowhere").toString())));
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        assertEquals("compare-reports: TODAY: no report file in " + empty + " (looked for ACX_Data_Monitor_Report_* "
                + "and ACX_Cleanroom_Report_* at its root and one folder below; it is empty)",
                firstLine(refused(empty.toString(), today.toString())));
        Path file = today.resolve(MONITOR_JSON);
        assertEquals("compare-reports: NEW: " + file + " is a file; give the folder that holds the reports",
                firstLine(refused(today.toString(), file.toString())));
    }

    @Test
    void twoFilesOfOneKindAndDateOnOneSideAreRefused() throws IOException {
        Path today = copy("today", tmp.resolve("today"));
        Path now = copy("today", tmp.resolve("new"));
        Path other = Files.createDirectories(now.resolve("data-monitor-reports"));
        Files.copy(now.resolve(MONITOR_CSV), other.resolve("ACX_Data_Monitor_Report_2025-11-01.csv"));
        assertEquals("compare-reports: NEW (" + now + ") holds two data monitor CSV reports of 2025-11-01: "
                + "data-monitor-reports/ACX_Data_Monitor_Report_2025-11-01.csv and " + MONITOR_CSV + ". Which one to "
                + "compare cannot be told: point NEW at a folder or prefix that holds one (compare-reports reads the "
                + "files at its root and one folder below)", firstLine(refused(today.toString(), now.toString())));
        Files.delete(other.resolve("ACX_Data_Monitor_Report_2025-11-01.csv"));
        Files.copy(now.resolve(MONITOR_CSV), other.resolve("ACX_Data_Monitor_Report_20251101.csv"));
        assertTrue(firstLine(refused(today.toString(), now.toString())).contains("holds two data monitor CSV reports "
                + "of 2025-11-01"), "the same date in another format is the same date");
    }

    @Test
    void anUnreadableFileIsRefusedNamingIt() throws IOException {
        Path today = copy("today", tmp.resolve("today"));
        Path now = copy("today", tmp.resolve("new"));
        Path json = now.resolve(MONITOR_JSON);
        Files.writeString(json, Files.readString(json).substring(0, 200));
        assertTrue(firstLine(refused(today.toString(), now.toString())).startsWith("compare-reports: NEW's "
                + json + " is unreadable: not JSON ("), "truncated JSON");

        Path now2 = copy("today", tmp.resolve("new2"));
        Files.write(now2.resolve(MONITOR_CSV), new byte[] {'t', 'a', 'b', 'l', 'e', (byte) 0xc3, '\r', '\n'});
        assertTrue(firstLine(refused(today.toString(), now2.toString())).startsWith("compare-reports: NEW's "
                + now2.resolve(MONITOR_CSV) + " is unreadable: it is not UTF-8 text"));

        Path now3 = copy("today", tmp.resolve("new3"));
        editCsv(now3.resolve(MONITOR_CSV), records -> {
            records.add(records.get(1));
            return records;
        });
        assertEquals("compare-reports: NEW's " + now3.resolve(MONITOR_CSV) + " is unreadable as a data monitor CSV: "
                + "two rows have table 'part_addressable_ids'", firstLine(refused(today.toString(), now3.toString())));

        Path now4 = copy("today", tmp.resolve("new4"));
        Files.writeString(now4.resolve("cleanrooms-reports/ACX_Cleanroom_Report_AMC_2025-11.json"), "{}");
        assertEquals("compare-reports: NEW: cannot read the collaboration and date in the name "
                + "cleanrooms-reports/ACX_Cleanroom_Report_AMC_2025-11.json (expected "
                + "ACX_Cleanroom_Report_<collaboration>_<YYYYMMDD>.json, _Tables.csv or _IdentityResolution.csv)",
                firstLine(refused(today.toString(), now4.toString())));
    }
}
