package com.omc.flywheel.buildreport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.omc.flywheel.shared.Identifiers;
import com.omc.flywheel.shared.errors.InvalidInputException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What a shadow run of db-refresh would have changed, read from its results: the Glue jobs it did not
 * start, the partitions its repair would add (or added, when {@code shadow.repair} allowed it), the ER
 * table it would re-point (it built the shadow one instead), the Clean Rooms plan it did not apply,
 * and the report files it would write (it wrote them under {@code shadow/} instead). One line a
 * change, in the order the refresh runs its steps; {@code shadow.json} holds them with the run's
 * snapshot and report keys. A pure function of the event: no AWS call.
 */
final class ShadowRunSummary {
    static final String FILE = "shadow.json";
    static final String SUBJECT_PREFIX = "[SHADOW] ";
    private static final List<String> GLUE_STEPS = List.of("SplitAddressableIds", "SplitInfobase",
            "RegisterAddressableIds", "RegisterInfobase");
    private static final Set<String> MEMBERS = Set.of("results", "snapshotDt", "executionArn", "repairAllowed");
    private final ObjectNode json;
    private final List<String> wouldChange;

    private ShadowRunSummary(ObjectNode json, List<String> wouldChange) {
        this.json = json;
        this.wouldChange = wouldChange;
    }

    ObjectNode json() {
        return json;
    }

    List<String> wouldChange() {
        return wouldChange;
    }

    /** The event's {@code shadowRun}, checked before any AWS call; a wrong member is named. */
    static void check(JsonNode run) {
        if (!run.isObject()) {
            throw new InvalidInputException("shadowRun", "must be an object: the run's results, snapshotDt, "
                    + "executionArn and repairAllowed");
        }
        run.fieldNames().forEachRemaining(f -> {
            if (!MEMBERS.contains(f)) {
                throw new InvalidInputException("shadowRun." + f, "is not a member of shadowRun (results, snapshotDt, "
                        + "executionArn, repairAllowed)");
            }
        });
        if (!run.path("results").isObject()) {
            throw new InvalidInputException("shadowRun.results", "must be the run's results object ($.results)");
        }
        if (!run.path("snapshotDt").isTextual()) {
            throw new InvalidInputException("shadowRun.snapshotDt", "must be the run's snapshot date, YYYY-MM-DD");
        }
        Identifiers.isoDate("shadowRun.snapshotDt", run.get("snapshotDt").asText());
        if (run.has("executionArn") && !run.get("executionArn").isTextual()) {
            throw new InvalidInputException("shadowRun.executionArn", "must be the run's execution ARN");
        }
        if (run.has("repairAllowed") && !run.get("repairAllowed").isBoolean()) {
            throw new InvalidInputException("shadowRun.repairAllowed", "must be true or false");
        }
    }

    /** The data monitor's Athena results location when the event names none: a shadow run's under shadow/. */
    static String results(BuildReportRequest r, ReportSettings settings) {
        String base = settings.athenaResults();
        return base == null || !r.shadow() ? base
                : base + (base.endsWith("/") ? "" : "/") + BuildReportRequest.SHADOW_ROOT;
    }

