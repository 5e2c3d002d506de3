package com.omc.flywheel.notifyfailure;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import software.amazon.awssdk.services.sfn.model.HistoryEvent;

/**
 * The body of "✅ Database Refresh Completed Successfully": a table a person reads at a glance
 * (step, Glue job run id or what the step did, minutes) and the report keys, in place of today's
 * raw JSON arrays; a shadow run's adds what it would have changed ({@code results.shadow.wouldChange}).
 * A pure function of the execution's output ({@code results}, {@code snapshot})
 * and its history (the steps' times); no AWS call.
 */
final class SuccessMessage {
    /** The rows, in the order the refresh runs them: step, where its result is in {@code results}. */
    private static final List<String[]> STEPS = List.of(
            new String[] {"SplitAddressableIds", "split"}, new String[] {"SplitInfobase", "split"},
            new String[] {"RegisterAddressableIds", "register"}, new String[] {"RegisterInfobase", "register"},
            new String[] {"RepairPartitions", "repair"}, new String[] {"BuildErTable", "er"},
            new String[] {"AssociateTables", "associate"}, new String[] {"DataMonitorReport", "reports"},
            new String[] {"CleanRoomsReport", "reports"});
    /** A step's time, from the history: the state it starts in, and the one whose exit ends it. */
    private static final Map<String, String[]> SPAN = Map.of(
            "RepairPartitions", new String[] {"RepairPartitions", "RecordRepair"},
            "BuildErTable", new String[] {"BuildErTable", "BuildErTable"},
            "AssociateTables", new String[] {"AssociateTables", "AssociateTables"},
            "DataMonitorReport", new String[] {"DataMonitorReport", "DataMonitorDone"},
            "CleanRoomsReport", new String[] {"CleanRoomsReport", "CleanRoomsReport"});

    private SuccessMessage() {
    }

