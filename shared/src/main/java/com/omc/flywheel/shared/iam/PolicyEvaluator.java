package com.omc.flywheel.shared.iam;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Identity-based policy evaluation as AWS documents it for one principal in one account: an
 * explicit Deny wins, else an Allow whose Action, Resource and Condition all match, else the
 * implicit deny. Actions match case-insensitively, resources case-sensitively, both with {@code *}
 * and {@code ?} wildcards; {@code NotAction} and {@code NotResource} invert. Conditions support the
 * operators the template uses (String*, Arn*, Bool, Null, with {@code IfExists}); an absent key fails the
 * condition (as in AWS, unless {@code IfExists}); any other operator fails the evaluation loudly
 * rather than guessing.
 *
 * <p>Why not {@code @cloud-copilot/iam-simulate}: it is AGPL-3.0 and Node (one process call per AWS
 * call, or a server beside the proxy); the policy language this template uses is small, and every
 * feature above has a test in {@code PolicyEvaluatorTest}.
 */
public final class PolicyEvaluator {
    /** One statement, normalized: the lists are never null (empty when the element is absent). */
    public record Statement(String sid, boolean allow, List<String> actions, List<String> notActions,
                            List<String> resources, List<String> notResources, JsonNode condition) {
        public static Statement of(JsonNode s) {
            return new Statement(s.path("Sid").asText(""), "Allow".equals(s.path("Effect").asText()),
                    strings(s.get("Action")), strings(s.get("NotAction")), strings(s.get("Resource")),
                    strings(s.get("NotResource")), s.get("Condition"));
        }

        private static List<String> strings(JsonNode n) {
            List<String> out = new ArrayList<>();
            if (n == null || n.isNull()) {
                return out;
            }
            if (n.isArray()) {
                n.forEach(x -> out.add(x.asText()));
            } else {
                out.add(n.asText());
            }
            return out;
        }
    }

    /** The outcome for one action on one resource. */
    public enum Decision { ALLOW, IMPLICIT_DENY, EXPLICIT_DENY }

    /**
     * An Allow statement that matched: its index in the principal's statements, its Sid (empty when it
     * has none) and the first of its resource patterns that matched (the NotResource list, joined, for a
     * NotResource statement).
     */
    public record Grant(int statement, String sid, String pattern) {
        /** The statement as the usage file and iam-report name it: its Sid, or {@code #index} without one. */
        public String name() {
            return PolicyEvaluator.name(sid, statement);
        }
    }

    /** The decision and, when it allows, every Allow statement that does (in statement order). */
    public record Verdict(Decision decision, List<Grant> allowedBy) {
    }

    private PolicyEvaluator() {
    }

    /**
     * How a statement is named wherever usage, reports and doctor meet: its Sid, or {@code #index} (its
     * place among the principal's statements) when it has none.
     */
    public static String name(String sid, int index) {
        return sid == null || sid.isEmpty() ? "#" + index : sid;
    }

    public static Decision evaluate(List<Statement> statements, String action, String resource,
                                    Map<String, String> context) {
        return authorize(statements, action, resource, context).decision();
    }

    /** {@link #evaluate}, saying which statements (and which of their resource patterns) allowed. */
    public static Verdict authorize(List<Statement> statements, String action, String resource,
                                    Map<String, String> context) {
        List<Grant> allowedBy = new ArrayList<>();
        for (int i = 0; i < statements.size(); i++) {
            Statement s = statements.get(i);
            if (!matches(s, action, resource, context)) {
                continue;
            }
            if (!s.allow()) {
                return new Verdict(Decision.EXPLICIT_DENY, List.of());
            }
            allowedBy.add(new Grant(i, s.sid(), s.resources().isEmpty() ? String.join(",", s.notResources())
                    : s.resources().stream().filter(p -> wildcard(p, resource)).findFirst().orElseThrow()));
        }
        return allowedBy.isEmpty() ? new Verdict(Decision.IMPLICIT_DENY, List.of())
                : new Verdict(Decision.ALLOW, List.copyOf(allowedBy));
    }

