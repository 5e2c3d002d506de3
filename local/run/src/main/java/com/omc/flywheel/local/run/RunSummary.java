package com.omc.flywheel.local.run;

import static com.omc.flywheel.local.run.SampleWorld.DB;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.omc.flywheel.local.LocalCloud;
import com.omc.flywheel.local.moto.MotoServer;
import com.omc.flywheel.local.run.GlueJobRuns.JobRunRecord;
import com.omc.flywheel.local.sfn.StepFunctionsLimits;
import com.omc.flywheel.ops.doctor.Doctor;
import com.omc.flywheel.ops.doctor.Finding;
import com.omc.flywheel.shared.AwsClients;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import software.amazon.awssdk.services.glue.GlueClient;
import software.amazon.awssdk.services.glue.model.EntityNotFoundException;

/**
 * The end of a local run: its verdict (the last execution succeeded, within Step Functions' limits,
 * no IAM denial, no finished Glue job run again, every month done and checked), printed with the
 * steps' times, the results, the calls and the notifications; the reports copied; and
 * {@code <out>/summary.json}, what a script or a test reads instead of the terminal.
 */
final class RunSummary {
    /** The steps whose times the summary prints. */
    private static final List<String> TIMED_STEPS = List.of("SplitInputs", "RegisterTables", "RepairPartitions",
            "BuildErTable", "AssociateTables", "Reports", "ResolveNewestSnapshot", "CheckGivenSnapshot");
    private static final ObjectMapper JSON = new ObjectMapper();
    private final RunOptions options;
    private final SampleWorld world;
    private final Progress progress;
    private final LocalCloud cloud;
    private List<Finding> doctor = List.of();
    private ShadowRefresh.Outcome shadow;

    RunSummary(RunOptions options, SampleWorld world, Progress progress, LocalCloud cloud) {
        this.options = options;
        this.world = world;
        this.progress = progress;
        this.cloud = cloud;
    }

    /** What doctor found before the refresh (summary.json's {@code doctor}). */
    RunSummary doctor(List<Finding> findings) {
        this.doctor = List.copyOf(findings);
        return this;
    }

    /** The shadow run that followed (--shadow; summary.json's {@code shadow}), or null. */
    RunSummary shadow(ShadowRefresh.Outcome outcome) {
        this.shadow = outcome;
        return this;
    }

