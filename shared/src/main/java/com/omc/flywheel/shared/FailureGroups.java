package com.omc.flywheel.shared;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Per-table failures grouped by their error, for the one line a person reads (an exception's message,
 * hence the execution's Cause and the failure mail): when one removed IAM action fails 28 tables, the
 * error is said once, with its count and the tables by name, instead of 28 times. Two errors are the
 * same when they differ only in the table's own name (an ARN, a message naming it) and in request or
 * query ids; a group of more than one table shows the error with {@code <table>} in place of the name.
 * The text is bounded ({@link #MAX_NAMES} names a group, {@link #MAX_ERROR_CHARS} of each error,
 * {@link #MAX_CHARS} in all): every table's whole error belongs in the outcome file the message links
 * to. A pure function, no AWS call.
 */
public final class FailureGroups {
    /** At most this many tables named in one group; the rest are counted. */
    public static final int MAX_NAMES = 50;
    /** Each group's error cut to this many characters. */
    public static final int MAX_ERROR_CHARS = 500;
    /** The whole text stays within this many characters (about 8 KB: a Cause, a mail, a log line). */
    public static final int MAX_CHARS = 8_000;
    private static final Pattern REQUEST_ID = Pattern.compile("(Request ID|RequestId|request id): [^,)\\s]+");
    private static final Pattern UUID = Pattern.compile(
            "\\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\\b");

    private FailureGroups() {
    }

    /**
     * One error and the tables that failed with it.
     *
     * @param error  the error as the first of its tables had it, with {@code <table>} for the table's name
     *               when the group holds more than one (its own error otherwise)
     * @param tables the tables, in the order given
     */
    public record Group(String error, List<String> tables) {
        public Group {
            tables = List.copyOf(tables);
        }
    }

    /** The groups of {@code errorByTable} (table → error), the largest first, then in the order given. */
    public static List<Group> of(Map<String, String> errorByTable) {
        Map<String, List<String>> tables = new LinkedHashMap<>();
        Map<String, String> firstError = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : errorByTable.entrySet()) {
            String error = e.getValue() == null ? "(no error recorded)" : e.getValue();
            String key = sameness(e.getKey(), error);
            tables.computeIfAbsent(key, k -> new ArrayList<>()).add(e.getKey());
            firstError.putIfAbsent(key, error);
        }
        List<Group> groups = new ArrayList<>();
        tables.forEach((key, names) -> groups.add(new Group(names.size() == 1 ? firstError.get(key) : key, names)));
        groups.sort(Comparator.comparingInt((Group g) -> g.tables().size()).reversed());
        return groups;
    }

    /**
     * The groups as one line: {@code table (error)} for a table alone with its error, {@code N tables
     * (a, b, …): error} for a group, groups separated by {@code "; "}, the largest first; bounded by
     * {@link #MAX_CHARS}, the groups left out counted at the end.
     */
    public static String describe(Map<String, String> errorByTable) {
        List<Group> groups = of(errorByTable);
        StringBuilder text = new StringBuilder();
        int shown = 0;
        for (Group g : groups) {
            String part = describe(g);
            if (shown > 0 && text.length() + part.length() + 2 > MAX_CHARS) {
                break;
            }
            text.append(shown == 0 ? "" : "; ").append(part);
            shown++;
        }
        if (shown < groups.size()) {
            int tablesLeft = groups.subList(shown, groups.size()).stream().mapToInt(g -> g.tables().size()).sum();
            text.append("; and ").append(tablesLeft).append(tablesLeft == 1 ? " more table" : " more tables")
                    .append(" with ").append(groups.size() - shown)
                    .append(groups.size() - shown == 1 ? " other error" : " other errors");
        }
        return text.toString();
    }

    private static String describe(Group g) {
        String error = cut(g.error(), MAX_ERROR_CHARS);
        if (g.tables().size() == 1) {
            return g.tables().get(0) + " (" + error + ")";
        }
        List<String> names = g.tables().size() <= MAX_NAMES ? g.tables() : g.tables().subList(0, MAX_NAMES);
        String more = g.tables().size() <= MAX_NAMES ? "" : " and " + (g.tables().size() - MAX_NAMES) + " more";
        return g.tables().size() + " tables (" + String.join(", ", names) + more + "): " + error;
    }

    /**
     * What makes two tables' errors the same: the error with the table's own name (as a whole word, so
     * {@code part_a} is not found in {@code part_ab}) as {@code <table>}, request ids and UUIDs (query
     * ids) as {@code <id>}.
     */
    static String sameness(String table, String error) {
        String text = error;
        if (table != null && !table.isEmpty()) {
            text = Pattern.compile("(?<![A-Za-z0-9_])" + Pattern.quote(table) + "(?![A-Za-z0-9_])").matcher(text)
                    .replaceAll("<table>");
        }
        text = REQUEST_ID.matcher(text).replaceAll(m -> Matcher.quoteReplacement(m.group(1)) + ": <id>");
        return UUID.matcher(text).replaceAll("<id>");
    }

    private static String cut(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max) + "…";
    }
}