    static ShadowRunSummary of(BuildReportRequest r, Instant now) {
        JsonNode run = r.shadowRun();
        JsonNode results = run.path("results");
        boolean repairAllowed = run.path("repairAllowed").asBoolean(false);
        List<String> lines = new ArrayList<>();
        List<JsonNode> jobs = new ArrayList<>();
        flatten(results.path("split"), jobs);
        flatten(results.path("register"), jobs);
        for (String step : GLUE_STEPS) {
            JsonNode j = jobs.stream().filter(n -> step.equals(n.path("step").asText())).findFirst().orElse(null);
            if (j == null || j.path("skipped").asBoolean(false)) {
                lines.add(step + ": would start its Glue job (a shadow run starts none; it read the snapshot the "
                        + "last jobs wrote)");
            }
        }
        lines.add(repair(results.path("repair"), repairAllowed));
        String er = erTable(results.path("er"));
        if (er != null) {
            lines.add(er);
        }
        lines.add(associate(results.path("associate")));
        ArrayNode keys = JsonNodeFactory.instance.arrayNode();
        List<JsonNode> reports = new ArrayList<>();
        flatten(results.path("reports"), reports);
        for (JsonNode rep : reports) {
            String step = "DATA_MONITOR".equals(rep.path("report").asText()) ? "DataMonitorReport"
                    : "CleanRoomsReport";
            for (JsonNode k : rep.path("reportKeys")) {
                String key = k.asText();
                keys.add(key);
                String production = key.startsWith(BuildReportRequest.SHADOW_ROOT)
                        ? key.substring(BuildReportRequest.SHADOW_ROOT.length()) : key;
                lines.add(step + ": would write s3://" + r.reportBucket() + "/" + production + " (written as "
                        + key + ")");
            }
            if (rep.path("issues").asInt(0) > 0) {
                lines.add(step + ": would publish " + rep.get("issues").asText() + " alert(s) under today's subject "
                        + "(published with the subject prefix [SHADOW])");
            }
        }
        ObjectNode json = JsonNodeFactory.instance.objectNode();
        json.put("generatedAt", now.toString());
        json.put("executionArn", run.path("executionArn").asText(null));
        json.put("snapshotDt", run.path("snapshotDt").asText());
        json.put("repairAllowed", repairAllowed);
        json.put("reportsPrefix", "s3://" + r.reportBucket() + "/" + r.reportPrefix());
        json.set("reportKeys", keys);
        ArrayNode would = json.putArray("wouldChange");
        lines.forEach(would::add);
        return new ShadowRunSummary(json, List.copyOf(lines));
    }

    private static String repair(JsonNode repair, boolean allowed) {
        if (repair.path("skipped").asBoolean(false)) {
            return "RepairPartitions: skipped (skip.RepairPartitions): nothing listed";
        }
        JsonNode s = repair.path("summary");
        String tables = s.path("tables").asText("?") + " tables";
        if (s.hasNonNull("partitionsToAdd")) {
            return "RepairPartitions: would add " + s.get("partitionsToAdd").asText() + " partitions in " + tables
                    + " (dry run: none added; --shadow repair allows it)";
        }
        return "RepairPartitions: added " + s.path("partitionsAdded").asText("?") + " partitions in " + tables
                + (allowed ? " (allowed by shadow.repair)" : "");
    }

    private static String erTable(JsonNode er) {
        List<JsonNode> flat = new ArrayList<>();
        flatten(er, flat);
        JsonNode step = flat.isEmpty() ? er : flat.get(0);
        if (step.path("skipped").asBoolean(false)) {
            return "BuildErTable: skipped (skip.BuildErTable)";
        }
        JsonNode res = step.path("result");
        if (!res.has("table")) {
            return null;
        }
        String production = res.path("shadowOf").asText(res.get("table").asText());
        return "BuildErTable: would re-point " + production + " to a new folder (built as " + res.get("table").asText()
                + " at " + res.path("location").asText("?") + ", " + res.path("rows").asText("?") + " rows)";
    }

    private static String associate(JsonNode associate) {
        if (associate.path("skipped").asBoolean(false)) {
            return "AssociateTables: skipped (skip.AssociateTables)";
        }
        List<String> parts = new ArrayList<>();
        associate.path("actions").fields().forEachRemaining(a -> parts.add(a.getKey().toLowerCase(Locale.ROOT)
                .replace('_', ' ') + " " + a.getValue().asText()));
        return "AssociateTables: " + (parts.isEmpty() ? "no change planned" : "would " + String.join(", ", parts))
                + " (dry run: the plan only, nothing changed in Clean Rooms)";
    }

    private static void flatten(JsonNode node, List<JsonNode> into) {
        if (node.isArray()) {
            node.forEach(n -> flatten(n, into));
        } else if (node.isObject()) {
            into.add(node);
        }
    }
}
