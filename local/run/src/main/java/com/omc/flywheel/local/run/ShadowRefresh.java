package com.omc.flywheel.local.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code local-run --shadow}: after the plain refresh, a shadow refresh on the same emulators (the
 * same input with {@code "shadow": {}}), and the emulators' state taken before and after it
 * ({@link EmulatorState}): anything that differs outside the shadow run's own prefix and names is a
 * change a shadow run must not make. summary.json's {@code shadow} is {@link Outcome#json()}.
 */
final class ShadowRefresh {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ShadowRefresh() {
    }

    /**
     * @param execution      the shadow execution
     * @param changed        what differs outside the shadow prefix and names (empty: the state is unchanged)
     * @param wouldChange    what the run says a refresh would have changed (results.shadow.wouldChange)
     * @param reportKeys     the shadow run's report files and shadow.json, in the reports bucket
     * @param thingsCompared how many objects, tables, partitions, resources and items were compared
     */
    record Outcome(RefreshExecution execution, List<String> changed, List<String> wouldChange,
                   List<String> reportKeys, int thingsCompared) {
        boolean ok() {
            return execution.succeeded() && changed.isEmpty();
        }

        ObjectNode json() {
            ObjectNode o = JSON.createObjectNode();
            o.put("executionArn", execution.execution().executionArn());
            o.put("status", execution.execution().statusAsString());
            o.set("wouldChange", JSON.valueToTree(wouldChange));
            o.put("stateUnchanged", changed.isEmpty());
            o.set("stateChanges", JSON.valueToTree(changed));
            o.put("thingsCompared", thingsCompared);
            o.put("reportsPrefix", "s3://" + SampleWorld.REPORTS + "/" + ReportCopies.SHADOW);
            o.set("reportKeys", JSON.valueToTree(reportKeys));
            return o;
        }
    }

    /**
     * Runs the shadow refresh of {@code input} (the plain run's) and compares the state around it;
     * {@code prepare} runs first, after the state before is taken (the sample world's query answers).
     */
    static Outcome run(RefreshRun refresh, String stateMachine, String input, Runnable prepare, Progress progress) {
        String shadowInput;
        try {
            ObjectNode in = (ObjectNode) JSON.readTree(input);
            in.putObject("shadow");
            shadowInput = JSON.writeValueAsString(in);
        } catch (IOException e) {
            throw new IllegalStateException("the refresh input is not JSON", e);
        }
        EmulatorState before = EmulatorState.capture();
        progress.say("--shadow: the state before the shadow run: " + before.size() + " objects, tables, partitions, "
                + "Clean Rooms resources and registry items");
        prepare.run();
        RefreshExecution run = refresh.execute(stateMachine, shadowInput);
        EmulatorState after = EmulatorState.capture();
        List<String> changed = after.changesSince(before);
        progress.say("--shadow: " + (changed.isEmpty() ? "nothing changed outside shadow/ and the shadow_ names"
                : changed.size() + " change(s) outside shadow/ and the shadow_ names: " + changed));
        List<String> would = new ArrayList<>();
        List<String> keys = new ArrayList<>();
        JsonNode output = run.output();
        if (output != null) {
            JsonNode results = output.path("results");
            results.path("shadow").path("wouldChange").forEach(w -> would.add(w.asText()));
            results.path("reports").forEach(r -> r.path("reportKeys").forEach(k -> keys.add(k.asText())));
            results.path("shadow").path("reportKeys").forEach(k -> keys.add(k.asText()));
        }
        return new Outcome(run, changed, would, keys, after.size());
    }
}
