package com.omc.flywheel.ops.compare;

import static com.omc.flywheel.ops.compare.Observation.Change.CHANGED;
import static com.omc.flywheel.ops.compare.Observation.Change.FORMAT;
import static com.omc.flywheel.ops.compare.Observation.Change.ONLY_NEW;
import static com.omc.flywheel.ops.compare.Observation.Change.ONLY_TODAY;
import static com.omc.flywheel.ops.compare.Observation.Change.ORDER;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Compares one pair of report files of the same kind: JSON member by member, CSV cell by cell, rows
 * matched by their key (the table name) wherever they are, so a row on one side only, a changed order
 * of rows, columns or members, and a changed layout (CRLF, json.dumps' indentation) are each one
 * observation, and the rest is compared by name.
 */
final class ReportComparer {
    /** Arrays of objects matched by a member, as {@code tables} is (by the kind's key). */
    private static final Map<String, String> KEYED = Map.of(
            "identity_resolution.id_namespace_associations", "name",
            "identity_resolution.id_mapping_tables", "name",
            "identity_resolution.entity_resolution_namespaces", "name",
            "identity_resolution.schema_mappings", "name",
            "membership_results_delivery.result_receiver_accounts", "account_id");
    /** The table an alert is about: {@code [PK_DUPES] part_x: …} or {@code part_x: …}. */
    private static final Pattern ALERT_TABLE = Pattern.compile("^(?:\\[[A-Z_]+\\] )?([^\\s:]+):");

    private final ReportKind kind;
    private final String file;
    private final List<Observation> observations = new ArrayList<>();
    private JsonNode todayDoc;
    private JsonNode newDoc;
    private int rows;

    private ReportComparer(ReportKind kind, String file) {
        this.kind = kind;
        this.file = file;
    }

    /** What was compared: the observations, and how many rows (tables) the two files hold together. */
    record Result(List<Observation> observations, int rows) {
    }

    /**
     * @param file      the pair's name in the report
     * @param todayName TODAY's file as the messages name it (its location)
     * @param newName   NEW's file as the messages name it
     */
    static Result compare(ReportKind kind, String file, String todayName, byte[] today, String newName, byte[] now) {
        ReportComparer c = new ReportComparer(kind, file);
        if (kind.csv()) {
            c.csv(PythonCsv.read(todayName, today), PythonCsv.read(newName, now), todayName, newName);
        } else {
            c.json(PythonJson.read(todayName, today), PythonJson.read(newName, now), todayName, newName);
        }
        return new Result(List.copyOf(c.observations), c.rows);
    }

    private void json(PythonJson.Parsed t, PythonJson.Parsed n, String todayName, String newName) {
        layout(t.layoutProblem(), n.layoutProblem(), PythonJson.WRITER);
        todayDoc = t.root();
        newDoc = n.root();
        for (var side : List.of(Map.entry(todayName, todayDoc), Map.entry(newName, newDoc))) {
            JsonNode tables = side.getValue().get("tables");
            if (tables != null && !tables.isArray()) {
                throw new BadInputException(side.getKey() + " is unreadable as a report: its 'tables' is not a list");
            }
        }
        object("", (ObjectNode) todayDoc, (ObjectNode) newDoc, null);
    }

    /** Inside a row of {@code tables}: the table, and the row on each side. */
    private record Scope(String table, ObjectNode todayRow, ObjectNode newRow) {
    }

    private void object(String path, ObjectNode t, ObjectNode n, Scope scope) {
        List<String> todayNames = names(t);
        List<String> newNames = names(n);
        for (String name : todayNames) {
            if (!n.has(name)) {
                add(scope, join(path, name), ONLY_TODAY, t.get(name), null);
            }
        }
        for (String name : newNames) {
            if (!t.has(name)) {
                add(scope, join(path, name), ONLY_NEW, null, n.get(name));
            }
        }
        List<String> todayCommon = todayNames.stream().filter(n::has).toList();
        List<String> newCommon = newNames.stream().filter(t::has).toList();
        if (!todayCommon.equals(newCommon)) {
            add(scope, path.isEmpty() ? "(members)" : path, ORDER, Difference.text(String.join(", ", todayCommon)),
                    Difference.text(String.join(", ", newCommon)));
        }
        for (String name : todayCommon) {
            value(join(path, name), t.get(name), n.get(name), scope);
        }
    }

    private void value(String path, JsonNode t, JsonNode n, Scope scope) {
        if (t.isObject() && n.isObject()) {
            object(path, (ObjectNode) t, (ObjectNode) n, scope);
        } else if (t.isArray() && n.isArray()) {
            String key = KEYED.get(path);
            if (scope == null && path.equals("tables")) {
                keyed(path, kind.key(), t, n, null, true);
            } else if (scope == null && path.equals("alerts") && kind == ReportKind.DATA_MONITOR_JSON) {
                alerts(t, n);
            } else if (key != null && keyable(t, key) && keyable(n, key)) {
                keyed(path, key, t, n, scope, false);
            } else if (t.size() == n.size() && allObjects(t) && allObjects(n)) {
                for (int i = 0; i < t.size(); i++) {
                    object(path + "[" + i + "]", (ObjectNode) t.get(i), (ObjectNode) n.get(i), scope);
                }
            } else if (!t.equals(n)) {
                add(scope, path, CHANGED, t, n);
            }
        } else if (!t.equals(n)) {
            add(scope, path, CHANGED, t, n);
        }
    }

    /**
     * Elements matched by {@code key}. Rows of {@code tables} become the scope of what is found in them
     * (and are counted); other keyed elements are named {@code path[key]}.
     */
    private void keyed(String path, String key, JsonNode t, JsonNode n, Scope scope, boolean tableRows) {
        Map<String, ObjectNode> today = byKey(t, key, path, "TODAY");
        Map<String, ObjectNode> now = byKey(n, key, path, "NEW");
        if (tableRows) {
            rows = union(today.keySet(), now.keySet());
        }
        for (var e : today.entrySet()) {
            if (!now.containsKey(e.getKey())) {
                if (tableRows) {
                    add(new Scope(e.getKey(), e.getValue(), null), null, ONLY_TODAY, e.getValue(), null);
                } else {
                    add(scope, path + "[" + e.getKey() + "]", ONLY_TODAY, e.getValue(), null);
                }
            }
        }
        for (var e : now.entrySet()) {
            if (!today.containsKey(e.getKey())) {
                if (tableRows) {
                    add(new Scope(e.getKey(), null, e.getValue()), null, ONLY_NEW, null, e.getValue());
                } else {
                    add(scope, path + "[" + e.getKey() + "]", ONLY_NEW, null, e.getValue());
                }
            }
        }
        order(scope, path, today.keySet().stream().filter(now::containsKey).toList(),
                now.keySet().stream().filter(today::containsKey).toList());
        for (var e : today.entrySet()) {
            ObjectNode other = now.get(e.getKey());
            if (other != null) {
                if (tableRows) {
                    object("", e.getValue(), other, new Scope(e.getKey(), e.getValue(), other));
                } else {
                    object(path + "[" + e.getKey() + "]", e.getValue(), other, scope);
                }
            }
        }
    }

    private Map<String, ObjectNode> byKey(JsonNode array, String key, String path, String side) {
        Map<String, ObjectNode> out = new LinkedHashMap<>();
        for (int i = 0; i < array.size(); i++) {
            JsonNode e = array.get(i);
            if (!e.isObject() || !e.path(key).isTextual()) {
                throw new BadInputException(side + "'s " + file + " is unreadable as a report: element " + (i + 1)
                        + " of '" + path + "' has no '" + key + "'");
            }
            if (out.put(e.get(key).asText(), (ObjectNode) e) != null) {
                throw new BadInputException(side + "'s " + file + " is unreadable as a report: '" + path + "' holds "
                        + e.get(key).asText() + " twice");
            }
        }
        return out;
    }

    private static boolean keyable(JsonNode array, String key) {
        Set<String> seen = new HashSet<>();
        for (JsonNode e : array) {
            if (!e.isObject() || !e.path(key).isTextual() || !seen.add(e.get(key).asText())) {
                return false;
            }
        }
        return true;
    }

    /** The alerts as two multisets: each alert on one side only, then the order of those on both. */
    private void alerts(JsonNode t, JsonNode n) {
        List<String> today = texts(t);
        List<String> now = texts(n);
        order(null, "alerts", common(today, now, ONLY_TODAY), common(now, today, ONLY_NEW));
    }

    /** The alerts of {@code side} also in {@code other} (as often), in order; each of the rest is a difference. */
    private List<String> common(List<String> side, List<String> other, Observation.Change onlyHere) {
        Map<String, Integer> left = counts(other);
        List<String> common = new ArrayList<>();
        for (String a : side) {
            if (left.merge(a, -1, Integer::sum) >= 0) {
                common.add(a);
            } else {
                JsonNode text = Difference.text(a);
                add(new Scope(alertTable(a), null, null), "alerts", onlyHere, onlyHere == ONLY_TODAY ? text : null,
                        onlyHere == ONLY_NEW ? text : null);
            }
        }
        return common;
    }

    private static String alertTable(String alert) {
        Matcher m = ALERT_TABLE.matcher(alert);
        return m.find() ? m.group(1) : null;
    }

    private void csv(PythonCsv.Parsed t, PythonCsv.Parsed n, String todayName, String newName) {
        layout(t.layoutProblem(), n.layoutProblem(), PythonCsv.WRITER);
        Map<String, ObjectNode> today = csvRows(t, todayName);
        Map<String, ObjectNode> now = csvRows(n, newName);
        rows = union(today.keySet(), now.keySet());
        Observation.Context columns = Observation.Context.columns(n.header());
        for (int i = 0; i < t.header().size(); i++) {
            if (!n.header().contains(t.header().get(i))) {
                addColumn(t.header().get(i), ONLY_TODAY, Difference.text("column " + (i + 1)), null, columns);
            }
        }
        for (int i = 0; i < n.header().size(); i++) {
            if (!t.header().contains(n.header().get(i))) {
                addColumn(n.header().get(i), ONLY_NEW, null, Difference.text("column " + (i + 1)), columns);
            }
        }
        List<String> common = t.header().stream().filter(n.header()::contains).toList();
        List<String> newCommon = n.header().stream().filter(t.header()::contains).toList();
        if (!common.equals(newCommon)) {
            addColumn("(columns)", ORDER, Difference.text(String.join(", ", common)),
                    Difference.text(String.join(", ", newCommon)), columns);
        }
        for (var e : today.entrySet()) {
            if (!now.containsKey(e.getKey())) {
                add(new Scope(e.getKey(), e.getValue(), null), null, ONLY_TODAY, Difference.text(line(e.getValue())),
                        null);
            }
        }
        for (var e : now.entrySet()) {
            if (!today.containsKey(e.getKey())) {
                add(new Scope(e.getKey(), null, e.getValue()), null, ONLY_NEW, null,
                        Difference.text(line(e.getValue())));
            }
        }
        order(null, "(rows)", today.keySet().stream().filter(now::containsKey).toList(),
                now.keySet().stream().filter(today::containsKey).toList());
        for (var e : today.entrySet()) {
            ObjectNode other = now.get(e.getKey());
            if (other == null) {
                continue;
            }
            Scope scope = new Scope(e.getKey(), e.getValue(), other);
            for (String column : common) {
                JsonNode a = e.getValue().get(column);
                JsonNode b = other.get(column);
                if (!a.equals(b)) {
                    add(scope, column, CHANGED, a, b);
                }
            }
        }
    }

    /** The rows as objects of strings, by their key column. */
    private Map<String, ObjectNode> csvRows(PythonCsv.Parsed parsed, String name) {
        Map<String, ObjectNode> out = new LinkedHashMap<>();
        int key = parsed.header().indexOf(kind.key());
        if (key < 0 && !parsed.rows().isEmpty()) {
            throw new BadInputException(name + " is unreadable as a " + kind.label() + ": its header has no column '"
                    + kind.key() + "'");
        }
        for (List<String> cells : parsed.rows()) {
            ObjectNode row = JsonNodeFactory.instance.objectNode();
            for (int i = 0; i < cells.size(); i++) {
                row.put(parsed.header().get(i), cells.get(i));
            }
            if (out.put(cells.get(key), row) != null) {
                throw new BadInputException(name + " is unreadable as a " + kind.label() + ": two rows have "
                        + kind.key() + " '" + cells.get(key) + "'");
            }
        }
        return out;
    }

    private static String line(ObjectNode row) {
        List<String> cells = new ArrayList<>();
        row.elements().forEachRemaining(v -> cells.add(v.asText()));
        return String.join(",", cells);
    }

    /** A file laid out as today's writer does on one side only. */
    private void layout(String today, String now, String writer) {
        if ((today == null) != (now == null)) {
            add(null, "(layout)", FORMAT, Difference.text(today == null ? "as " + writer + " writes it" : today),
                    Difference.text(now == null ? "as " + writer + " writes it" : now));
        }
    }

    private void order(Scope scope, String field, List<String> today, List<String> now) {
        if (!today.equals(now)) {
            add(scope, field, ORDER, Difference.text(String.join(", ", today)),
                    Difference.text(String.join(", ", now)));
        }
    }

    private void add(Scope scope, String field, Observation.Change change, JsonNode today, JsonNode now) {
        Observation.Context context = scope == null ? Observation.Context.rows(null, null, todayDoc, newDoc)
                : Observation.Context.rows(scope.todayRow(), scope.newRow(), todayDoc, newDoc);
        observations.add(new Observation(kind, file, scope == null ? null : scope.table(), field, change, today, now,
                context));
    }

    private void addColumn(String field, Observation.Change change, JsonNode today, JsonNode now,
                           Observation.Context context) {
        observations.add(new Observation(kind, file, null, field, change, today, now, context));
    }

    private static List<String> names(JsonNode node) {
        List<String> names = new ArrayList<>();
        Iterator<String> it = node.fieldNames();
        it.forEachRemaining(names::add);
        return names;
    }

    private static String join(String path, String name) {
        return path.isEmpty() ? name : path + "." + name;
    }

    private static boolean allObjects(JsonNode array) {
        for (JsonNode e : array) {
            if (!e.isObject()) {
                return false;
            }
        }
        return true;
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(e -> out.add(e.isTextual() ? e.asText() : e.toString()));
        return out;
    }

    private static Map<String, Integer> counts(List<String> values) {
        Map<String, Integer> out = new HashMap<>();
        values.forEach(v -> out.merge(v, 1, Integer::sum));
        return out;
    }

    private static int union(Set<String> a, Set<String> b) {
        Set<String> all = new HashSet<>(a);
        all.addAll(b);
        return all.size();
    }
}
