package com.omc.flywheel.ops.iam;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What the merged usage files say of each role's grants (a grant: one action entry of a statement on
 * one of its resource patterns): the unused ones (and the reason the template writes for each), the
 * wider-than-used ones (a wildcard pattern every use of which named one resource; an action wildcard,
 * with the actions used), the used ones that another statement allowed every time too, the generated
 * least-privilege policy ({@link GeneratedPolicy}) and its diff against the template's. Exit 1 when an
 * unused grant has no reason.
 */
final class IamReport {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A grant: the statement, the action entry, the resource pattern, the reason written for it (or null). */
    record Grant(String statement, String action, String resource, String reason) {
    }

    /**
     * A grant wider than its uses: a resource pattern used for one resource, or an action wildcard; with
     * the number of usage files (runs) that used it (a name made at run time is one resource in one run).
     */
    record Wider(String statement, String kind, String granted, List<String> used, List<String> actions, int runs) {
    }

    /** A used grant another statement allowed every time too (either one alone would do). */
    record Overlap(String statement, String action, String resource, List<String> alsoAllowedBy) {
    }

    /** One role's findings. */
    record RoleReport(String role, long calls, List<String> managedPolicies, List<Grant> unused, List<Wider> wider,
                      List<Overlap> overlapping, List<String> usedDespiteReason, GeneratedPolicy template,
                      GeneratedPolicy generated, List<GeneratedPolicy.Unit> removed, List<GeneratedPolicy.Unit> added) {
        long unexplained() {
            return unused.stream().filter(g -> g.reason() == null).count();
        }
    }

    private final UsageFiles.Usage usage;
    private final List<RoleReport> roles;

    private IamReport(UsageFiles.Usage usage, List<RoleReport> roles) {
        this.usage = usage;
        this.roles = roles;
    }

    List<RoleReport> roles() {
        return roles;
    }

    UsageFiles.Usage usage() {
        return usage;
    }

    static IamReport of(UsageFiles.Usage usage) {
        List<RoleReport> out = new ArrayList<>();
        usage.roles().forEach((role, statements) -> out.add(role(role, statements,
                usage.uses().stream().filter(u -> u.role().equals(role)).toList(),
                usage.managed().getOrDefault(role, List.of()))));
        return new IamReport(usage, out);
    }

    long unusedGrants() {
        return roles.stream().mapToLong(r -> r.unused().size()).sum();
    }

    long unexplained() {
        return roles.stream().mapToLong(RoleReport::unexplained).sum();
    }

    /** 0 when every unused grant has a written reason, else 1. */
    int exitCode() {
        return unexplained() == 0 ? 0 : 1;
    }

