package com.omc.flywheel.shared;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import software.amazon.awssdk.services.sfn.model.HistoryEvent;

/**
 * What an unsuccessful execution did, read from its history (oldest event first) and its state
 * machine's definition: a pure function, no AWS call.
 *
 * <ul>
 *   <li>{@code failedStep}: the last top-level state entered. Top-level states run one after the
 *       other, so that is the state the execution was in when it failed (the one a redrive
 *       restarts); a failure inside a Parallel or Map is the failure of the top-level state that
 *       holds it.</li>
 *   <li>{@code failStateAtTop}: the failed step is a top-level Fail state (a ceiling such as
 *       RepairRoundCeiling): a redrive would run it again and fail at once.</li>
 *   <li>{@code failedIn}: the innermost state at the failure (a Fail state entered, or the state
 *       last entered before the last task failure), e.g. {@code RegisterInfobaseFailed}.</li>
 *   <li>{@code error} and {@code cause}: those of the ExecutionFailed / TimedOut / Aborted event.</li>
 *   <li>{@code finished}: every top-level Task, Parallel or Map state (and {@code Record…} Pass)
 *       that exited, with what its result holds: Glue job run ids, partitions added, Clean Rooms
 *       actions, report keys, the snapshot.</li>
 *   <li>{@code skip}: for a machine whose Choice states read {@code $.skip.<Step>}, the steps that
 *       finished (or were skipped already), for a new execution that skips them.</li>
 *   <li>{@code failStates}: every Fail state entered, at any depth (a Glue job loop's
 *       {@code <Step>Failed}, a ceiling), that the execution did not get past: one is dropped when
 *       its loop starts again ({@code Start<Step>} entered after it: the loop's Parallel retried
 * it) or when the top-level step it was entered in exits. Redrive restarts an execution at its unsuccessful states:
 *       with one of these among them it fails again at once, so only a new execution (with
 *       {@code skip}) resumes the work.</li>
 * </ul>
 */
