package com.omc.flywheel.ops.doctor;

import com.fasterxml.jackson.databind.JsonNode;
import com.omc.flywheel.shared.iam.PolicyEvaluator;
import com.omc.flywheel.shared.iam.PolicyEvaluator.Decision;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.iam.model.Role;

/**
 * The stack's roles as they are now, evaluated with the project's policy evaluator (the one the local
 * IAM check uses): their inline and attached policies, and their permissions boundary when they have
 * one. Two questions per role. Does it still allow every call the functions make ({@link RoleCalls},
 * recorded by the local IAM check over the test suite and the local runs), put into this stack's
 * names? And does it still allow everything the stack's template grants it, statement by statement?
 * A role edited by hand after a deploy (a statement removed, an action taken out, a Deny added, a
 * boundary attached) is named with the calls it now refuses and the grants it lost.
 */
final class IamChecks {
    static final String CHECK = "iam.role";
    private static final int LISTED = 5;

    /** A template statement of a role, resolved: its policy and its name (Sid, or {@code #index}). */
    record Declared(String policy, String name, PolicyEvaluator.Statement statement) {
    }

    private IamChecks() {
    }

    static void run(Account account, Findings findings) {
        Map<String, String> roles = account.resources("AWS::IAM::Role");
        if (roles.isEmpty()) {
            findings.fail(CHECK, account.stackName(), "the stack lists no role", "redeploy the stack (sam deploy)");
            return;
        }
        TemplateResolver[] resolver = {null};
        JsonNode[] template = {null};
        findings.guard(CHECK, account.stackName() + " (template)", () -> {
            StackTemplate t = StackTemplate.of(account);
            if (t == null) {
                findings.warn(CHECK, account.stackName(), "its processed template is not JSON: roles checked for "
                        + "existence only", "check the roles' policies against template.yaml by hand");
                return;
            }
            template[0] = t.template();
            resolver[0] = t.resolver();
        });
        RoleCalls calls = RoleCalls.load();
        for (Map.Entry<String, String> role : roles.entrySet()) {
            JsonNode declared = template[0] == null ? null : template[0].path("Resources").path(role.getKey());
            findings.guard(CHECK, role.getValue(), () -> role(account, findings, role.getKey(), role.getValue(),
                    declared, resolver[0], calls));
        }
    }

    private static void role(Account account, Findings findings, String logicalId, String name, JsonNode declared,
                             TemplateResolver resolver, RoleCalls calls) {
        Role role = RolePolicies.role(account, name);
        if (role == null) {
            findings.fail(CHECK, name, "(" + logicalId + ") does not exist: deleted after the deploy",
                    "redeploy the stack (sam deploy), or aws cloudformation detect-stack-drift to see what else "
                            + "changed");
            return;
        }
        if (declared == null || declared.isMissingNode() || resolver == null) {
            findings.ok(CHECK, name, "exists (" + logicalId + ")");
            return;
        }
        List<String> unresolved = new ArrayList<>();
        List<Declared> statements = declaredStatements(declared, resolver, unresolved);
        List<PolicyEvaluator.Statement> template = new ArrayList<>();
        statements.forEach(d -> template.add(d.statement()));
        for (JsonNode arn : resolver.resolve(declared.path("Properties").path("ManagedPolicyArns"))) {
            template.addAll(RolePolicies.managed(account, arn.asText()));
        }
        List<PolicyEvaluator.Statement> deployed = RolePolicies.statements(account, name);
        List<PolicyEvaluator.Statement> boundary = RolePolicies.boundary(account, role);

        Map<String, List<String>> refused = new LinkedHashMap<>();
        int checked = 0;
        int offPath = 0;
        for (RoleCalls.Call call : calls.of(logicalId)) {
            Declared d = statements.stream().filter(s -> s.name().equals(call.statement())).findFirst().orElse(null);
            boolean any = false;
            for (String local : call.resources()) {
                String resource = d == null ? null : RoleCalls.resourceIn(d.statement().resources(), call, local);
                Map<String, String> context = d == null ? Map.of() : context(d.statement().condition());
                if (resource == null || PolicyEvaluator.evaluate(template, call.action(), resource, context)
                        != Decision.ALLOW) {
                    continue;
                }
                any = true;
                if (!RolePolicies.allows(deployed, boundary, call.action(), resource, context)) {
                    refused.computeIfAbsent(call.action() + " (" + call.statement() + ")", k -> new ArrayList<>())
                            .add(resource);
                }
            }
            if (any) {
                checked++;
            } else {
                offPath++;
            }
        }

        List<String> lost = new ArrayList<>();
        int grants = 0;
        for (Declared d : statements) {
            PolicyEvaluator.Statement s = d.statement();
            if (!s.allow() || s.actions().isEmpty()) {
                continue;
            }
            Map<String, String> context = context(s.condition());
            List<String> resources = s.resources().isEmpty() ? List.of("*") : s.resources();
            for (String action : s.actions()) {
                for (String pattern : resources) {
                    String resource = RoleCalls.fill(pattern, List.of());
                    grants++;
                    if (!RolePolicies.allows(deployed, boundary, action, resource, context)) {
                        lost.add(d.policy() + "/" + d.name() + ": " + action + " on " + pattern);
                    }
                }
            }
        }

        String notes = (offPath == 0 ? "" : "; " + offPath + " recorded calls are on paths this stack's parameters "
                + "turn off") + (unresolved.isEmpty() ? "" : "; not checked (cannot resolve): "
                + String.join(", ", unresolved));
        if (refused.isEmpty() && lost.isEmpty()) {
            findings.ok(CHECK, name, "allows all " + checked + " calls its code makes and all " + grants
                    + " grants of the template's " + statements.size() + " statements" + notes);
            return;
        }
        StringBuilder detail = new StringBuilder("(" + logicalId + ")");
        if (!refused.isEmpty()) {
            List<String> named = new ArrayList<>();
            refused.forEach((call, resources) -> named.add(call.replaceFirst(" \\(", " on " + resources.get(0)
                    + (resources.size() > 1 ? " and " + (resources.size() - 1) + " more" : "") + " (")));
            detail.append(" refuses ").append(refused.size()).append(" action(s) its code calls: ")
                    .append(listed(named)).append(";");
        }
        if (!lost.isEmpty()) {
            detail.append(" lost ").append(lost.size()).append(" of the template's ").append(grants)
                    .append(" grants: ").append(listed(lost)).append(";");
        }
        detail.append(" the steps that need them fail with AccessDenied").append(notes);
        findings.fail(CHECK, name, detail.toString(), "redeploy the stack (sam deploy), which restores the role's "
                + "policies; change template.yaml instead of the role"
                + (boundary == null ? "" : ", and check its permissions boundary "
                + role.permissionsBoundary().permissionsBoundaryArn()));
    }

