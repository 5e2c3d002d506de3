package com.omc.flywheel.ops.iam;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.omc.flywheel.shared.iam.PolicyEvaluator;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The IAM usage files of local runs and test runs ({@code iam-usage.jsonl} beside local-run's
 * {@code summary.json}; {@code <module>/target/iam-usage/<pid>.jsonl} of a Maven test run), read and
 * merged: every role's statements (the union over the files: a parameter that adds a statement, or a
 * test's copy of the template without one, changes a role's statements in one file only) and every
 * distinct use with its count. JSON lines of three types: {@code run} (the format), {@code grants}
 * (a role's statements), {@code use} (an authorization the local IAM check allowed, and the statement
 * and resource pattern that allowed it). Anything else is refused with the file and line.
 */
final class UsageFiles {
    static final int FORMAT = 1;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A statement of a role's policy, as the template gives it (lists empty when absent). */
    record Statement(String name, int index, boolean allow, List<String> actions, List<String> notActions,
                     List<String> resources, List<String> notResources, JsonNode condition, String reason) {
        /** The resource entries a grant is counted per: the patterns, or the NotResource list as one entry. */
        List<String> resourceEntries() {
            return resources.isEmpty() ? List.of(String.join(",", notResources)) : resources;
        }

        /** The action entries a grant is counted per: the actions, or the NotAction list as one entry. */
        List<String> actionEntries() {
            return actions.isEmpty() ? List.of("NotAction " + String.join(",", notActions)) : actions;
        }
    }

    /**
     * An allowed authorization: the statement and pattern that allowed it first, any other that did too,
     * how often, and in which of the files (their indexes).
     */
    record Use(String role, String action, String resource, Allowed by, List<Allowed> also, long count,
               Set<Integer> files) {
    }

    /** A statement (its name: Sid, or {@code #index}) and the resource pattern of it that matched. */
    record Allowed(String statement, String pattern) {
    }

    /** The merged files. */
    record Usage(List<Path> files, Map<String, Map<String, Statement>> roles, Map<String, List<String>> managed,
                 List<Use> uses) {
        long calls() {
            return uses.stream().mapToLong(Use::count).sum();
        }
    }

    private UsageFiles() {
    }

    /** The files named, a folder standing for every {@code *.jsonl} under it; merged. */
    static Usage read(List<String> arguments) {
        List<Path> files = new ArrayList<>();
        for (String a : arguments) {
            Path p = Path.of(a);
            if (Files.isDirectory(p)) {
                try (Stream<Path> walk = Files.walk(p)) {
                    List<Path> found = walk.filter(f -> f.toString().endsWith(".jsonl") && Files.isRegularFile(f))
                            .sorted().toList();
                    if (found.isEmpty()) {
                        throw new BadUsageException(a + ": a folder with no *.jsonl usage file in it");
                    }
                    files.addAll(found);
                } catch (IOException e) {
                    throw new BadUsageException("cannot list " + a + ": " + e.getMessage());
                }
            } else if (Files.isRegularFile(p)) {
                files.add(p);
            } else {
                throw new BadUsageException(a + ": no such file or folder (local-run writes iam-usage.jsonl beside "
                        + "summary.json; a module's tests write target/iam-usage/)");
            }
        }
        Map<String, Map<String, Statement>> roles = new LinkedHashMap<>();
        Map<String, List<String>> managed = new LinkedHashMap<>();
        Map<Use, Long> uses = new LinkedHashMap<>();
        Map<Use, Set<Integer>> seen = new LinkedHashMap<>();
        for (int i = 0; i < files.size(); i++) {
            readFile(files.get(i), i, roles, managed, uses, seen);
        }
        for (Use u : uses.keySet()) {
            Map<String, Statement> statements = roles.get(u.role());
            if (statements == null) {
                throw new BadUsageException("a use by role " + u.role() + " (" + u.action() + "), but no file gives "
                        + "that role's grants: pass the whole usage file");
            }
            for (Allowed a : concat(u.by(), u.also())) {
                if (!statements.containsKey(a.statement())) {
                    throw new BadUsageException("a use by role " + u.role() + " (" + u.action() + ") allowed by "
                            + "statement " + a.statement() + ", which no grants line gives that role");
                }
            }
        }
        List<Use> merged = new ArrayList<>();
        uses.forEach((u, n) -> merged.add(new Use(u.role(), u.action(), u.resource(), u.by(), u.also(), n,
                Set.copyOf(seen.get(u)))));
        return new Usage(List.copyOf(files), roles, managed, merged);
    }

    static List<Allowed> concat(Allowed first, List<Allowed> rest) {
        List<Allowed> out = new ArrayList<>();
        out.add(first);
        out.addAll(rest);
        return out;
    }

