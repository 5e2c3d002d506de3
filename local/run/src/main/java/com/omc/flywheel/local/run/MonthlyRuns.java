package com.omc.flywheel.local.run;

import static com.omc.flywheel.local.run.SampleWorld.REPORTS;

import com.fasterxml.jackson.databind.JsonNode;
import com.omc.flywheel.local.LocalCloud;
import com.omc.flywheel.shared.AwsClients;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * {@code --months N}: after the first month's refresh, each next month's raw snapshot lands and the
 * next monthly refresh runs on the same emulators; each month is checked against the one before, and
 * each month's reports are kept in {@code <out>/month-M}.
 */
final class MonthlyRuns {
    private final RunOptions options;
    private final SampleWorld world;
    private final RefreshRun refresh;
    private final Progress progress;

    MonthlyRuns(RunOptions options, SampleWorld world, RefreshRun refresh, Progress progress) {
        this.options = options;
        this.world = world;
        this.refresh = refresh;
        this.progress = progress;
    }

    /**
     * Months 2 to N, each while the month before succeeded, appending their executions to
     * {@code runs}. Returns what the month checks found wrong (empty with one month).
     */
    List<String> runLaterMonths(LocalCloud cloud, String stateMachine, List<RefreshExecution> runs) {
        List<String> monthProblems = new ArrayList<>();
        for (int month = 2; month <= options.months(); month++) {
            if (!runs.get(runs.size() - 1).succeeded()) {
                break;
            }
            ReportCopies.copy(options.out().resolve("month-" + (month - 1)), options.out());
            progress.say("== month " + month + " of " + options.months() + ": a new raw snapshot lands ("
                    + world.landMonth(cloud, month) + "); the next monthly refresh starts on the same emulators");
            runs.add(refresh.execute(stateMachine, refresh.input()));
            monthProblems.addAll(checkMonth(runs.get(runs.size() - 2), runs.get(runs.size() - 1), month));
        }
        if (options.months() > 1) {
            ReportCopies.copy(options.out().resolve("month-" + options.months()), options.out());
        }
        return monthProblems;
    }

    /**
     * A later month against the one before: its own snapshot, the ER table refreshed again (re-pointed
     * from last month's folder to a new one), no Clean Rooms change to make, and reports of the new snapshot.
     */
    private List<String> checkMonth(RefreshExecution before, RefreshExecution now, int month) {
        List<String> problems = new ArrayList<>();
        JsonNode prev = before.output();
        JsonNode out = now.output();
        if (out == null || prev == null) {
            problems.add("month " + month + ": the refresh did not succeed (" + now.execution().statusAsString() + ")");
            return problems;
        }
        String snapshot = out.path("snapshot").path("snapshotDt").asText();
        if (!snapshot.equals(world.snapshotOf(month))) {
            problems.add("month " + month + " read snapshot " + snapshot + ", not the new " + world.snapshotOf(month));
        }
        JsonNode er = RefreshExecution.erResult(out);
        JsonNode erBefore = RefreshExecution.erResult(prev);
        if (!er.path("action").asText().equals("REFRESHED") || er.path("location").asText()
                .equals(erBefore.path("location").asText())
                || !er.path("previousLocation").asText().equals(erBefore.path("location").asText())
                        || er.path("rows").asLong() <= 0) {
            problems.add("month " + month + ": the ER table was not refreshed into a new folder after last month's: "
                    + er);
        }
        JsonNode actions = out.path("results").path("associate").path("actions");
        if (!actions.isObject() || actions.size() > 0) {
            problems.add("month " + month + ": associate-tables planned changes on an unchanged lake: " + actions);
        }
        try {
            S3Client s3 = AwsClients.build(S3Client.builder());
            for (JsonNode rep : out.path("results").path("reports")) {
                for (JsonNode key : rep.path("reportKeys")) {
                    if (key.asText().endsWith(".json") && key.asText().startsWith("data-monitor/")) {
                        String body = s3.getObjectAsBytes(b -> b.bucket(REPORTS).key(key.asText())).asUtf8String();
                        if (!body.contains(snapshot)) {
                            problems.add("month " + month + ": " + key.asText() + " does not name snapshot "
                                    + snapshot);
                        }
                    }
                }
            }
        } catch (RuntimeException e) {
            problems.add("month " + month + ": cannot read its reports: " + e);
        }
        return problems;
    }
}
