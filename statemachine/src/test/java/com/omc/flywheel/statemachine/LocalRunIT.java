package com.omc.flywheel.statemachine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.omc.flywheel.local.SampleEvents;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.ResourceAccessMode;
import org.junit.jupiter.api.parallel.ResourceLock;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code bin/flywheel local-run} as a user runs it, on a small lake: the README's first command.
 * Up to three run at once (failsafe's configuration); the test that counts moto processes runs alone.
 */
class LocalRunIT {
    static final String MOTO_PROCESSES = "moto processes of this machine";
    record Outcome(int exitCode, String output) {
    }

    static Set<Long> motoProcesses() {
        return ProcessHandle.allProcesses().filter(p -> p.info().commandLine().orElse("").contains("moto_server"))
                .map(ProcessHandle::pid).collect(Collectors.toSet());
    }

    static Outcome localRun(String... args) throws Exception {
        Path root = SampleEvents.repoRoot();
        List<String> command = new java.util.ArrayList<>(List.of(root.resolve("bin/flywheel").toString(), "local-run"));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(root.toFile()).redirectErrorStream(true);
        pb.environment().keySet().removeIf(k -> k.startsWith("AWS_"));
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), "local-run did not finish:\n" + out);
        return new Outcome(p.exitValue(), out);
    }

    @Test
    @ResourceLock(value = MOTO_PROCESSES, mode = ResourceAccessMode.READ_WRITE)
    void aSmallRefreshSucceedsWritesTodaysReportsAndLeavesNothingRunning(@TempDir Path out) throws Exception {
        Set<Long> before = motoProcesses();
        Outcome o = localRun("--tables", "4", "--buckets", "4", "--out", out.toString());

        assertEquals(0, o.exitCode(), o.output());
        assertTrue(o.output().contains("== local-run SUCCEEDED") && o.output().contains("partitions registered")
                && o.output().contains("AWS calls per service"), o.output());
        Path monitor;
        try (Stream<Path> files = Files.list(out.resolve("data-monitor"))) {
            monitor = files.filter(f -> f.toString().endsWith(".csv")).findFirst().orElseThrow();
        }
        List<String> csv = Files.readAllLines(monitor);
        assertTrue(csv.get(0).startsWith("input_source,raw_input_snapshot_dt,table,location,s3_partitions,glue_partitions,"
                + "missing_glue_count,table_type_ok,contract_ok,count_src,count_part,count_diff_pct,pk_nulls,pk_dupes,"
                + "file_issues_sample,checked_at"), csv.get(0));
        String json = Files.readString(Path.of(monitor.toString().replace(".csv", ".json")));
        assertTrue(json.contains("[PK_DUPES] part_ibe_05") && json.contains("part_miacs_04: processed snapshot too old"),
                "the deliberately broken tables are listed: " + json);
        try (Stream<Path> files = Files.list(out.resolve("cleanrooms-reports"))) {
            Path tables = files.filter(f -> f.toString().endsWith("_Tables.csv")).findFirst().orElseThrow();
            assertTrue(Files.readAllLines(tables).get(0).startsWith("collaboration_name,table_name,glue_exists"));
        }
        assertTrue(o.output().contains("Parquet files"), "the lake's data files are Parquet: " + o.output());
        // The functions' logs carry their metrics in CloudWatch's embedded metric format.
        List<String> emf = Files.readAllLines(out.resolve("function-logs.jsonl")).stream()
                .filter(l -> l.contains("\"_aws\"") && l.contains("\"OMC/Flywheel\"")).toList();
        for (String metric : List.of("PartitionsAdded", "TablesFailed", "DataMonitorAlerts", "CleanRoomsActions", "PollsPerJob")) {
            assertTrue(emf.stream().anyMatch(l -> l.contains("\"" + metric + "\":")), metric + " in the EMF lines: " + emf);
        }
        com.fasterxml.jackson.databind.JsonNode summary = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(out.resolve("summary.json").toFile());
        assertEquals("SUCCEEDED", summary.path("status").asText());
        assertEquals(0, summary.path("accessDenied").asInt(), summary.toString());
        assertEquals(5, summary.path("glueJobRunsStarted").asInt(), "two splits, the registration twice, the ER table");
        assertTrue(summary.path("maxStatePayloadBytes").asInt() > 0 && summary.path("maxStatePayloadBytes").asInt() < 256 * 1024);
        assertEquals(before, motoProcesses(), "every process local-run started is stopped");
    }

    @Test
    @ResourceLock(value = MOTO_PROCESSES, mode = ResourceAccessMode.READ)
    void failStepShowsTheFailureNotificationAndExitsNonZero(@TempDir Path out) throws Exception {
        Outcome o = localRun("--tables", "2", "--buckets", "2", "--fail-step", "BuildErTable", "--out", out.toString());

        assertNotEquals(0, o.exitCode(), o.output());
        assertTrue(o.output().contains("-- notification: ❌ Database Refresh Failed")
                && o.output().contains("at step BuildErTable") && o.output().contains("failed on purpose"), o.output());
    }

    /**
     * Issue 14: for every step of db-refresh, {@code --fail-step STEP --resume} fails the run there,
     * then resumes it with {@code bin/flywheel refresh resume} against the local endpoint; the
     * resumed run succeeds, and no Glue job that had succeeded runs again (read from Glue's own
     * runs in summary.json, not from local-run's verdict alone).
     */
    @ParameterizedTest
    @ResourceLock(value = MOTO_PROCESSES, mode = ResourceAccessMode.READ)
    @ValueSource(strings = {"ResolveNewestSnapshot", "SplitInputs", "RegisterTables", "RepairPartitions", "BuildErTable",
            "AssociateTables", "Reports"})
    void aRunFailedAtAnyStepIsResumedWithoutRedoingAFinishedJob(String step, @TempDir Path out) throws Exception {
        Outcome o = localRun("--tables", "2", "--buckets", "2", "--fail-step", step, "--resume", "--out", out.toString());

        assertEquals(0, o.exitCode(), o.output());
        assertTrue(o.output().contains("$ bin/flywheel refresh resume "), o.output());
        com.fasterxml.jackson.databind.JsonNode summary = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(out.resolve("summary.json").toFile());
        assertEquals("SUCCEEDED", summary.path("status").asText(), summary.toString());
        com.fasterxml.jackson.databind.JsonNode executions = summary.path("executions");
        assertEquals(2, executions.size(), executions.toString());
        assertEquals("FAILED", executions.get(0).path("status").asText());
        assertEquals(step, executions.get(0).path("failedStep").asText());
        assertEquals("SUCCEEDED", executions.get(1).path("status").asText());
        List<String> subjects = new java.util.ArrayList<>();
        summary.path("notifications").forEach(n -> subjects.add(n.path("subject").asText()));
        assertEquals(1, subjects.stream().filter(x -> x.equals("❌ Database Refresh Failed")).count(), subjects.toString());
        assertEquals(1, subjects.stream().filter(x -> x.equals("✅ Database Refresh Completed Successfully")).count(),
                subjects.toString());
        java.util.Map<String, Long> succeeded = new java.util.TreeMap<>();
        summary.path("glueJobRuns").forEach(r -> {
            if (r.path("state").asText().equals("SUCCEEDED")) {
                succeeded.merge(r.path("jobName").asText() + " " + r.path("arguments"), 1L, Long::sum);
            }
        });
        assertEquals(5, succeeded.size(), "two splits, the registration twice, the ER table: " + succeeded);
        assertTrue(succeeded.values().stream().allMatch(n -> n == 1), "each finished job ran once: " + succeeded);
        assertEquals(0, summary.path("finishedJobRunsRepeated").size());
        assertEquals(0, summary.path("accessDenied").asInt(), summary.path("accessDeniedCalls").toString());
    }
}
