package com.omc.flywheel.ops.iam;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The calls each role makes, as {@code doctor} checks a deployed stack's roles against them
 * ({@code iam-report --calls FILE}; {@code bench/run iam} writes it to ops' resources): per role, every
 * action with the statement (Sid) and the resource pattern of the template that allowed it, and the
 * resource the call named. Doctor puts that resource into the deployed stack's own pattern (what the
 * pattern's wildcards matched, in the deployed stack's names). Uses that differ only in the resource a
 * wildcard matched are kept up to {@link #PER_PATTERN} per action and pattern (the most frequent; the
 * total count is kept), since they check the same grant.
 */
final class CallMap {
    static final int FORMAT = 1;
    static final int PER_PATTERN = 3;
    private static final ObjectMapper JSON = new ObjectMapper();

    private CallMap() {
    }

    static ObjectNode of(UsageFiles.Usage usage) {
        record Key(String role, String action, String statement, String pattern) {
        }
        Map<Key, List<UsageFiles.Use>> groups = new TreeMap<>(Comparator.comparing(Key::role)
                .thenComparing(Key::action).thenComparing(Key::statement).thenComparing(Key::pattern));
        for (UsageFiles.Use u : usage.uses()) {
            groups.computeIfAbsent(new Key(u.role(), u.action(), u.by().statement(), u.by().pattern()),
                    k -> new ArrayList<>()).add(u);
        }
        ObjectNode out = JSON.createObjectNode().put("format", FORMAT);
        out.put("source", "bin/flywheel iam-report --calls, from " + usage.files().size() + " usage files, "
                + usage.calls() + " allowed calls");
        ObjectNode roles = out.putObject("roles");
        groups.forEach((k, uses) -> {
            ArrayNode list = roles.has(k.role()) ? (ArrayNode) roles.get(k.role()) : roles.putArray(k.role());
            ObjectNode call = list.addObject().put("action", k.action()).put("statement", k.statement())
                    .put("pattern", k.pattern());
            UsageFiles.Statement declared = usage.roles().getOrDefault(k.role(), Map.of()).get(k.statement());
            if (declared != null) {
                call.put("patternIndex", declared.resourceEntries().indexOf(k.pattern()))
                        .put("patterns", declared.resourceEntries().size());
            }
            ArrayNode resources = call.putArray("resources");
            uses.stream().sorted(Comparator.comparingLong(UsageFiles.Use::count).reversed()
                            .thenComparing(UsageFiles.Use::resource))
                    .limit(PER_PATTERN).forEach(u -> resources.add(u.resource()));
            call.put("calls", uses.stream().mapToLong(UsageFiles.Use::count).sum());
        });
        return out;
    }
}