    private static RoleReport role(String role, Map<String, UsageFiles.Statement> statements,
                                   List<UsageFiles.Use> uses, List<String> managed) {
        List<Grant> unused = new ArrayList<>();
        List<Wider> wider = new ArrayList<>();
        List<Overlap> overlapping = new ArrayList<>();
        List<String> usedDespiteReason = new ArrayList<>();
        for (UsageFiles.Statement s : statements.values()) {
            if (!s.allow()) {
                continue;
            }
            boolean anyUsed = false;
            for (String resource : s.resourceEntries()) {
                List<UsageFiles.Use> through = uses.stream().filter(u -> allowedBy(u, s.name(), resource)).toList();
                for (String action : s.actionEntries()) {
                    List<UsageFiles.Use> covering = through.stream().filter(u -> actionOf(s, action, u)).toList();
                    if (covering.isEmpty()) {
                        unused.add(new Grant(s.name(), action, resource, s.reason()));
                        continue;
                    }
                    anyUsed = true;
                    if (covering.stream().allMatch(u -> !u.also().isEmpty())) {
                        Set<String> others = new TreeSet<>();
                        covering.forEach(u -> UsageFiles.concat(u.by(), u.also()).stream()
                                .map(UsageFiles.Allowed::statement).filter(n -> !n.equals(s.name()))
                                .forEach(others::add));
                        overlapping.add(new Overlap(s.name(), action, resource, List.copyOf(others)));
                    }
                }
                Set<String> named = new TreeSet<>();
                through.forEach(u -> named.add(u.resource()));
                if (GeneratedPolicy.wildcard(resource) && !s.resources().isEmpty() && named.size() == 1
                        && !GeneratedPolicy.wildcard(named.iterator().next())) {
                    wider.add(new Wider(s.name(), "resource", resource, List.copyOf(named), actions(through),
                            runs(through)));
                }
            }
            for (String action : s.actions()) {
                if (GeneratedPolicy.wildcard(action)) {
                    List<UsageFiles.Use> matching = uses.stream().filter(u -> UsageFiles.concat(u.by(), u.also())
                            .stream().anyMatch(a -> a.statement().equals(s.name()))
                            && GeneratedPolicy.matches(action, u.action(), true)).toList();
                    if (!matching.isEmpty()) {
                        wider.add(new Wider(s.name(), "action", action, actions(matching), List.of(), runs(matching)));
                    }
                }
            }
            if (anyUsed && s.reason() != null && s.reason().startsWith("unused here because")) {
                usedDespiteReason.add(s.name());
            }
        }
        GeneratedPolicy template = GeneratedPolicy.template(statements);
        GeneratedPolicy generated = GeneratedPolicy.of(statements, uses);
        Set<GeneratedPolicy.Unit> before = new LinkedHashSet<>(template.units());
        Set<GeneratedPolicy.Unit> after = new LinkedHashSet<>(generated.units());
        List<GeneratedPolicy.Unit> removed = before.stream().filter(u -> !after.contains(u)).toList();
        List<GeneratedPolicy.Unit> added = after.stream().filter(u -> !before.contains(u)).toList();
        return new RoleReport(role, uses.stream().mapToLong(UsageFiles.Use::count).sum(), managed, unused, wider,
                overlapping, usedDespiteReason, template, generated, removed, added);
    }

    private static boolean allowedBy(UsageFiles.Use u, String statement, String pattern) {
        return UsageFiles.concat(u.by(), u.also()).contains(new UsageFiles.Allowed(statement, pattern));
    }

    private static boolean actionOf(UsageFiles.Statement s, String entry, UsageFiles.Use u) {
        return s.actions().isEmpty() || GeneratedPolicy.matches(entry, u.action(), true);
    }

    private static int runs(List<UsageFiles.Use> uses) {
        Set<Integer> files = new TreeSet<>();
        uses.forEach(u -> files.addAll(u.files()));
        return files.size();
    }

    private static List<String> actions(List<UsageFiles.Use> uses) {
        Set<String> out = new TreeSet<>();
        uses.forEach(u -> out.add(u.action()));
        return List.copyOf(out);
    }

    /** The report for machines ({@code --json}). */
    ObjectNode json() {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode files = root.putArray("files");
        usage.files().forEach(f -> files.add(f.toString()));
        root.put("calls", usage.calls()).put("distinctUses", usage.uses().size())
                .put("unusedGrants", unusedGrants()).put("unusedWithoutReason", unexplained())
                .put("exitCode", exitCode());
        ObjectNode out = root.putObject("roles");
        for (RoleReport r : roles) {
            ObjectNode role = out.putObject(r.role());
            role.put("calls", r.calls());
            role.set("managedPolicies", JSON.valueToTree(r.managedPolicies()));
            role.set("templateSize", JSON.valueToTree(r.template().size()));
            role.set("generatedSize", JSON.valueToTree(r.generated().size()));
            role.set("unused", JSON.valueToTree(r.unused()));
            role.set("widerThanUsed", JSON.valueToTree(r.wider()));
            role.set("alsoAllowedElsewhere", JSON.valueToTree(r.overlapping()));
            role.set("usedDespiteUnusedReason", JSON.valueToTree(r.usedDespiteReason()));
            role.set("generatedPolicy", r.generated().document());
            ObjectNode diff = role.putObject("diff");
            diff.set("removed", JSON.valueToTree(r.removed()));
            diff.set("added", JSON.valueToTree(r.added()));
        }
        return root;
    }
}
