package com.omc.flywheel.ops.compare;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Set;

/**
 * One way a pair of report files differs, before it is classified: what (a member, a column, a cell, a
 * row, an alert, the file itself), where (the file, the table), and the two values, with what the
 * classification needs to see around it.
 *
 * @param file   the file's path under its side (TODAY's when both sides have it)
 * @param table  the row's key (a table name, or an Entity Resolution namespace), null for the document
 * @param field  the member path within the row or document ({@code status.ready_for_analysis},
 *               {@code compare.type}), the CSV column, {@code alerts}, or a parenthesised name for the
 *               file itself: {@code (file)}, {@code (report date)}, {@code (date format)},
 *               {@code (folder)}, {@code (layout)}, {@code (columns)}, {@code (rows)}
 * @param today  TODAY's value (a CSV cell as a JSON string; null when absent)
 * @param now    NEW's value
 */
record Observation(ReportKind kind, String file, String table, String field, Change change, JsonNode today,
                   JsonNode now, Context context) {

    /** How the two sides differ. */
    enum Change {
        CHANGED, ONLY_TODAY, ONLY_NEW, ORDER, FORMAT
    }

    /**
     * What surrounds the difference: the row on each side (CSV rows as objects of strings), the whole
     * JSON document on each side, NEW's CSV columns, and for a file on one side only its collaboration
     * and the collaborations TODAY has Clean Rooms reports of.
     */
    record Context(ObjectNode todayRow, ObjectNode newRow, JsonNode todayDoc, JsonNode newDoc, List<String> newColumns,
                   String collaboration, Set<String> todayCollaborations) {
        static final Context NONE = new Context(null, null, null, null, List.of(), "", Set.of());

        static Context rows(ObjectNode todayRow, ObjectNode newRow, JsonNode todayDoc, JsonNode newDoc) {
            return new Context(todayRow, newRow, todayDoc, newDoc, List.of(), "", Set.of());
        }

        static Context columns(List<String> newColumns) {
            return new Context(null, null, null, null, List.copyOf(newColumns), "", Set.of());
        }

        static Context collaborations(String collaboration, Set<String> todayCollaborations) {
            return new Context(null, null, null, null, List.of(), collaboration, Set.copyOf(todayCollaborations));
        }
    }

    /** TODAY's value as text (a JSON string's content, a number's digits), null when absent. */
    String todayText() {
        return today == null ? null : today.asText();
    }

    String nowText() {
        return now == null ? null : now.asText();
    }

    /** A cell or member of a row as text, "" when the row or the member is absent; {@code a.b} reads nested members. */
    static String cell(JsonNode row, String path) {
        if (row == null) {
            return "";
        }
        JsonNode v = row.at("/" + path.replace(".", "/"));
        return v.isMissingNode() || v.isNull() ? "" : v.asText();
    }

    boolean about(String name) {
        return name.equals(field);
    }
}
