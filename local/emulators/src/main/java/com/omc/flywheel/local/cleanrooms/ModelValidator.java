package com.omc.flywheel.local.cleanrooms;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Checks a value against a shape of the service model the way the service's front door does:
 * required members, exactly one member of a union, string lengths, patterns and enums, list and
 * map sizes, number ranges, JSON types. Each violation is a {@code ValidationExceptionField}.
 */
final class ModelValidator {
    /** One violation: the member path and what is wrong. */
    record Violation(String name, String message) {
    }

    private final ServiceModel model;
    private final boolean constraints;
    private final Map<String, Pattern> patterns = new ConcurrentHashMap<>();

    /**
     * @param constraints check lengths, patterns and ranges too (requests); answers are checked for
     *                    required members, types and enums only, since the models' constraints on
     *                    output shapes are not what the real services promise (ARNs exceed them)
     */
    ModelValidator(ServiceModel model, boolean constraints) {
        this.model = model;
        this.constraints = constraints;
    }

    List<Violation> validate(String shapeName, JsonNode value) {
        List<Violation> out = new ArrayList<>();
        check(shapeName, value, "", out);
        return out;
    }

    private void check(String shapeName, JsonNode value, String path, List<Violation> out) {
        if (value == null || value.isNull() || value.isMissingNode()) {
            return;
        }
        JsonNode shape = model.shape(shapeName);
        String type = shape.path("type").asText();
        String where = path.isEmpty() ? "input" : path;
        switch (type) {
            case "structure" -> {
                if (!value.isObject()) {
                    out.add(new Violation(where, "must be an object"));
                    return;
                }
                JsonNode members = shape.path("members");
                for (JsonNode req : shape.path("required")) {
                    JsonNode v = value.get(req.asText());
                    if (v == null || v.isNull()) {
                        out.add(new Violation(join(path, req.asText()), "Member must not be null"));
                    }
                }
                int set = 0;
                for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> f = it.next();
                    JsonNode member = members.get(f.getKey());
                    if (member == null) {
                        continue; // restJson1: unknown members are ignored
                    }
                    if (!f.getValue().isNull()) {
                        set++;
                    }
                    check(member.get("shape").asText(), f.getValue(), join(path, f.getKey()), out);
                }
                if (shape.path("union").asBoolean(false) && set != 1) {
                    out.add(new Violation(where, "exactly one member of the union must be set (" + set + " are)"));
                }
            }
            case "list" -> {
                if (!value.isArray()) {
                    out.add(new Violation(where, "must be a list"));
                    return;
                }
                if (constraints) {
                    size(shape, value.size(), where, out);
                }
                String member = shape.path("member").path("shape").asText();
                for (int i = 0; i < value.size(); i++) {
                    check(member, value.get(i), where + "[" + i + "]", out);
                }
            }
            case "map" -> {
                if (!value.isObject()) {
                    out.add(new Violation(where, "must be a map"));
                    return;
                }
                size(shape, value.size(), where, out);
                String key = shape.path("key").path("shape").asText();
                String val = shape.path("value").path("shape").asText();
                for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> f = it.next();
                    check(key, com.fasterxml.jackson.databind.node.TextNode.valueOf(f.getKey()), where + ".key", out);
                    check(val, f.getValue(), where + "." + f.getKey(), out);
                }
            }
            case "string" -> {
                if (!value.isTextual()) {
                    out.add(new Violation(where, "must be a string"));
                    return;
                }
                String s = value.asText();
                if (constraints && shape.has("min") && s.length() < shape.get("min").asInt()) {
                    out.add(new Violation(where, "Member must have length greater than or equal to "
                            + shape.get("min").asInt()));
                }
                if (constraints && shape.has("max") && s.length() > shape.get("max").asInt()) {
                    out.add(new Violation(where, "Member must have length less than or equal to "
                            + shape.get("max").asInt()));
                }
                if (shape.has("enum")) {
                    boolean ok = false;
                    for (JsonNode e : shape.get("enum")) {
                        ok |= e.asText().equals(s);
                    }
                    if (!ok) {
                        out.add(new Violation(where, "Member must satisfy enum value set: " + shape.get("enum")));
                    }
                }
                if (constraints && shape.has("pattern")) {
                    Pattern p = pattern(shape.get("pattern").asText());
                    if (p != null && !p.matcher(s).matches()) {
                        out.add(new Violation(where, "Member must satisfy regular expression pattern: "
                                + shape.get("pattern").asText()));
                    }
                }
            }
            case "integer", "long" -> {
                if (!value.isIntegralNumber()) {
                    out.add(new Violation(where, "must be a whole number"));
                    return;
                }
                long n = value.asLong();
                if (constraints && shape.has("min") && n < shape.get("min").asLong()) {
                    out.add(new Violation(where, "Member must have value greater than or equal to "
                            + shape.get("min").asLong()));
                }
                if (constraints && shape.has("max") && n > shape.get("max").asLong()) {
                    out.add(new Violation(where, "Member must have value less than or equal to "
                            + shape.get("max").asLong()));
                }
            }
            case "boolean" -> {
                if (!value.isBoolean()) {
                    out.add(new Violation(where, "must be a boolean"));
                }
            }
            case "double", "float" -> {
                if (!value.isNumber()) {
                    out.add(new Violation(where, "must be a number"));
                }
            }
            default -> {
                // timestamp, blob, document: any JSON value of the right kind is accepted
            }
        }
    }

    private static void size(JsonNode shape, int n, String where, List<Violation> out) {
        if (shape.has("min") && n < shape.get("min").asInt()) {
            out.add(new Violation(where, "Member must have length greater than or equal to "
                    + shape.get("min").asInt()));
        }
        if (shape.has("max") && n > shape.get("max").asInt()) {
            out.add(new Violation(where, "Member must have length less than or equal to " + shape.get("max").asInt()));
        }
    }

    /** The model's pattern as a whole-value match; one Java cannot compile is not checked (and is logged once). */
    private Pattern pattern(String regex) {
        return patterns.computeIfAbsent(regex, r -> {
            try {
                return Pattern.compile(r);
            } catch (PatternSyntaxException e) {
                System.err.println("stand-in: cannot check model pattern " + r + ": " + e.getDescription());
                return Pattern.compile("(?s).*");
            }
        });
    }

    private static String join(String path, String member) {
        return path.isEmpty() ? member : path + "." + member;
    }
}