    /** Prints the summary, copies the reports, writes summary.json; returns the exit code (0 when it succeeded). */
    int print(List<RefreshExecution> runs, List<String> monthProblems) {
        PrintStream out = progress.out();
        RefreshExecution r = runs.get(runs.size() - 1);
        // The largest of the executions' payloads, and every execution's violations.
        StepFunctionsLimits.Report limits = runs.stream().map(x -> StepFunctionsLimits.check(x.history()))
                .reduce((a, b) -> new StepFunctionsLimits.Report(Math.max(a.events(), b.events()),
                        Math.max(a.maxPayloadBytes(), b.maxPayloadBytes()),
                        a.maxPayloadBytes() >= b.maxPayloadBytes() ? a.largestAt() : b.largestAt(),
                        Stream.concat(a.violations().stream(), b.violations().stream()).toList()))
                                .orElseThrow();
        List<String> denied = cloud.iam().describeDenials();
        List<String> unmapped = cloud.iam().unmapped();
        List<JobRunRecord> jobRuns = GlueJobRuns.list();
        List<String> repeated = GlueJobRuns.repeated(jobRuns);
        boolean ok = r.succeeded() && limits.ok() && denied.isEmpty()
                && unmapped.isEmpty()
                && repeated.isEmpty() && monthProblems.isEmpty()
                        && (options.months() == 1 || runs.size() == options.months())
                && (!options.shadow() || shadow != null && shadow.ok());
        out.println();
        out.println("== local-run " + (ok ? "SUCCEEDED" : r.execution().statusAsString()) + " in "
                + Progress.seconds(progress.elapsed()));
        for (Map.Entry<String, Duration> e : r.stepTimes().entrySet()) {
            if (TIMED_STEPS.contains(e.getKey())) {
                out.printf("   %-22s %s%n", e.getKey(), Progress.seconds(e.getValue()));
            }
        }
        JsonNode output = null;
        try {
            output = ok ? JSON.readTree(r.execution().output()) : null;
        } catch (IOException ignored) {
            // no output to read
        }
        if (output != null) {
            printResults(out, output.path("results"));
        }
        out.println("   AWS calls per service  " + callsPerService());
        out.println("   Lambda invocations     " + cloud.lambdas().invocations());
        for (MotoServer.SnsMessage m : cloud.moto().snsMessages()) {
            if (m.topicArn().endsWith("db-refresh-notifications")) {
                out.println();
                out.println("-- notification: " + m.subject());
                m.message().lines().forEach(l -> out.println("   " + l));
            }
        }
        List<Path> copied = ReportCopies.copy(options.out(), options.out());
        out.println();
        out.println("reports in " + options.out().toAbsolutePath() + ":");
        copied.forEach(p -> out.println("   " + options.out().relativize(p)));
        if (shadow != null) {
            ReportCopies.copyShadow(options.out().resolve("shadow"), options.out())
                    .forEach(p -> out.println("   " + options.out().relativize(p)));
            out.println("shadow run " + shadow.execution().execution().statusAsString() + ", state " + (shadow.changed()
                    .isEmpty() ? "unchanged" : "CHANGED: " + shadow.changed()) + "; it would change:");
            shadow.wouldChange().forEach(w -> out.println("   " + w));
        }
        out.println("the functions' JSON logs: " + options.out().resolve("function-logs.jsonl").toAbsolutePath());
        out.println("largest state payload   " + limits.maxPayloadBytes() + " bytes at " + limits.largestAt() + " ("
                + limits.events() + " history events)");
        limits.violations().forEach(v -> out.println("!! Step Functions limit: " + v));
        repeated.forEach(v -> out.println("!! a finished Glue job ran again: " + v));
        denied.forEach(d -> out.println("!! IAM denied: " + d));
        unmapped.forEach(u -> out.println("!! IAM unmapped: " + u));
        Path summary = write(runs, ok, limits, jobRuns, repeated, monthProblems);
        out.println("summary: " + summary.toAbsolutePath());
        return ok ? 0 : 1;
    }

    /** A succeeded execution's results: partitions registered, Clean Rooms actions, data monitor alerts. */
    private static void printResults(PrintStream out, JsonNode results) {
        out.println("   partitions registered  " + results.path("repair").path("summary").path("partitionsAdded")
                .asText("?")
                + " in " + results.path("repair").path("summary").path("tables").asText("?") + " tables");
        out.println("   Clean Rooms actions     " + results.path("associate").path("actions"));
        for (JsonNode rep : results.path("reports")) {
            if (rep.has("issues")) {
                out.println("   data monitor alerts    " + rep.get("issues").asText());
            }
        }
    }

    /** The calls through the local endpoint so far, per service. */
    private Map<String, Integer> callsPerService() {
        Map<String, Integer> perService = new TreeMap<>();
        cloud.proxy().counts().forEach((k, v) -> perService.merge(k.substring(0, k.indexOf(':')), v, Integer::sum));
        return perService;
    }

