package com.omc.flywheel.ops.doctor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.omc.flywheel.shared.iam.PolicyEvaluator;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every call each role's code makes, as the local IAM check saw them allowed in the test suite and
 * the local runs ({@code role-calls.json}, written by {@code bin/flywheel iam-report --calls} from the
 * usage files; {@code bench/run iam} refreshes it). A call is an action, the template statement (Sid)
 * and resource pattern that allowed it locally, and the resources it named. {@link #resourceIn} puts a
 * call into a deployed stack's names: what the local pattern's wildcards matched, filled into the
 * deployed statement's own pattern.
 */
final class RoleCalls {
    static final String RESOURCE = "role-calls.json";
    static final String PROBE = "doctor-probe";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One recorded call: the statement and the pattern that allowed it, and the resources it named. */
    record Call(String action, String statement, String pattern, int patternIndex, int patterns,
                List<String> resources, long calls) {
    }

    private final Map<String, List<Call>> byRole;
    private final String source;

    private RoleCalls(Map<String, List<Call>> byRole, String source) {
        this.byRole = byRole;
        this.source = source;
    }

    /** The map ops carries ({@value #RESOURCE} beside this class). */
    static RoleCalls load() {
        try (InputStream in = RoleCalls.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is not on the class path: rebuild ops");
            }
            return of(JSON.readTree(in));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static RoleCalls of(JsonNode map) {
        if (map.path("format").asInt() != 1) {
            throw new IllegalStateException(RESOURCE + ": format " + map.path("format") + ", expected 1");
        }
        Map<String, List<Call>> out = new LinkedHashMap<>();
        map.path("roles").fields().forEachRemaining(e -> {
            List<Call> calls = new ArrayList<>();
            for (JsonNode c : e.getValue()) {
                List<String> resources = new ArrayList<>();
                c.path("resources").forEach(r -> resources.add(r.asText()));
                calls.add(new Call(c.path("action").asText(), c.path("statement").asText(),
                        c.path("pattern").asText(), c.path("patternIndex").asInt(-1), c.path("patterns").asInt(0),
                        resources, c.path("calls").asLong()));
            }
            out.put(e.getKey(), calls);
        });
        return new RoleCalls(out, map.path("source").asText());
    }

    List<Call> of(String role) {
        return byRole.getOrDefault(role, List.of());
    }

    String source() {
        return source;
    }

    /**
     * The resource a recorded call names, in a deployed statement's names: the deployed pattern at the
     * call's index when the statement has as many patterns as it had locally, else the deployed pattern
     * with as many wildcards that shares the longest ending with the local one; its wildcards filled
     * with what the local pattern's matched. Null when no deployed pattern has the local one's shape.
     */
    static String resourceIn(List<String> deployedPatterns, Call call, String localResource) {
        String pattern = null;
        int wildcards = wildcards(call.pattern());
        if (call.patterns() == deployedPatterns.size() && call.patternIndex() >= 0
                && call.patternIndex() < deployedPatterns.size()
                && wildcards(deployedPatterns.get(call.patternIndex())) == wildcards) {
            pattern = deployedPatterns.get(call.patternIndex());
        } else {
            int best = -1;
            for (String p : deployedPatterns) {
                int score = commonEnding(p, call.pattern());
                if (wildcards(p) == wildcards && score > best) {
                    best = score;
                    pattern = p;
                }
            }
        }
        return pattern == null ? null : fill(pattern, PolicyEvaluator.captures(call.pattern(), localResource));
    }

    /** A pattern with its wildcards replaced in order by the values given, then by {@value #PROBE}. */
    static String fill(String pattern, List<String> values) {
        StringBuilder out = new StringBuilder();
        int next = 0;
        for (char c : pattern.toCharArray()) {
            if (c == '*' || c == '?') {
                out.append(next < values.size() ? values.get(next) : c == '*' ? PROBE : "x");
                next++;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static int wildcards(String pattern) {
        return (int) pattern.chars().filter(c -> c == '*' || c == '?').count();
    }

    private static int commonEnding(String a, String b) {
        int n = 0;
        while (n < a.length() && n < b.length() && a.charAt(a.length() - 1 - n) == b.charAt(b.length() - 1 - n)) {
            n++;
        }
        return n;
    }
}