public record FailureReport(String failedStep, boolean failStateAtTop, String failedIn, String error, String cause,
                            Map<String, String> finished,
                            Map<String, Boolean> skip, String snapshotDt, JsonNode input, List<String> failStates) {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** A skip key whose step loops: it finished when this state exited, not when the first call did. */
    static final Map<String, String> FINISHED_WHEN = Map.of("RepairPartitions", "RecordRepair",
            "DataMonitorReport", "DataMonitorDone");

    public static FailureReport of(JsonNode definition, List<HistoryEvent> history, String fallbackInput,
                                   String fallbackError, String fallbackCause) {
        JsonNode states = definition.path("States");
        String failedStep = null;
        String failedIn = null;
        String lastEntered = null;
        String error = fallbackError;
        String cause = fallbackCause;
        String inputText = fallbackInput;
        Map<String, String> finished = new LinkedHashMap<>();
        List<String> exited = new ArrayList<>();
        List<String> failStates = new ArrayList<>();
        Map<String, String> failStateStep = new java.util.HashMap<>();
        String snapshot = null;
        for (HistoryEvent e : history) {
            String type = e.typeAsString();
            if (type.equals("ExecutionStarted") && e.executionStartedEventDetails() != null
                    && e.executionStartedEventDetails().input() != null) {
                inputText = e.executionStartedEventDetails().input();
            } else if (e.stateEnteredEventDetails() != null) {
                String name = e.stateEnteredEventDetails().name();
                lastEntered = name;
                if (states.has(name)) {
                    failedStep = name;
                }
                if (name.startsWith("Start")) {
                    String loop = name.substring("Start".length());
                    failStates.removeIf(f -> f.equals(loop + "Failed") || f.equals(loop + "TimeCeiling")
                            || f.equals(loop + "PollCeiling"));
                }
                if (type.equals("FailStateEntered")) {
                    failedIn = name;
                    if (!failStates.contains(name)) {
                        failStates.add(name);
                    }
                    failStateStep.put(name, failedStep);
                }
            } else if (e.stateExitedEventDetails() != null) {
                String name = e.stateExitedEventDetails().name();
                exited.add(name);
                if (states.has(name)) {
                    failStates.removeIf(f -> name.equals(failStateStep.get(f)));
                }
                JsonNode output = parse(e.stateExitedEventDetails().output());
                if (snapshot == null && output.path("snapshot").path("snapshotDt").isTextual()) {
                    snapshot = output.path("snapshot").path("snapshotDt").asText();
                }
                JsonNode state = states.path(name);
                String kind = state.path("Type").asText();
                if (states.has(name) && (kind.equals("Task") || kind.equals("Parallel") || kind.equals("Map")
                        || (kind.equals("Pass") && name.startsWith("Record")))) {
                    finished.remove(name);
                    finished.put(name, describe(at(output, state.path("ResultPath"))));
                }
            } else if (type.endsWith("Failed") || type.endsWith("TimedOut")) {
                if (!type.startsWith("Execution")) {
                    failedIn = lastEntered;
                }
            }
            if (e.executionFailedEventDetails() != null) {
                error = e.executionFailedEventDetails().error();
                cause = e.executionFailedEventDetails().cause();
            } else if (e.executionTimedOutEventDetails() != null) {
                error = orElse(e.executionTimedOutEventDetails().error(), "States.Timeout");
                cause = orElse(e.executionTimedOutEventDetails().cause(),
                        "the execution ran longer than its TimeoutSeconds");
            } else if (e.executionAbortedEventDetails() != null) {
                error = orElse(e.executionAbortedEventDetails().error(), "Aborted");
                cause = orElse(e.executionAbortedEventDetails().cause(), "the execution was stopped (StopExecution)");
            }
        }
        JsonNode input = parse(inputText);
        if (input.path("snapshotDt").isTextual()) {
            snapshot = input.path("snapshotDt").asText();
        }
        boolean failState = failedStep != null && states.path(failedStep).path("Type").asText().equals("Fail");
        return new FailureReport(failedStep, failState, failedIn, error, cause, finished,
                skip(definition, input, exited),
                snapshot, input, List.copyOf(failStates));
    }

    /** Whether a redrive restarts the failed work: no Fail state was entered (see {@code failStates}). */
    public boolean redriveResumes() {
        return failStates.isEmpty();
    }

    /** The steps a new execution may skip: those already skipped, and those that finished. */
    private static Map<String, Boolean> skip(JsonNode definition, JsonNode input, List<String> exited) {
        Map<String, Boolean> skip = new TreeMap<>();
        for (String key : skipKeys(definition)) {
            boolean before = input.path("skip").path(key).asBoolean(false);
            if (before || exited.contains(FINISHED_WHEN.getOrDefault(key, key))) {
                skip.put(key, true);
            }
        }
        return skip;
    }

    /** Every {@code <Step>} of a Choice that reads {@code $.skip.<Step>}, anywhere in the definition. */
    public static List<String> skipKeys(JsonNode definition) {
        List<String> keys = new ArrayList<>();
        for (JsonNode v : definition.findValues("Variable")) {
            String path = v.asText();
            if (path.startsWith("$.skip.") && !keys.contains(path.substring("$.skip.".length()))) {
                keys.add(path.substring("$.skip.".length()));
            }
        }
        return keys;
    }

    /** The input for a new execution that resumes this one: the same, with its snapshot and the skips. */
    public JsonNode resumeInput() {
        ObjectNode in = input.isObject() ? ((ObjectNode) input).deepCopy() : JSON.createObjectNode();
        if (snapshotDt != null && in.has("rawInputPrefixes")) {
            in.put("snapshotDt", snapshotDt);
        }
        if (!skip.isEmpty()) {
            in.set("skip", JSON.valueToTree(skip));
        }
        return in;
    }

    /** {@code $.a.b} of a state's output: the state's own result (the whole output without ResultPath). */
    private static JsonNode at(JsonNode output, JsonNode resultPath) {
        if (resultPath.isMissingNode()) {
            return output;
        }
        if (resultPath.isNull()) {
            return JSON.nullNode();
        }
        JsonNode node = output;
        for (String part : resultPath.asText().replaceFirst("^\\$\\.?", "").split("\\.")) {
            if (!part.isEmpty()) {
                node = node.path(part);
            }
        }
        return node;
    }

    /** One line of what a step's result holds that a person resuming the run needs. */
    public static String describe(JsonNode result) {
        List<String> parts = new ArrayList<>();
        collect(result, parts);
        if (parts.isEmpty()) {
            String text = result.isMissingNode() || result.isNull() ? "done" : result.toString();
            return text.length() > 300 ? text.substring(0, 300) + "…" : text;
        }
        return String.join("; ", parts);
    }

    private static void collect(JsonNode node, List<String> parts) {
        if (node.isArray()) {
            node.forEach(n -> collect(n, parts));
            return;
        }
        if (!node.isObject()) {
            return;
        }
        String step = node.path("step").asText(node.path("jobName").asText(node.path("report").asText("")));
        if (node.path("skipped").asBoolean(false)) {
            parts.add((step.isEmpty() ? "" : step + " ") + "skipped");
            return;
        }
        if (node.has("jobRunId")) {
            parts.add(step + " Glue run " + node.get("jobRunId").asText()
                    + (node.has("elapsedSeconds") ? " (" + node.get("elapsedSeconds").asText() + " s)" : ""));
            return;
        }
        JsonNode summary = node.has("summary") ? node.get("summary") : node.path("result").path("summary");
        if (summary.has("partitionsAdded")) {
            parts.add((step.isEmpty() ? "" : step + ": ") + summary.path("partitionsAdded").asText()
                    + " partitions added in "
                    + summary.path("tables").asText("?") + " tables" + (summary.path("failed").asInt(0) > 0
                    ? ", " + summary.get("failed").asText() + " tables failed" : ""));
            return;
        }
        if (node.has("actions") && node.get("actions").isObject()) {
            parts.add("Clean Rooms actions " + node.get("actions")
                    + (node.has("skippedForQuota") ? ", skipped for quota " + node.get("skippedForQuota") : ""));
            return;
        }
        if (node.has("reportKeys")) {
            parts.add((step.isEmpty() ? "report" : step) + " " + node.get("reportKeys"));
            return;
        }
        if (node.has("snapshotDt") && node.size() == 1) {
            parts.add("snapshot " + node.get("snapshotDt").asText());
            return;
        }
        for (Iterator<JsonNode> it = node.elements(); it.hasNext(); ) {
            collect(it.next(), parts);
        }
    }

    /** The JSON of {@code text}; an empty object for none or for text that is not JSON. */
    public static JsonNode parse(String text) {
        if (text == null || text.isBlank()) {
            return JSON.createObjectNode();
        }
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            return JSON.createObjectNode();
        }
    }

    private static String orElse(String value, String fallback) {
        return value == null || value.isBlank() ? fallback : value;
    }
}