    private static void readFile(Path f, int index, Map<String, Map<String, Statement>> roles,
                                 Map<String, List<String>> managed, Map<Use, Long> uses, Map<Use, Set<Integer>> seen) {
        List<String> lines;
        try {
            lines = Files.readAllLines(f, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new BadUsageException("cannot read " + f + ": " + e.getMessage());
        }
        if (lines.stream().allMatch(String::isBlank)) {
            throw new BadUsageException(f + ": empty (a usage file starts with a run line)");
        }
        boolean run = false;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) {
                continue;
            }
            String where = f + ":" + (i + 1);
            JsonNode line;
            try {
                line = JSON.readTree(lines.get(i));
            } catch (JsonProcessingException e) {
                throw new BadUsageException(where + ": not JSON (" + e.getOriginalMessage() + ")");
            }
            String type = text(line, "type", where);
            switch (type) {
                case "run" -> {
                    int format = line.path("format").asInt(-1);
                    if (format != FORMAT) {
                        throw new BadUsageException(where + ": usage format " + line.path("format")
                                + ", this iam-report reads format " + FORMAT);
                    }
                    run = true;
                }
                case "grants" -> grants(line, where, roles, managed);
                case "use" -> {
                    Use u = use(line, where);
                    Use key = new Use(u.role(), u.action(), u.resource(), u.by(), u.also(), 0, Set.of());
                    uses.merge(key, u.count(), Long::sum);
                    seen.computeIfAbsent(key, k -> new java.util.TreeSet<>()).add(index);
                }
                default -> throw new BadUsageException(where + ": unknown line type '" + type
                        + "' (expected run, grants or use)");
            }
            if (!run) {
                throw new BadUsageException(where + ": a " + type + " line before any run line: not a usage file");
            }
        }
    }

    private static void grants(JsonNode line, String where, Map<String, Map<String, Statement>> roles,
                               Map<String, List<String>> managed) {
        String role = text(line, "role", where);
        JsonNode statements = line.get("statements");
        if (statements == null || !statements.isArray()) {
            throw new BadUsageException(where + ": a grants line without its statements array");
        }
        Map<String, Statement> known = roles.computeIfAbsent(role, r -> new LinkedHashMap<>());
        for (JsonNode s : statements) {
            if (!s.path("statement").isInt()) {
                throw new BadUsageException(where + ": a statement of " + role + " without its index");
            }
            int index = s.path("statement").asInt();
            String name = PolicyEvaluator.name(s.path("sid").asText(""), index);
            String effect = s.path("effect").asText();
            if (!effect.equals("Allow") && !effect.equals("Deny")) {
                throw new BadUsageException(where + ": statement " + name + " of " + role + " has effect '" + effect
                        + "' (Allow or Deny)");
            }
            Statement read = new Statement(name, index, effect.equals("Allow"), strings(s, "actions"),
                    strings(s, "notActions"), strings(s, "resources"), strings(s, "notResources"),
                    s.get("condition"), s.hasNonNull("reason") ? s.path("reason").asText() : null);
            if (read.actions().isEmpty() && read.notActions().isEmpty()
                    || read.resources().isEmpty() && read.notResources().isEmpty()) {
                throw new BadUsageException(where + ": statement " + name + " of " + role
                        + " has no actions or no resources");
            }
            known.merge(name, read, UsageFiles::union);
        }
        Set<String> policies = new LinkedHashSet<>(managed.getOrDefault(role, List.of()));
        line.path("managedPolicies").forEach(p -> policies.add(p.asText()));
        managed.put(role, List.copyOf(policies));
    }

    /** One statement seen in two files: the union of its entries (a reason from either). */
    private static Statement union(Statement a, Statement b) {
        return new Statement(a.name(), a.index(), a.allow(), union(a.actions(), b.actions()),
                union(a.notActions(), b.notActions()), union(a.resources(), b.resources()),
                union(a.notResources(), b.notResources()), a.condition() != null ? a.condition() : b.condition(),
                a.reason() != null ? a.reason() : b.reason());
    }

    private static List<String> union(List<String> a, List<String> b) {
        Set<String> out = new LinkedHashSet<>(a);
        out.addAll(b);
        return List.copyOf(out);
    }

    private static Use use(JsonNode line, String where) {
        Allowed by = allowed(line, where);
        List<Allowed> also = new ArrayList<>();
        line.path("alsoAllowedBy").forEach(a -> also.add(allowed(a, where)));
        long count = line.path("count").asLong(0);
        if (count < 1) {
            throw new BadUsageException(where + ": a use line without a count of at least 1");
        }
        return new Use(text(line, "role", where), text(line, "action", where), text(line, "resource", where), by,
                List.copyOf(also), count, Set.of());
    }

    private static Allowed allowed(JsonNode n, String where) {
        if (!n.path("statement").isInt()) {
            throw new BadUsageException(where + ": a use without the index of the statement that allowed it");
        }
        String name = PolicyEvaluator.name(n.path("sid").asText(""), n.path("statement").asInt());
        return new Allowed(name, text(n, "pattern", where));
    }

    private static String text(JsonNode n, String field, String where) {
        JsonNode v = n.get(field);
        if (v == null || !v.isTextual() || v.asText().isEmpty()) {
            throw new BadUsageException(where + ": missing or empty \"" + field + "\"");
        }
        return v.asText();
    }

    private static List<String> strings(JsonNode n, String field) {
        List<String> out = new ArrayList<>();
        n.path(field).forEach(x -> out.add(x.asText()));
        return List.copyOf(out);
    }
}
