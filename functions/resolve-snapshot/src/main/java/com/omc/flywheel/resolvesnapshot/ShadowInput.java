package com.omc.flywheel.resolvesnapshot;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.omc.flywheel.shared.errors.InvalidInputException;
import java.util.List;

/**
 * db-refresh's shadow run, decided on its input before any AWS call: the input's {@code shadow}
 * member checked ({@code {}} or {@code {"repair": true}}; anything else is InvalidInputException
 * naming the field), then every step that writes somewhere production reads turned into its
 * shadow: the four Glue jobs skipped (the run reads the snapshot the last jobs wrote; {@code skip}),
 * the repair a dry run unless {@code shadow.repair} allows it ({@code repair.dryRun}, and its state
 * under {@code msck-repair/shadow/}), the ER table built under its shadow name and location
 * ({@code erTable.shadow}), Clean Rooms planned only ({@code associate.dryRun}), and the reports
 * and their alerts redirected ({@code reports.*.shadow}). Each function knows what its own shadow
 * is; this only sets the flags. The operator's own {@code skip} keys are kept.
 */
final class ShadowInput {
    static final List<String> GLUE_STEPS = List.of("SplitAddressableIds", "SplitInfobase", "RegisterAddressableIds",
            "RegisterInfobase");

    private ShadowInput() {
    }

    /** The input rewritten for a shadow run; {@code input} itself is left as it is. */
    static ObjectNode rewrite(JsonNode input) {
        if (!input.isObject()) {
            throw new InvalidInputException("input", "must be the db-refresh input object ($)");
        }
        ObjectNode in = ((ObjectNode) input).deepCopy();
        JsonNode shadow = in.get("shadow");
        if (shadow == null || !shadow.isObject()) {
            throw new InvalidInputException("shadow", "must be an object: {} (nothing production reads changes) or "
                    + "{\"repair\": true} (the missing partitions are added too)");
        }
        shadow.fieldNames().forEachRemaining(f -> {
            if (!f.equals("repair")) {
                throw new InvalidInputException("shadow." + f, "is not a member of shadow; the only one is repair "
                        + "(true lets the shadow run add the missing partitions)");
            }
        });
        JsonNode repair = shadow.get("repair");
        if (repair != null && !repair.isBoolean()) {
            throw new InvalidInputException("shadow.repair", "must be true or false (got " + repair + ")");
        }
        boolean repairAllowed = repair != null && repair.booleanValue();
        JsonNode given = in.get("skip");
        if (given != null && !given.isObject()) {
            throw new InvalidInputException("skip", "must be an object of step names and true or false");
        }
        ObjectNode skip = given == null ? in.objectNode() : (ObjectNode) given;
        skip.fields().forEachRemaining(e -> {
            if (!e.getValue().isBoolean()) {
                throw new InvalidInputException("skip." + e.getKey(), "must be true or false (got " + e.getValue()
                        + ")");
            }
        });
        GLUE_STEPS.forEach(s -> skip.put(s, true));
        in.set("skip", skip);
        ObjectNode repairEvent = event(in, "repair", null, skip, "RepairPartitions");
        if (repairEvent != null) {
            repairEvent.put("dryRun", !repairAllowed || repairEvent.path("dryRun").asBoolean(false));
            repairEvent.put("shadow", true);
        }
        ObjectNode er = event(in, "erTable", null, skip, "BuildErTable");
        if (er != null) {
            er.put("shadow", true);
        }
        ObjectNode associate = event(in, "associate", null, skip, "AssociateTables");
        if (associate != null) {
            associate.put("dryRun", true);
        }
        boolean monitorSkipped = skip.path("DataMonitorReport").asBoolean(false);
        boolean cleanRoomsSkipped = skip.path("CleanRoomsReport").asBoolean(false);
        JsonNode reports = in.get("reports");
        if (reports == null || !reports.isObject()) {
            // The state machine's Shadow? reads the reports' bucket, so the member is needed even when skipped.
            throw new InvalidInputException("reports", "must be an object with dataMonitor (its reportBucket holds "
                    + "the shadow run's shadow.json) and cleanRooms");
        }
        ObjectNode monitor = event(in, "reports", "dataMonitor", skip, "");
        for (String f : List.of("reportBucket", "database", "tablePrefix")) {
            if (monitor == null || !monitor.path(f).isTextual()) {
                throw new InvalidInputException("reports.dataMonitor." + f, "is required in a shadow run: its "
                        + "shadow.json goes to that bucket, for that database and prefix"
                        + (monitorSkipped ? " (even with the report skipped)" : ""));
            }
        }
        monitor.put("shadow", true);
        ObjectNode cleanRooms = event(in, "reports", "cleanRooms", skip, cleanRoomsSkipped ? "CleanRoomsReport"
                : "");
        if (cleanRooms != null) {
            cleanRooms.put("shadow", true);
        }
        in.putObject("shadow").put("repair", repairAllowed);
        return in;
    }

    /**
     * The event at {@code in.name} (or {@code in.name.member}), which the shadow run rewrites; absent
     * is allowed only when its step is skipped.
     */
    private static ObjectNode event(ObjectNode in, String name, String member, ObjectNode skip, String step) {
        JsonNode node = member == null ? in.get(name) : in.path(name).get(member);
        String field = member == null ? name : name + "." + member;
        boolean skipped = !step.isEmpty() && skip.path(step).asBoolean(false);
        if (node == null || node.isNull()) {
            if (skipped) {
                return null;
            }
            throw new InvalidInputException(field, "is required: the shadow run redirects this step's writes");
        }
        if (!node.isObject()) {
            throw new InvalidInputException(field, "must be an object (the step's event)");
        }
        return (ObjectNode) node;
    }
}
