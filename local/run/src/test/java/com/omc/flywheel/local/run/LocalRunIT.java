package com.omc.flywheel.local.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.omc.flywheel.local.fixtures.ChildProcess;
import com.omc.flywheel.local.fixtures.SampleEvents;
import com.omc.flywheel.ops.compare.CompareReportsCommand;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/flywheel local-run} as a user runs it, on a small lake: the README's first command (with
 * {@code --shadow}, whose shadow run costs a few seconds more than a second local-run would).
 * Up to three run at once (failsafe's configuration). A run's moto_server is found among that run's
 * own descendants, never by looking at every process of the machine.
 */
class LocalRunIT {
    /**
     * @param motoServers every moto_server seen among the run's own descendants while it ran (other
     *                    runs' and other builds' moto processes are never counted)
     */
    record Outcome(int exitCode, String output, Set<ProcessHandle> motoServers) {
    }

    static boolean isMoto(ProcessHandle p) {
        return p.info().commandLine().orElse("").contains("moto_server");
    }

    static Outcome localRun(String... args) throws Exception {
        Path root = SampleEvents.repoRoot();
        List<String> command = new java.util.ArrayList<>(List.of(root.resolve("bin/flywheel").toString(), "local-run"));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(root.toFile()).redirectErrorStream(true);
        pb.environment().keySet().removeIf(k -> k.startsWith("AWS_"));
        Set<ProcessHandle> moto = ConcurrentHashMap.newKeySet();
        ChildProcess.Result r = ChildProcess.run(pb, Duration.ofMinutes(5),
                "bin/flywheel local-run " + String.join(" ", args),
                p -> p.descendants().filter(LocalRunIT::isMoto).forEach(moto::add));
        return new Outcome(r.exitCode(), r.stdout(), Set.copyOf(moto));
    }

    @Test
    void aSmallRefreshSucceedsWritesTodaysReportsAndLeavesNothingRunning(@TempDir Path out) throws Exception {
        Outcome o = localRun("--tables", "4", "--buckets", "4", "--shadow", "--out", out.toString());

        assertEquals(0, o.exitCode(), o.output());
        assertTrue(o.output().contains("== local-run SUCCEEDED") && o.output().contains("partitions registered")
                && o.output().contains("AWS calls per service"), o.output());
        Path monitor;
        try (Stream<Path> files = Files.list(out.resolve("data-monitor"))) {
            monitor = files.filter(f -> f.toString().endsWith(".csv")).findFirst().orElseThrow();
        }
        List<String> csv = Files.readAllLines(monitor);
        assertTrue(csv.get(0).startsWith("input_source,raw_input_snapshot_dt,table,location,s3_partitions,"
                + "glue_partitions,"
                + "missing_glue_count,table_type_ok,contract_ok,count_src,count_part,count_diff_pct,pk_nulls,pk_dupes,"
                + "file_issues_sample,checked_at"), csv.get(0));
        String json = Files.readString(Path.of(monitor.toString().replace(".csv", ".json")));
        assertTrue(json.contains("[PK_DUPES] part_ibe_05") && json.contains(
                "part_miacs_04: processed snapshot too old"),
                "the deliberately broken tables are listed: " + json);
        try (Stream<Path> files = Files.list(out.resolve("cleanrooms-reports"))) {
            Path tables = files.filter(f -> f.toString().endsWith("_Tables.csv")).findFirst().orElseThrow();
            assertTrue(Files.readAllLines(tables).get(0).startsWith("collaboration_name,table_name,glue_exists"));
        }
        assertTrue(o.output().contains("Parquet files"), "the lake's data files are Parquet: " + o.output());
        // The functions' logs carry their metrics in CloudWatch's embedded metric format.
        List<String> emf = Files.readAllLines(out.resolve("function-logs.jsonl")).stream()
                .filter(l -> l.contains("\"_aws\"") && l.contains("\"OMC/Flywheel\"")).toList();
        for (String metric : List.of("PartitionsAdded", "TablesFailed", "DataMonitorAlerts", "CleanRoomsActions",
                "PollsPerJob")) {
            assertTrue(emf.stream().anyMatch(l -> l.contains("\"" + metric + "\":")), metric + " in the EMF lines: "
                    + emf);
        }
        com.fasterxml.jackson.databind.JsonNode summary = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(out.resolve("summary.json").toFile());
        assertEquals("SUCCEEDED", summary.path("status").asText());
        assertEquals(0, summary.path("accessDenied").asInt(), summary.toString());
        assertEquals(4, summary.path("glueJobRunsStarted").asInt(),
                "two splits, the registration twice (the ER table is a CTAS)");
        assertEquals("REFRESHED", summary.path("executions").get(0).path("erTable").path("action").asText(),
                "today's ER table re-pointed: " + summary.path("executions"));
        assertTrue(summary.path("maxStatePayloadBytes").asInt() > 0
                && summary.path("maxStatePayloadBytes").asInt() < 256 * 1024);
        shadowRunChangedNothingAndItsReportsDifferOnlyInRunTimes(out, summary.path("shadow"));
        assertEquals(0, summary.path("doctor").path("fail").asInt(-1), "doctor on local-run's own world: "
                + summary.path("doctor"));
        assertTrue(summary.path("doctor").path("ok").asInt() > 40, summary.path("doctor").toString());
        assertTrue(Files.readString(out.resolve("iam-usage.jsonl")).contains("\"type\":\"use\""),
                "iam-usage.jsonl beside summary.json, with the calls IAM allowed");
        assertFalse(o.motoServers().isEmpty(), "local-run's own moto_server was seen while it ran");
        for (ProcessHandle moto : o.motoServers()) {
            // Stopped before local-run exited; a moment to be reaped once killed.
            try {
                moto.onExit().get(5, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                // still there: reported below
            }
        }
        assertEquals(List.of(), o.motoServers().stream().filter(h -> h.isAlive() && isMoto(h))
                .map(h -> h.pid() + " " + h.info().commandLine().orElse("")).toList(),
                "every moto_server local-run started is stopped");
    }

    /**
     * --shadow: a shadow refresh after the plain one left the emulators' state as it was outside its
     * own folders and names, and {@code bin/flywheel compare-reports OUT OUT/shadow} finds only the
     * times of the two runs differ.
     */
    private static void shadowRunChangedNothingAndItsReportsDifferOnlyInRunTimes(Path out, JsonNode shadow) {
        assertEquals("SUCCEEDED", shadow.path("status").asText(), shadow.toString());
        assertTrue(shadow.path("stateUnchanged").asBoolean(false), shadow.toString());
        assertTrue(shadow.path("thingsCompared").asInt() > 100, "objects, tables, partitions compared: " + shadow);
        assertEquals("s3://omc-flywheel-dev-analysis-data/shadow/", shadow.path("reportsPrefix").asText());
        assertTrue(shadow.path("reportKeys").toString().contains("\"shadow/shadow.json\""), shadow.toString());
        assertTrue(shadow.path("wouldChange").toString().contains("BuildErTable: would re-point "
                + "part_addressable_ids_er to a new folder"), shadow.toString());
        assertTrue(Files.isRegularFile(out.resolve("shadow/shadow.json")));
        ByteArrayOutputStream report = new ByteArrayOutputStream();
        int code = CompareReportsCommand.run(new String[] {out.toString(), out.resolve("shadow").toString(), "--out",
            out.resolve("compare").toString()}, new PrintStream(report, true, StandardCharsets.UTF_8), System.err);
        String printed = report.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, printed);
        assertTrue(printed.contains("no unexplained difference (0 deliberate, "), printed);
    }

    /**
     * Issue 22, brownfield adoption: the first production refresh meets the collaboration today's scripts
     * built (--todays-clean-rooms, on production's tables). It adopts it under the IAM check: nothing that
     * exists is created again, part_miacs_02_a's hand fix is reported as column drift (not recreated), and
     * iam-usage.jsonl records the reads of the associations that were there.
     */
    @Test
    void todaysCleanRoomsIsAdoptedCreatingNothingThatExistsAndReportingTheHandFixAsDrift(@TempDir Path out)
            throws Exception {
        Outcome o = localRun("--todays-clean-rooms", "--buckets", "2", "--out", out.toString());

        assertEquals(0, o.exitCode(), o.output());
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        JsonNode summary = json.readTree(out.resolve("summary.json").toFile());
        assertEquals(0, summary.path("accessDenied").asInt(-1), summary.path("accessDeniedCalls").toString());
        JsonNode actions = summary.path("executions").get(0).path("cleanRoomsActions");
        for (String create : List.of("CREATE_CONFIGURED_TABLE", "CREATE_TABLE_RULE", "CREATE_ASSOCIATION",
                "CREATE_ASSOCIATION_RULE")) {
            assertFalse(actions.has(create), "every associated table had its configured table, association and "
                    + "rules: " + actions);
        }
        assertEquals("{\"CREATE_ID_NAMESPACE_ASSOCIATION\":1}", actions.toString(),
                "the ID namespace association alone, which today's state here lacks");

        List<JsonNode> drift = new java.util.ArrayList<>();
        for (String line : Files.readAllLines(out.resolve("function-logs.jsonl"))) {
            if (line.contains("\"allowed columns drifted\"")) {
                drift.add(json.readTree(line));
            }
        }
        assertEquals(1, drift.size(), "one drifted table: " + drift);
        assertEquals("associate-tables", drift.get(0).path("function").asText());
        assertEquals("part_miacs_02_a", drift.get(0).path("table").asText(), drift.toString());
        assertEquals("[\"miacs_02_a_c099\"]", drift.get(0).path("added").toString());
        assertEquals("[\"id_bucket\"]", drift.get(0).path("removed").toString());
        assertEquals("REPORTED", drift.get(0).path("action").asText(), "reported, not recreated");
        JsonNode report;
        try (Stream<Path> files = Files.list(out.resolve("cleanrooms-reports"))) {
            report = json.readTree(files.filter(f -> f.toString().matches(".*_[0-9]{8}\\.json")).findFirst()
                    .orElseThrow().toFile());
        }
        assertEquals(27, report.path("summary").path("configured_tables_count").asInt(), report.path("summary")
                .toString());
        assertEquals(25, report.path("summary").path("associations_count").asInt());
        JsonNode handFixed = java.util.stream.StreamSupport.stream(report.path("tables").spliterator(), false)
                .filter(t -> t.path("table_name").asText().equals("part_miacs_02_a")).findFirst().orElseThrow();
        String allowed = handFixed.path("configured_table").path("allowed_columns").toString();
        assertTrue(allowed.contains("\"id_bucket\"") && !allowed.contains("\"miacs_02_a_c099\""),
                "the report shows the hand fix as it is: " + allowed);
        assertTrue(handFixed.path("status").path("ready_for_analysis").asBoolean(), handFixed.toString());

        Set<String> adoptionReads = new java.util.TreeSet<>();
        for (String line : Files.readAllLines(out.resolve("iam-usage.jsonl"))) {
            JsonNode n = json.readTree(line);
            if (n.path("type").asText().equals("use") && n.path("role").asText().equals("AssociateTablesFunctionRole")
                    && n.path("sid").asText().equals("ManageTheMembershipsAssociations")) {
                adoptionReads.add(n.path("action").asText());
            }
        }
        assertEquals(Set.of("cleanrooms:GetConfiguredTableAssociation",
                "cleanrooms:GetConfiguredTableAssociationAnalysisRule"), adoptionReads,
                "the existing associations and their rules read, nothing changed");
    }

    @Test
    void failStepShowsTheFailureNotificationAndExitsNonZero(@TempDir Path out) throws Exception {
        Outcome o = localRun("--tables", "2", "--buckets", "2", "--fail-step", "ResolveNewestSnapshot", "--out",
                out.toString());

        assertNotEquals(0, o.exitCode(), o.output());
        assertTrue(o.output().contains("-- notification: ❌ Database Refresh Failed")
                && o.output().contains("at step ResolveNewestSnapshot") && o.output().contains("failed on purpose"),
                o.output());
        assertTrue(o.output().contains("== local-run FAILED"), o.output());
    }

    static final String REPORT_KEY = "arn:aws:kms:us-east-1:123456789012:key/5f0c1f9e-2d3b-4c6a-9e8f-7a1b2c3d4e5f";

    /**
     * Issue 15: two monthly refreshes back to back on the same emulators, the second on a new raw
     * snapshot. Month 2 refreshes the ER table again (into a new folder, re-pointed from month 1's:
     * never dropped), plans no Clean Rooms change, and writes reports of the new snapshot.
     * Issue 22: on the stack as production deploys it, with LakeFormationGrants and ReportKmsKeyArn on
     * (--param): the IAM check enforces the statements those parameters add, the functions write with
     * the report key (made in moto), and local-run's own doctor passes on the same parameters.
     */
    @Test
    void twoMonthsBackToBackOnProductionsParametersRefreshTheErTableAgainAndChangeNothingInCleanRooms(
            @TempDir Path out) throws Exception {
        Outcome o = localRun("--tables", "2", "--buckets", "2", "--months", "2", "--snapshot-dt", "2026-11-30",
                "--param", "LakeFormationGrants=true", "--param", "ReportKmsKeyArn=" + REPORT_KEY,
                "--out", out.toString());

        assertEquals(0, o.exitCode(), o.output());
        com.fasterxml.jackson.databind.JsonNode summary = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(out.resolve("summary.json").toFile());
        assertEquals(0, summary.path("doctor").path("fail").asInt(-1), summary.path("doctor").toString());
        List<JsonNode> keyUses = new java.util.ArrayList<>();
        for (String line : Files.readAllLines(out.resolve("iam-usage.jsonl"))) {
            JsonNode n = new com.fasterxml.jackson.databind.ObjectMapper().readTree(line);
            if (n.path("type").asText().equals("use")
                    && n.path("sid").asText().equals("EncryptWritesWithTheReportKey")) {
                keyUses.add(n);
            }
        }
        assertTrue(keyUses.stream().anyMatch(u -> u.path("action").asText().equals("kms:GenerateDataKey")
                && u.path("resource").asText().equals(REPORT_KEY)), "a write with the report key: " + keyUses);
        com.fasterxml.jackson.databind.JsonNode executions = summary.path("executions");
        assertEquals(2, executions.size(), executions.toString());
        com.fasterxml.jackson.databind.JsonNode m1 = executions.get(0);
        com.fasterxml.jackson.databind.JsonNode m2 = executions.get(1);
        assertEquals(List.of("SUCCEEDED", "SUCCEEDED"), List.of(m1.path("status").asText(),
                m2.path("status").asText()));
        assertEquals("2026-10-30", m1.path("snapshotDt").asText(), "month 1: a month before --snapshot-dt");
        assertEquals("2026-11-30", m2.path("snapshotDt").asText(), "month 2: the new raw snapshot, resolved");
        String today = "s3://omc-flywheel-data-us-east-1-dev/omc_cleanroom_data/identity/acx_ids_cur/";
        assertEquals("REFRESHED", m1.path("erTable").path("action").asText(), m1.toString());
        assertEquals(today, m1.path("erTable").path("previousLocation").asText());
        assertEquals("REFRESHED", m2.path("erTable").path("action").asText(), m2.toString());
        assertEquals(m1.path("erTable").path("location").asText(), m2.path("erTable").path("previousLocation").asText(),
                "month 2 re-points the table from month 1's folder");
        assertTrue(m2.path("erTable").path("location").asText().contains("/snapshot_dt=2026-11-30/"), m2.toString());
        assertTrue(m2.path("erTable").path("rows").asLong() > m1.path("erTable").path("rows").asLong(),
                "the new snapshot's addressable ids have a row more per folder: " + m1 + m2);
        assertTrue(m1.path("cleanRoomsActions").size() > 0, "month 1 associates the tables: " + m1);
        assertEquals(0, m2.path("cleanRoomsActions").size(), "month 2 plans nothing: " + m2);
        assertEquals(0, summary.path("monthProblems").size(), summary.path("monthProblems").toString());
        assertEquals(2, summary.path("erTableCtasQueries").asInt());
        assertEquals(m2.path("erTable").path("location").asText(), summary.path("erTableLocation").asText());
        assertEquals(0, summary.path("finishedJobRunsRepeated").size());
        assertEquals(0, summary.path("accessDenied").asInt(), summary.path("accessDeniedCalls").toString());
        for (String month : List.of("month-1", "month-2")) {
            String snapshot = month.equals("month-1") ? "2026-10-30" : "2026-11-30";
            try (Stream<Path> files = Files.list(out.resolve(month).resolve("data-monitor"))) {
                Path csv = files.filter(f -> f.toString().endsWith(".csv")).findFirst().orElseThrow();
                List<String> rows = Files.readAllLines(csv);
                assertTrue(rows.stream().skip(1).filter(r -> r.contains("part_ibe"))
                        .allMatch(r -> r.contains("," + snapshot + ",")),
                        month + "'s report reads its own snapshot " + snapshot + ": " + rows);
            }
        }
    }

    /**
     * Issue 14: for every step of db-refresh, a run that failed there is resumed with {@code
     * bin/flywheel refresh resume} against the local endpoint, and no Glue job that had succeeded runs
     * again (read from Glue's own runs in summary.json, not from local-run's verdict alone). One
     * local-run fails every step in turn: the first run fails at the first step; each resume fixes
     * the step that failed and is itself failed at the next, so the last six resumes resume a run that
     * was a resume (whose skips come from its input as well as from its own history), and the eighth
     * execution succeeds. A resume of a fresh run that failed late (every earlier step finished in
     * one execution) is docs/local-run.md's own example, which {@link DocsCommandsIT} runs.
     */
    @Test
    void aRunFailedAtEachStepInTurnIsResumedEachTimeWithoutRedoingAFinishedJob(@TempDir Path out) throws Exception {
        List<String> steps = List.of("ResolveNewestSnapshot", "SplitInputs", "RegisterTables", "RepairPartitions",
                "BuildErTable", "AssociateTables", "Reports");
        assertEquals(new java.util.TreeSet<>(steps), InjectedFailure.FAILABLE.keySet(), "every step that can fail");
        Outcome o = localRun("--tables", "2", "--buckets", "2", "--fail-step", String.join(",", steps), "--resume",
                "--out", out.toString());

        assertEquals(0, o.exitCode(), o.output());
        assertEquals(steps.size(), o.output().split("\\$ bin/flywheel refresh resume ", -1).length - 1, o.output());
        com.fasterxml.jackson.databind.JsonNode summary = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(out.resolve("summary.json").toFile());
        assertEquals("SUCCEEDED", summary.path("status").asText(), summary.toString());
        com.fasterxml.jackson.databind.JsonNode executions = summary.path("executions");
        assertEquals(steps.size() + 1, executions.size(), executions.toString());
        for (int i = 0; i < steps.size(); i++) {
            assertEquals("FAILED", executions.get(i).path("status").asText(), executions.get(i).toString());
            assertEquals(steps.get(i), executions.get(i).path("failedStep").asText(), "execution " + (i + 1));
        }
        assertEquals("SUCCEEDED", executions.get(steps.size()).path("status").asText());
        List<String> subjects = new java.util.ArrayList<>();
        summary.path("notifications").forEach(n -> subjects.add(n.path("subject").asText()));
        assertEquals(steps.size(), subjects.stream().filter(x -> x.equals("❌ Database Refresh Failed")).count(),
                subjects.toString());
        assertEquals(1, subjects.stream().filter(x -> x.equals("✅ Database Refresh Completed Successfully")).count(),
                subjects.toString());
        java.util.Map<String, Long> succeeded = new java.util.TreeMap<>();
        summary.path("glueJobRuns").forEach(r -> {
            if (r.path("state").asText().equals("SUCCEEDED")) {
                succeeded.merge(r.path("jobName").asText() + " " + r.path("arguments"), 1L, Long::sum);
            }
        });
        assertEquals(4, succeeded.size(), "two splits, the registration twice: " + succeeded);
        assertTrue(succeeded.values().stream().allMatch(n -> n == 1), "each finished job ran once: " + succeeded);
        assertEquals(0, summary.path("finishedJobRunsRepeated").size());
        assertEquals(1, summary.path("erTableCtasQueries").asInt(),
                "the ER table rebuilt exactly once over all the executions");
        assertTrue(summary.path("erTableLocation").asText().startsWith(
                "s3://omc-flywheel-data-us-east-1-dev/omc_cleanroom_data/identity/acx_ids_er/snapshot_dt="),
                        summary.toString());
        assertEquals(0, summary.path("accessDenied").asInt(), summary.path("accessDeniedCalls").toString());
    }
}
