package com.omc.flywheel.ops.compare;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.omc.flywheel.ops.compare.Difference.Category;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The comparison's outcome, and its three renderings: the summary printed on the terminal, the Markdown
 * report and the JSON report. Unexplained differences are listed one by one (file, table, column);
 * deliberate and run-time ones are grouped by file and field, with the rows they occur in.
 */
final class ComparisonReport {
    /** Unexplained differences printed on the terminal; the reports list them all. */
    static final int SHOWN = 40;
    private final String today;
    private final String now;
    private final List<FileResult> files;
    private final List<String> ignoredToday;
    private final List<String> ignoredNew;

    /** One pair of files: how many rows (tables) they hold together, and their classified differences. */
    record FileResult(ReportPairs.Pair pair, int rows, List<Difference> differences) {
        long count(Category c) {
            return differences.stream().filter(d -> d.category() == c).count();
        }
    }

    ComparisonReport(String today, String now, List<FileResult> files, List<String> ignoredToday,
                     List<String> ignoredNew) {
        this.today = today;
        this.now = now;
        this.files = List.copyOf(files);
        this.ignoredToday = List.copyOf(ignoredToday);
        this.ignoredNew = List.copyOf(ignoredNew);
    }

    List<Difference> differences() {
        return files.stream().flatMap(f -> f.differences().stream()).toList();
    }

    long count(Category c) {
        return files.stream().mapToLong(f -> f.count(c)).sum();
    }

    /** 0 when nothing is unexplained, else 1. */
    int exitCode() {
        return count(Category.UNEXPLAINED) == 0 ? 0 : 1;
    }

    String verdict() {
        long unexplained = count(Category.UNEXPLAINED);
        String rest = count(Category.DELIBERATE) + " deliberate, " + count(Category.RUN_TIME) + " run-time";
        return unexplained == 0 ? "no unexplained difference (" + rest + ")"
                : unexplained + " unexplained difference" + (unexplained == 1 ? "" : "s") + " (" + rest + ")";
    }

    /** Differences of one category that are the same but for the row, as one line. */
    private record Group(Difference first, List<String> tables) {
        String rows() {
            List<String> named = tables.stream().filter(Objects::nonNull).toList();
            if (named.isEmpty()) {
                return "";
            }
            return named.size() + " row" + (named.size() == 1 ? "" : "s") + " (" + String.join(", ",
                    named.size() > 6 ? named.subList(0, 6) : named) + (named.size() > 6 ? ", …" : "") + ")";
        }
    }

    private List<Group> groups(Category category) {
        Map<List<Object>, Group> out = new LinkedHashMap<>();
        for (Difference d : differences()) {
            if (d.category() != category) {
                continue;
            }
            List<Object> key = new ArrayList<>();
            key.add(d.file());
            key.add(Objects.toString(d.field()));
            key.add(d.change());
            key.add(Objects.toString(d.reason()));
            if (d.field() != null && d.field().startsWith("(") || "alerts".equals(d.field())
                    || d.observation().table() == null) {
                key.add(d.todayShown() + "|" + d.nowShown());
            }
            out.computeIfAbsent(key, k -> new Group(d, new ArrayList<>())).tables().add(d.table());
        }
        return List.copyOf(out.values());
    }

    /** The summary for the terminal: the files, then every unexplained difference, then the others grouped. */
    String text() {
        StringBuilder b = new StringBuilder();
        b.append("TODAY  ").append(today).append('\n');
        b.append("NEW    ").append(now).append("\n\n");
        int width = Math.max(4, files.stream().mapToInt(f -> label(f).length()).max().orElse(4));
        String format = "%-" + width + "s  %-34s %5s %9s %11s %12s%n";
        b.append(String.format(format, "FILE", "KIND", "ROWS", "RUN-TIME", "DELIBERATE", "UNEXPLAINED"));
        for (FileResult f : files) {
            b.append(String.format(format, label(f), f.pair().kind().label(), f.rows(), f.count(Category.RUN_TIME),
                    f.count(Category.DELIBERATE), f.count(Category.UNEXPLAINED)));
        }
        b.append(String.format(format, "(all)", "", "", count(Category.RUN_TIME), count(Category.DELIBERATE),
                count(Category.UNEXPLAINED)));
        List<Difference> unexplained = differences().stream().filter(d -> d.category() == Category.UNEXPLAINED)
                .toList();
        if (!unexplained.isEmpty()) {
            b.append("\nunexplained:\n");
            for (Difference d : unexplained.subList(0, Math.min(SHOWN, unexplained.size()))) {
                b.append("  ").append(d.file()).append(d.table() == null ? "" : ", table " + d.table()).append(": ")
                        .append(d.what()).append(": TODAY ").append(d.todayShown()).append(", NEW ")
                        .append(d.nowShown()).append('\n');
            }
            if (unexplained.size() > SHOWN) {
                b.append("  … and ").append(unexplained.size() - SHOWN)
                        .append(" more (every one is in the Markdown and JSON reports)\n");
            }
        }
        for (Category c : List.of(Category.DELIBERATE, Category.RUN_TIME)) {
            List<Group> groups = groups(c);
            if (!groups.isEmpty()) {
                b.append('\n').append(c.label()).append(":\n");
            }
            for (Group g : groups) {
                Difference d = g.first();
                String where = where(g);
                b.append("  ").append(d.file()).append(": ").append(d.what())
                        .append(where.isEmpty() ? "" : " " + where).append(": ").append(d.reason());
                if (d.deliberate() != null) {
                    b.append(" [").append(d.deliberate().name()).append(", ").append(d.reference()).append(']');
                }
                b.append('\n');
            }
        }
        if (!ignoredToday.isEmpty() || !ignoredNew.isEmpty()) {
            b.append("\nnot report files, not compared: ").append(ignoredToday.size()).append(" in TODAY, ")
                    .append(ignoredNew.size()).append(" in NEW\n");
        }
        b.append('\n').append(verdict()).append('\n');
        return b.toString();
    }