    static boolean matches(Statement s, String action, String resource, Map<String, String> context) {
        boolean actionMatch = !s.actions().isEmpty()
                ? s.actions().stream().anyMatch(p -> wildcard(p.toLowerCase(Locale.ROOT),
                        action.toLowerCase(Locale.ROOT)))
                : !s.notActions().isEmpty()
                && s.notActions().stream().noneMatch(p -> wildcard(p.toLowerCase(Locale.ROOT),
                        action.toLowerCase(Locale.ROOT)));
        if (!actionMatch) {
            return false;
        }
        boolean resourceMatch = !s.resources().isEmpty()
                ? s.resources().stream().anyMatch(p -> wildcard(p, resource))
                : !s.notResources().isEmpty() && s.notResources().stream().noneMatch(p -> wildcard(p, resource));
        return resourceMatch && conditions(s.condition(), context);
    }

    private static boolean conditions(JsonNode condition, Map<String, String> context) {
        if (condition == null || condition.isNull()) {
            return true;
        }
        for (var ops = condition.fields(); ops.hasNext(); ) {
            var op = ops.next();
            for (var keys = op.getValue().fields(); keys.hasNext(); ) {
                var key = keys.next();
                if (!condition(op.getKey(), key.getKey(), Statement.strings(key.getValue()), context)) {
                    return false;
                }
            }
        }
        return true;
    }

    private static boolean condition(String operator, String key, List<String> values, Map<String, String> context) {
        boolean ifExists = operator.endsWith("IfExists");
        String op = ifExists ? operator.substring(0, operator.length() - "IfExists".length()) : operator;
        String actual = context.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(key))
                .map(Map.Entry::getValue).findFirst().orElse(null);
        if (op.equals("Null")) {
            return values.stream().anyMatch(v -> Boolean.parseBoolean(v) == (actual == null));
        }
        if (actual == null) {
            return ifExists || op.startsWith("StringNot") || op.startsWith("ArnNot");
        }
        return switch (op) {
            case "StringEquals", "ArnEquals" -> values.contains(actual);
            case "StringNotEquals", "ArnNotEquals" -> !values.contains(actual);
            case "StringEqualsIgnoreCase" -> values.stream().anyMatch(v -> v.equalsIgnoreCase(actual));
            case "StringLike", "ArnLike" -> values.stream().anyMatch(v -> wildcard(v, actual));
            case "StringNotLike", "ArnNotLike" -> values.stream().noneMatch(v -> wildcard(v, actual));
            case "Bool" -> values.stream().anyMatch(v -> v.equalsIgnoreCase(actual));
            default -> throw new IllegalStateException("the local IAM evaluator does not support the condition "
                    + "operator "
                    + operator + " (key " + key + "): add it to PolicyEvaluator with a test");
        };
    }

    /** IAM's wildcard match: {@code *} any run of characters, {@code ?} one character, the rest literal. */
    static boolean wildcard(String pattern, String value) {
        return PATTERNS.computeIfAbsent(pattern, PolicyEvaluator::compile).matcher(value).matches();
    }

    /** Compiled once per policy pattern: every proxied call is matched against every statement. */
    private static final Map<String, Pattern> PATTERNS = new java.util.concurrent.ConcurrentHashMap<>();

    private static Pattern compile(String pattern) {
        return regex(pattern, false);
    }

    /**
     * What each wildcard of an IAM pattern matched in a value, in order (empty when the value does not
     * match): for a resource named in one account, put into another account's pattern.
     */
    public static List<String> captures(String pattern, String value) {
        java.util.regex.Matcher m = regex(pattern, true).matcher(value);
        List<String> out = new ArrayList<>();
        if (m.matches()) {
            for (int i = 1; i <= m.groupCount(); i++) {
                out.add(m.group(i));
            }
        }
        return out;
    }

    private static Pattern regex(String pattern, boolean groups) {
        StringBuilder re = new StringBuilder();
        for (char c : pattern.toCharArray()) {
            switch (c) {
                case '*' -> re.append(groups ? "(.*?)" : ".*");
                case '?' -> re.append(groups ? "(.)" : ".");
                default -> re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(re.toString(), Pattern.DOTALL);
    }
}
