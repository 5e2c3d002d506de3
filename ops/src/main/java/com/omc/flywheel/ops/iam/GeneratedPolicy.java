package com.omc.flywheel.ops.iam;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * A role's least-privilege policy from the calls observed: for each template statement that allowed a
 * call, the actions used (exact names, never a wildcard) grouped per resource pattern that statement
 * names (patterns used by the same actions share a statement), with the statement's Condition; the
 * template's Deny statements as they are. Never wider than the template: every action and pattern of
 * it is one the template statement it comes from grants ({@link #checkNotWider}).
 */
final class GeneratedPolicy {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, Pattern> PATTERNS = new java.util.concurrent.ConcurrentHashMap<>();

    /** One action on one resource pattern, under the template statement it comes from. */
    record Unit(String statement, String action, String resource) {
    }

    /** A policy's size: statements, action x resource grants, distinct actions, characters without spaces. */
    record Size(int statements, int grants, int actions, int characters) {
    }

    private final ObjectNode document;
    private final List<Unit> units;
    private final Size size;

    private GeneratedPolicy(ObjectNode document, List<Unit> units) {
        this.document = document;
        this.units = List.copyOf(units);
        this.size = size(document, units);
    }

    ObjectNode document() {
        return document;
    }

    List<Unit> units() {
        return units;
    }

    Size size() {
        return size;
    }

    /** The generated policy of one role. */
    static GeneratedPolicy of(Map<String, UsageFiles.Statement> statements, List<UsageFiles.Use> uses) {
        Map<String, Map<String, Set<String>>> used = new LinkedHashMap<>();
        for (UsageFiles.Use u : uses) {
            used.computeIfAbsent(u.by().statement(), s -> new TreeMap<>())
                    .computeIfAbsent(u.by().pattern(), p -> new TreeSet<>()).add(u.action());
        }
        ObjectNode doc = JSON.createObjectNode().put("Version", "2012-10-17");
        ArrayNode out = doc.putArray("Statement");
        List<Unit> units = new ArrayList<>();
        for (UsageFiles.Statement s : statements.values()) {
            if (!s.allow()) {
                out.add(templateStatement(s));
                continue;
            }
            Map<Set<String>, List<String>> groups = new LinkedHashMap<>();
            used.getOrDefault(s.name(), Map.of()).forEach((pattern, actions) ->
                    groups.computeIfAbsent(actions, a -> new ArrayList<>()).add(pattern));
            int n = 0;
            for (Map.Entry<Set<String>, List<String>> g : groups.entrySet()) {
                n++;
                ObjectNode st = out.addObject().put("Sid", sid(s.name()) + (n > 1 ? String.valueOf(n) : ""))
                        .put("Effect", "Allow");
                list(st, "Action", g.getKey());
                list(st, "Resource", g.getValue());
                if (s.condition() != null && !s.condition().isNull()) {
                    st.set("Condition", s.condition());
                }
                for (String a : g.getKey()) {
                    g.getValue().forEach(r -> units.add(new Unit(s.name(), a, r)));
                }
            }
        }
        GeneratedPolicy policy = new GeneratedPolicy(doc, units);
        checkNotWider(statements, policy);
        return policy;
    }

    /** The template's own policy of a role, in the same shape (for its size). */
    static GeneratedPolicy template(Map<String, UsageFiles.Statement> statements) {
        ObjectNode doc = JSON.createObjectNode().put("Version", "2012-10-17");
        ArrayNode out = doc.putArray("Statement");
        List<Unit> units = new ArrayList<>();
        for (UsageFiles.Statement s : statements.values()) {
            out.add(templateStatement(s));
            if (s.allow()) {
                for (String a : s.actionEntries()) {
                    s.resourceEntries().forEach(r -> units.add(new Unit(s.name(), a, r)));
                }
            }
        }
        return new GeneratedPolicy(doc, units);
    }

    /**
     * Fails when a generated grant is not one the template's statement gives (an action its Action does
     * not match, or a resource pattern it does not name): a defect of this class, never of the files.
     */
    static void checkNotWider(Map<String, UsageFiles.Statement> statements, GeneratedPolicy generated) {
        for (Unit u : generated.units()) {
            UsageFiles.Statement s = statements.get(u.statement());
            boolean action = s != null && (s.actions().isEmpty()
                    ? s.notActions().stream().noneMatch(p -> matches(p, u.action(), true))
                    : s.actions().stream().anyMatch(p -> matches(p, u.action(), true)));
            if (!action || !s.allow() || !s.resourceEntries().contains(u.resource())) {
                throw new IllegalStateException("the generated policy grants " + u.action() + " on " + u.resource()
                        + " under " + u.statement() + ", which the template's statement does not");
            }
        }
    }

    /** IAM's wildcard match ({@code *}, {@code ?}); actions ignore case, resources do not. */
    static boolean matches(String pattern, String value, boolean ignoreCase) {
        Pattern p = PATTERNS.computeIfAbsent((ignoreCase ? "i:" : "s:") + pattern, k -> {
            StringBuilder re = new StringBuilder();
            for (char c : pattern.toCharArray()) {
                re.append(c == '*' ? ".*" : c == '?' ? "." : Pattern.quote(String.valueOf(c)));
            }
            return Pattern.compile(re.toString(), Pattern.DOTALL | (ignoreCase ? Pattern.CASE_INSENSITIVE : 0));
        });
        return p.matcher(value).matches();
    }

    static boolean wildcard(String pattern) {
        return pattern.contains("*") || pattern.contains("?");
    }

    private static ObjectNode templateStatement(UsageFiles.Statement s) {
        ObjectNode st = JSON.createObjectNode().put("Sid", sid(s.name())).put("Effect", s.allow() ? "Allow" : "Deny");
        list(st, "Action", s.actions());
        list(st, "NotAction", s.notActions());
        list(st, "Resource", s.resources());
        list(st, "NotResource", s.notResources());
        if (s.condition() != null && !s.condition().isNull()) {
            st.set("Condition", s.condition());
        }
        return st;
    }

    private static void list(ObjectNode st, String field, java.util.Collection<String> values) {
        if (!values.isEmpty()) {
            ArrayNode a = st.putArray(field);
            values.forEach(a::add);
        }
    }

    /** A Sid IAM accepts ([A-Za-z0-9]): a statement without one is named by its index. */
    private static String sid(String name) {
        return name.startsWith("#") ? "Statement" + name.substring(1) : name;
    }

    private static Size size(ObjectNode doc, List<Unit> units) {
        Set<String> actions = new LinkedHashSet<>();
        units.forEach(u -> actions.add(u.action().toLowerCase(Locale.ROOT)));
        return new Size(doc.path("Statement").size(), units.size(), actions.size(), doc.toString().length());
    }
}
