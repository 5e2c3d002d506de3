package com.omc.flywheel.ops.doctor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import software.amazon.awssdk.services.cloudformation.CloudFormationClient;
import software.amazon.awssdk.services.cloudformation.model.TemplateStage;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.iam.model.NoSuchEntityException;

/**
 * The stack's roles as they are now against the stack's processed template: every role exists,
 * and each of its inline policies still allows every action the template gives it, statement by
 * statement (by Sid). A role edited by hand after a deploy (a statement removed, an action taken
 * out) is named with the statement and the actions it lost.
 */
final class IamChecks {
    static final String CHECK = "iam.role";
    private static final ObjectMapper JSON = new ObjectMapper();

    private IamChecks() {
    }

    static void run(Account account, Findings findings) {
        Map<String, String> roles = account.resources("AWS::IAM::Role");
        if (roles.isEmpty()) {
            findings.fail(CHECK, account.stackName(), "the stack lists no role", "redeploy the stack (sam deploy)");
            return;
        }
        JsonNode[] template = {null};
        findings.guard(CHECK, account.stackName() + " (template)", () -> {
            String body = account.client(CloudFormationClient.class, CloudFormationClient::builder)
                    .getTemplate(b -> b.stackName(account.stackName()).templateStage(TemplateStage.PROCESSED))
                    .templateBody();
            try {
                template[0] = JSON.readTree(body);
            } catch (IOException e) {
                findings.warn(CHECK, account.stackName(), "its processed template is not JSON: roles checked for "
                        + "existence only", "check the roles' policies against template.yaml by hand");
            }
        });
        for (Map.Entry<String, String> role : roles.entrySet()) {
            JsonNode declared = template[0] == null ? null : template[0].path("Resources").path(role.getKey());
            findings.guard(CHECK, role.getValue(), () -> role(account, findings, role.getKey(), role.getValue(),
                    declared));
        }
    }

    private static void role(Account account, Findings findings, String logicalId, String name, JsonNode declared) {
        IamClient iam = account.client(IamClient.class, IamClient::builder);
        try {
            iam.getRole(b -> b.roleName(name));
        } catch (NoSuchEntityException e) {
            findings.fail(CHECK, name, "(" + logicalId + ") does not exist: deleted after the deploy",
                    "redeploy the stack (sam deploy), or aws cloudformation detect-stack-drift to see what else "
                            + "changed");
            return;
        }
        if (declared == null || declared.isMissingNode()) {
            findings.ok(CHECK, name, "exists (" + logicalId + ")");
            return;
        }
        List<String> lost = new ArrayList<>();
        int statements = 0;
        for (JsonNode policy : NotificationChecks.iterable(declared.path("Properties").path("Policies"))) {
            String policyName = policy.path("PolicyName").asText();
            List<JsonNode> want = NotificationChecks.iterable(policy.path("PolicyDocument").path("Statement"));
            statements += want.size();
            JsonNode deployed;
            try {
                String doc = iam.getRolePolicy(b -> b.roleName(name).policyName(policyName)).policyDocument();
                deployed = JSON.readTree(doc.startsWith("%") ? URLDecoder.decode(doc, StandardCharsets.UTF_8) : doc);
            } catch (NoSuchEntityException e) {
                lost.add("the whole policy " + policyName);
                continue;
            } catch (IOException e) {
                lost.add("policy " + policyName + " (unreadable)");
                continue;
            }
            Map<String, Set<String>> have = actionsBySid(deployed);
            Set<String> all = new TreeSet<>();
            have.values().forEach(all::addAll);
            for (JsonNode s : want) {
                if (!"Allow".equals(s.path("Effect").asText("Allow"))) {
                    continue;
                }
                String sid = s.path("Sid").asText("");
                Set<String> there = sid.isEmpty() ? all : have.getOrDefault(sid, Set.of());
                Set<String> missing = new TreeSet<>();
                NotificationChecks.iterable(s.path("Action")).forEach(a -> {
                    if (!covered(a.asText(), there)) {
                        missing.add(a.asText());
                    }
                });
                if (!missing.isEmpty()) {
                    lost.add((sid.isEmpty() ? policyName : policyName + "/" + sid) + " " + missing);
                }
            }
        }
        if (lost.isEmpty()) {
            findings.ok(CHECK, name, "exists; its policies allow all " + statements + " statements of the template");
        } else {
            findings.fail(CHECK, name, "(" + logicalId + ") lost what the template grants: " + String.join("; ", lost)
                    + ": the calls that need it are refused", "redeploy the stack (sam deploy), which restores the "
                    + "role's policies; change template.yaml instead of the role");
        }
    }

    private static Map<String, Set<String>> actionsBySid(JsonNode document) {
        Map<String, Set<String>> out = new LinkedHashMap<>();
        int i = 0;
        for (JsonNode s : NotificationChecks.iterable(document.path("Statement"))) {
            if (!"Allow".equals(s.path("Effect").asText())) {
                continue;
            }
            String sid = s.path("Sid").asText("#" + i++);
            NotificationChecks.iterable(s.path("Action")).forEach(a -> out.computeIfAbsent(sid, k -> new TreeSet<>())
                    .add(a.asText()));
        }
        return out;
    }

    /** Whether an action is among the deployed ones, directly or through a wildcard ({@code glue:Get*}). */
    private static boolean covered(String action, Set<String> deployed) {
        for (String d : deployed) {
            if (d.equalsIgnoreCase(action) || d.equals("*") || (d.endsWith("*") && action.toLowerCase()
                    .startsWith(d.substring(0, d.length() - 1).toLowerCase()))) {
                return true;
            }
        }
        return false;
    }
}