    static String of(String environment, JsonNode output, List<HistoryEvent> history, String executionArn,
                     Instant start, Instant stop) {
        JsonNode results = output.path("results");
        String snapshot = output.path("snapshot").path("snapshotDt").asText(output.path("snapshotDt").asText("?"));
        StringBuilder m = new StringBuilder();
        m.append("Database refresh completed in ").append(environment).append(" for snapshot ").append(snapshot);
        if (start != null && stop != null) {
            m.append(" in ").append(minutes(Duration.between(start, stop))).append(" minutes");
        }
        m.append(".\n\n");
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"Step", "Minutes", "Glue job run / result"});
        Map<String, Duration> spans = spans(history);
        for (String[] step : STEPS) {
            JsonNode r = find(results.path(step[1]), step[0]);
            String what;
            String took = "";
            if (r.path("skipped").asBoolean(false)) {
                what = "skipped";
            } else if (r.has("jobRunId")) {
                what = r.get("jobRunId").asText();
                took = r.has("elapsedSeconds") ? minutes(Duration.ofSeconds(r.get("elapsedSeconds").asLong())) : "";
            } else {
                what = outcome(step[0], r);
                Duration d = spans.get(step[0]);
                took = d == null ? "" : minutes(d);
            }
            rows.add(new String[] {step[0], took, what});
        }
        // Minutes before the run id or result, whose length varies (a Glue run id is 67 characters).
        int w0 = rows.stream().mapToInt(r -> r[0].length()).max().orElse(4);
        for (String[] r : rows) {
            m.append(String.format(Locale.ROOT, "%-" + w0 + "s  %7s  %s", r[0], r[1], r[2]).stripTrailing())
                    .append('\n');
        }
        m.append("\nReports:\n");
        int keys = 0;
        for (JsonNode report : results.path("reports")) {
            for (JsonNode key : report.path("reportKeys")) {
                m.append("  ").append(key.asText()).append('\n');
                keys++;
            }
        }
        if (keys == 0) {
            m.append("  (none written)\n");
        }
        JsonNode shadow = results.path("shadow");
        if (shadow.has("wouldChange")) {
            // A shadow run: what it would have changed, as its shadow.json lists it.
            m.append("\nShadow run: nothing production reads was changed. A refresh would have:\n");
            shadow.get("wouldChange").forEach(w -> m.append("  ").append(w.asText()).append('\n'));
            shadow.path("reportKeys").forEach(k -> m.append("  (listed in ").append(k.asText()).append(")\n"));
        }
        m.append("\nExecution: ").append(executionArn).append('\n');
        return m.toString();
    }

    /**
     * The result of {@code step} in {@code node}: the node itself, or the element (at any depth: a
     * job loop sits in a one-branch Parallel) whose step or report names it.
     */
    private static JsonNode find(JsonNode node, String step) {
        if (!node.isArray()) {
            return node;
        }
        String report = step.equals("DataMonitorReport") ? "DATA_MONITOR" : step.equals("CleanRoomsReport")
                ? "CLEANROOMS" : "";
        List<JsonNode> flat = new ArrayList<>();
        flatten(node, flat);
        for (JsonNode n : flat) {
            if (step.equals(n.path("step").asText()) || !report.isEmpty() && report.equals(n.path("report").asText())) {
                return n;
            }
        }
        return flat.size() == 1 && report.isEmpty() ? flat.get(0)
                : com.fasterxml.jackson.databind.node.MissingNode.getInstance();
    }

    private static void flatten(JsonNode node, List<JsonNode> into) {
        if (node.isArray()) {
            node.forEach(n -> flatten(n, into));
        } else {
            into.add(node);
        }
    }

    private static String outcome(String step, JsonNode r) {
        if (r.isMissingNode() || r.isNull()) {
            return "-";
        }
        if (r.path("result").has("action") && r.path("result").has("location")) {
            // refresh-er-table's answer: what happened to the ER table, its rows, and where it reads from now.
            JsonNode er = r.get("result");
            return er.get("action").asText() + ", " + er.path("rows").asText("?") + " rows, "
                    + er.get("location").asText();
        }
        JsonNode summary = r.has("summary") ? r.get("summary") : r.path("result").path("summary");
        if (summary.hasNonNull("partitionsToAdd")) {
            // A shadow run's dry run: nothing was added.
            return "dry run: " + summary.get("partitionsToAdd").asText() + " partitions to add in "
                    + summary.path("tables").asText("?") + " tables";
        }
        if (summary.has("partitionsAdded")) {
            return summary.get("partitionsAdded").asText() + " partitions added in "
                    + summary.path("tables").asText("?")
                    + " tables" + (summary.path("failed").asInt(0) > 0 ? ", " + summary.get("failed").asText()
                            + " failed" : "");
        }
        if (r.path("actions").isObject()) {
            List<String> parts = new ArrayList<>();
            r.get("actions").fields().forEachRemaining(a ->
                    parts.add(a.getKey().toLowerCase(Locale.ROOT).replace('_', ' ') + " "
                    + a.getValue().asText()));
            return (parts.isEmpty() ? "no change" : String.join(", ", parts))
                    + (r.path("skippedForQuota").asInt(0) > 0 ? "; " + r.get("skippedForQuota").asText()
                            + " skipped for quota" : "");
        }
        if (r.has("issues")) {
            return r.get("issues").asText() + " alert(s)";
        }
        return r.has("reportKeys") ? r.get("reportKeys").size() + " file(s)" : "done";
    }

    /** Each step's time: from the first entry of its first state to the last exit of its last one. */
    private static Map<String, Duration> spans(List<HistoryEvent> history) {
        Map<String, Instant> firstEntered = new HashMap<>();
        Map<String, Instant> lastExited = new HashMap<>();
        for (HistoryEvent e : history) {
            if (e.stateEnteredEventDetails() != null) {
                firstEntered.putIfAbsent(e.stateEnteredEventDetails().name(), e.timestamp());
            } else if (e.stateExitedEventDetails() != null) {
                lastExited.put(e.stateExitedEventDetails().name(), e.timestamp());
            }
        }
        Map<String, Duration> spans = new HashMap<>();
        SPAN.forEach((step, span) -> {
            Instant from = firstEntered.get(span[0]);
            Instant to = lastExited.get(span[1]);
            if (from != null && to != null) {
                spans.put(step, Duration.between(from, to));
            }
        });
        return spans;
    }

    private static String minutes(Duration d) {
        return String.format(Locale.ROOT, "%.1f", d.toMillis() / 60_000.0);
    }
}