    private static String label(FileResult f) {
        ReportPairs.Pair p = f.pair();
        if (p.today() != null && p.now() != null && !p.today().path().equals(p.now().path())) {
            return p.today().path() + " / " + p.now().path();
        }
        return p.file() + (p.today() == null ? " (NEW only)" : p.now() == null ? " (TODAY only)" : "");
    }

    String markdown() {
        StringBuilder b = new StringBuilder("# Report comparison\n\n");
        b.append("- TODAY: `").append(today).append("`\n");
        b.append("- NEW: `").append(now).append("`\n");
        b.append("- Result: ").append(verdict()).append(exitCode() == 0 ? "" : " — **to be explained**").append("\n\n");
        b.append("Run-time differences are the time or date of each run; deliberate ones are those ")
                .append("docs/functions.md documents (build-report); anything else is unexplained.\n\n");
        b.append("## Files\n\n| TODAY | NEW | kind | rows | run-time | deliberate | unexplained |\n")
                .append("|---|---|---|---:|---:|---:|---:|\n");
        for (FileResult f : files) {
            ReportPairs.Pair p = f.pair();
            row(b, p.today() == null ? "-" : p.today().path(), p.now() == null ? "-" : p.now().path(),
                    p.kind().label(), f.rows(), f.count(Category.RUN_TIME), f.count(Category.DELIBERATE),
                    f.count(Category.UNEXPLAINED));
        }
        b.append("\n## Unexplained differences\n\n");
        List<Difference> unexplained = differences().stream().filter(d -> d.category() == Category.UNEXPLAINED)
                .toList();
        if (unexplained.isEmpty()) {
            b.append("None.\n");
        } else {
            b.append("| file | table | what | TODAY | NEW |\n|---|---|---|---|---|\n");
            unexplained.forEach(d -> row(b, d.file(), d.table() == null ? "" : d.table(), d.what(), d.todayShown(),
                    d.nowShown()));
        }
        for (Category c : List.of(Category.DELIBERATE, Category.RUN_TIME)) {
            boolean deliberate = c == Category.DELIBERATE;
            b.append("\n## ").append(deliberate ? "Deliberate" : "Run-time").append(" differences\n\n");
            List<Group> groups = groups(c);
            b.append(groups.isEmpty() ? "None.\n"
                    : "| file | what | where | why | reference |\n|---|---|---|---|---|\n");
            groups.forEach(g -> row(b, g.first().file(), g.first().what(), where(g), g.first().reason(),
                    deliberate ? g.first().deliberate().name() + ", " + g.first().reference() : ""));
        }
        if (!ignoredToday.isEmpty() || !ignoredNew.isEmpty()) {
            b.append("\n## Not report files (not compared)\n\n");
            ignoredToday.forEach(f -> b.append("- TODAY: `").append(f).append("`\n"));
            ignoredNew.forEach(f -> b.append("- NEW: `").append(f).append("`\n"));
        }
        return b.toString();
    }

    /** Where a group of differences is: the alert, the rows, or the two values; nothing for a whole file. */
    private static String where(Group g) {
        Difference d = g.first();
        if ("(file)".equals(d.field())) {
            return "";
        }
        if ("alerts".equals(d.field()) && d.change() != Observation.Change.ORDER) {
            return d.change() == Observation.Change.ONLY_TODAY ? d.todayShown() : d.nowShown();
        }
        String rows = g.rows();
        return rows.isEmpty() ? "(TODAY " + d.todayShown() + ", NEW " + d.nowShown() + ")" : "in " + rows;
    }

    private static void row(StringBuilder b, Object... cells) {
        b.append('|');
        for (Object c : cells) {
            b.append(' ').append(String.valueOf(c).replace("|", "\\|").replace("\n", " ")).append(" |");
        }
        b.append('\n');
    }

    ObjectNode json() {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode root = f.objectNode();
        root.put("today", today);
        root.put("new", now);
        root.put("unexplained", count(Category.UNEXPLAINED));
        root.put("deliberate", count(Category.DELIBERATE));
        root.put("runTime", count(Category.RUN_TIME));
        root.put("exitCode", exitCode());
        ArrayNode fileList = root.putArray("files");
        for (FileResult r : files) {
            ObjectNode o = fileList.addObject();
            o.put("kind", r.pair().kind().name());
            o.put("today", r.pair().today() == null ? null : r.pair().today().path());
            o.put("new", r.pair().now() == null ? null : r.pair().now().path());
            o.put("rows", r.rows());
            o.put("runTime", r.count(Category.RUN_TIME));
            o.put("deliberate", r.count(Category.DELIBERATE));
            o.put("unexplained", r.count(Category.UNEXPLAINED));
        }
        ArrayNode list = root.putArray("differences");
        for (Difference d : differences()) {
            ObjectNode o = list.addObject();
            o.put("category", d.category().name());
            o.put("file", d.file());
            o.put("kind", d.observation().kind().name());
            o.put("table", d.table());
            o.put("field", d.field());
            o.put("change", d.change().name());
            o.put("what", d.what());
            o.set("today", d.observation().today());
            o.set("new", d.observation().now());
            o.put("reason", d.reason());
            o.put("deliberate", d.deliberate() == null ? null : d.deliberate().name());
            o.put("reference", d.reference());
        }
        ObjectNode ignored = root.putObject("ignored");
        ignoredToday.forEach(ignored.putArray("today")::add);
        ignoredNew.forEach(ignored.putArray("new")::add);
        return root;
    }
}