    /** {@code <out>/summary.json}: what a script or a test reads instead of the terminal. */
    private Path write(List<RefreshExecution> runs, boolean ok, StepFunctionsLimits.Report limits,
                       List<JobRunRecord> jobRuns, List<String> repeated, List<String> monthProblems) {
        RefreshExecution last = runs.get(runs.size() - 1);
        ObjectNode root = JSON.createObjectNode();
        root.put("status", ok ? "SUCCEEDED" : last.execution().statusAsString().equals("SUCCEEDED") ? "FAILED"
                : last.execution().statusAsString());
        ArrayNode executions = root.putArray("executions");
        runs.forEach(r -> addExecution(executions.addObject(), r));
        root.put("months", options.months());
        ObjectNode checked = root.putObject("doctor");
        for (Finding.Status s : Finding.Status.values()) {
            checked.put(s.name().toLowerCase(java.util.Locale.ROOT),
                    doctor.stream().filter(f -> f.status() == s).count());
        }
        checked.put("exitCode", Doctor.exitCode(doctor));
        ArrayNode findings = checked.putArray("findings");
        doctor.forEach(f -> findings.add(f.json()));
        // The ER table as the lake has it at the end, and every CTAS the local Athena ran for it.
        root.put("erTableCtasQueries", cloud.athenaCtas().ctasQueries().size());
        try {
            root.put("erTableLocation", AwsClients.build(GlueClient.builder())
                    .getTable(b -> b.databaseName(DB)
                    .name("part_addressable_ids_er")).table().storageDescriptor().location());
        } catch (EntityNotFoundException e) {
            root.putNull("erTableLocation");
        }
        root.set("monthProblems", JSON.valueToTree(monthProblems));
        root.put("glueJobRunsStarted", jobRuns.size());
        ArrayNode runList = root.putArray("glueJobRuns");
        for (JobRunRecord j : jobRuns) {
            runList.addObject().put("jobName", j.jobName()).put("jobRunId", j.jobRunId()).put("state", j.state())
                    .set("arguments", JSON.valueToTree(j.arguments()));
        }
        root.set("finishedJobRunsRepeated", JSON.valueToTree(repeated));
        ArrayNode notifications = root.putArray("notifications");
        for (MotoServer.SnsMessage m : cloud.moto().snsMessages()) {
            notifications.addObject().put("topicArn", m.topicArn()).put("subject", m.subject())
                    .put("message", m.message());
        }
        root.set("awsCalls", JSON.valueToTree(callsPerService()));
        root.put("accessDenied", cloud.iam().denials().size());
        root.set("accessDeniedCalls", JSON.valueToTree(cloud.iam().describeDenials()));
        root.set("iamUnmapped", JSON.valueToTree(cloud.iam().unmapped()));
        root.set("iamCheckedCalls", JSON.valueToTree(cloud.iam().checked()));
        // Written now, so the file is there with summary.json; later calls (--keep-running) join it at the end.
        cloud.iam().usage().flush().ifPresent(f -> root.put("iamUsage", f.getFileName().toString()));
        // The pipeline's own calls (functions and state machine), without the sample lake's generation.
        root.put("pipelineAwsCalls", cloud.iam().checked().entrySet().stream()
                .filter(e -> !e.getKey().equals("operator"))
                .mapToInt(Map.Entry::getValue).sum());
        root.put("maxStatePayloadBytes", limits.maxPayloadBytes());
        root.put("maxStatePayloadAt", limits.largestAt());
        root.put("historyEvents", limits.events());
        root.set("stepFunctionsLimitViolations", JSON.valueToTree(limits.violations()));
        root.set("lambdaInvocations", JSON.valueToTree(cloud.lambdas().invocations()));
        root.put("tables", world.tables());
        root.put("elapsedSeconds", progress.elapsed().toMillis() / 1000.0);
        if (shadow != null) {
            root.set("shadow", shadow.json());
        }
        Path file = options.out().resolve("summary.json");
        try {
            Files.createDirectories(options.out());
            Files.write(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(root));
        } catch (IOException e) {
            throw new IllegalStateException("cannot write " + file, e);
        }
        return file;
    }

    /** One execution in summary.json: its ARN, status, seconds, failed step, skip, and its results. */
    private static void addExecution(ObjectNode exec, RefreshExecution r) {
        exec.put("executionArn", r.execution().executionArn()).put("status", r.execution().statusAsString());
        if (r.execution().startDate() != null && r.execution().stopDate() != null) {
            exec.put("seconds", Duration.between(r.execution().startDate(), r.execution().stopDate())
                    .toMillis() / 1000.0);
        }
        String failed = r.failedStep();
        if (failed == null) {
            exec.putNull("failedStep");
        } else {
            exec.put("failedStep", failed);
        }
        JsonNode skip = r.skip();
        if (skip != null) {
            exec.set("skip", skip);
        }
        JsonNode output = r.output();
        if (output != null) {
            exec.put("snapshotDt", output.path("snapshot").path("snapshotDt").asText(null));
            exec.set("erTable", RefreshExecution.erResult(output));
            exec.set("cleanRoomsActions", output.path("results").path("associate").path("actions"));
            ArrayNode keys = exec.putArray("reportKeys");
            output.path("results").path("reports").forEach(rep -> rep.path("reportKeys").forEach(keys::add));
        }
    }
}