    private static String listed(List<String> items) {
        return String.join("; ", items.subList(0, Math.min(LISTED, items.size())))
                + (items.size() > LISTED ? " and " + (items.size() - LISTED) + " more" : "");
    }

    /** The role's inline statements in the template, resolved in this stack's names, in order. */
    static List<Declared> declaredStatements(JsonNode declared, TemplateResolver resolver,
                                             List<String> unresolved) {
        List<Declared> out = new ArrayList<>();
        int index = 0;
        for (JsonNode policy : NotificationChecks.iterable(declared.path("Properties").path("Policies"))) {
            JsonNode resolved;
            try {
                resolved = resolver.resolve(policy);
            } catch (TemplateResolver.Unresolvable e) {
                unresolved.add(policy.path("PolicyName").asText("a policy") + " (" + e.getMessage() + ")");
                continue;
            }
            if (resolved.isNull()) {
                continue;
            }
            String policyName = resolved.path("PolicyName").asText();
            for (JsonNode s : NotificationChecks.iterable(resolved.path("PolicyDocument").path("Statement"))) {
                PolicyEvaluator.Statement statement = PolicyEvaluator.Statement.of(s);
                String name = PolicyEvaluator.name(statement.sid(), index);
                out.add(new Declared(policyName, name, statement));
                index++;
            }
        }
        return out;
    }

    /**
     * Request context that meets a template statement's condition, so the deployed policy is asked
     * about a call the template allows: the first value of each equality, a Like pattern's first value
     * with its wildcards filled, a value no Not-condition names.
     */
    static Map<String, String> context(JsonNode condition) {
        Map<String, String> out = new LinkedHashMap<>();
        if (condition == null || condition.isNull()) {
            return out;
        }
        condition.fields().forEachRemaining(op -> op.getValue().fields().forEachRemaining(key -> {
            List<String> values = new ArrayList<>();
            NotificationChecks.iterable(key.getValue()).forEach(v -> values.add(v.asText()));
            String operator = op.getKey().replace("IfExists", "");
            if (values.isEmpty() || out.containsKey(key.getKey())) {
                return;
            }
            if (operator.equals("Null")) {
                if (values.get(0).equalsIgnoreCase("false")) {
                    out.put(key.getKey(), RoleCalls.PROBE);
                }
            } else if (operator.contains("Not")) {
                out.put(key.getKey(), RoleCalls.PROBE + "-other");
            } else if (operator.endsWith("Like")) {
                out.put(key.getKey(), RoleCalls.fill(values.get(0), List.of()));
            } else {
                out.put(key.getKey(), values.get(0));
            }
        }));
        return out;
    }
}
