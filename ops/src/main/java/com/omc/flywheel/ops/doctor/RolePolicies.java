package com.omc.flywheel.ops.doctor;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.omc.flywheel.shared.iam.PolicyEvaluator;
import com.omc.flywheel.shared.iam.PolicyEvaluator.Decision;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.iam.model.NoSuchEntityException;
import software.amazon.awssdk.services.iam.model.Role;

/**
 * A role's statements as IAM holds them now: its inline policies, its attached managed ones and its
 * permissions boundary, each read once per doctor run ({@link Account#once}) for every check that
 * evaluates a role with the project's policy evaluator: the stack's roles ({@link IamChecks}), the
 * roles Athena writes query results for ({@link AthenaChecks}), and the Clean Rooms data-access role,
 * which may live outside the stack ({@link CleanRoomsChecks}).
 */
final class RolePolicies {
    private static final ObjectMapper JSON = new ObjectMapper();

    private RolePolicies() {
    }

    /** The role of that name, or null when IAM has none. */
    static Role role(Account account, String name) {
        return account.once("iam role " + name, () -> {
            try {
                return iam(account).getRole(b -> b.roleName(name)).role();
            } catch (NoSuchEntityException e) {
                return null;
            }
        });
    }

    /** The role's inline statements and those of its attached managed policies, in IAM's order. */
    static List<PolicyEvaluator.Statement> statements(Account account, String role) {
        return account.once("iam statements " + role, () -> {
            IamClient iam = iam(account);
            List<PolicyEvaluator.Statement> out = new ArrayList<>();
            for (String policy : iam.listRolePoliciesPaginator(b -> b.roleName(role)).policyNames()) {
                out.addAll(parse(iam.getRolePolicy(b -> b.roleName(role).policyName(policy)).policyDocument()));
            }
            iam.listAttachedRolePoliciesPaginator(b -> b.roleName(role)).attachedPolicies()
                    .forEach(p -> out.addAll(managed(account, p.policyArn())));
            return List.copyOf(out);
        });
    }

    /** The statements of a managed policy's default version. */
    static List<PolicyEvaluator.Statement> managed(Account account, String arn) {
        return account.once("iam policy " + arn, () -> {
            IamClient iam = iam(account);
            String version = iam.getPolicy(b -> b.policyArn(arn)).policy().defaultVersionId();
            return parse(iam.getPolicyVersion(b -> b.policyArn(arn).versionId(version)).policyVersion().document());
        });
    }

    /** The statements of the role's permissions boundary, or null when it has none. */
    static List<PolicyEvaluator.Statement> boundary(Account account, Role role) {
        return role.permissionsBoundary() == null ? null
                : managed(account, role.permissionsBoundary().permissionsBoundaryArn());
    }

    /** Whether the role's statements allow the call and its boundary (when it has one) does too. */
    static boolean allows(List<PolicyEvaluator.Statement> deployed, List<PolicyEvaluator.Statement> boundary,
                          String action, String resource, Map<String, String> context) {
        return PolicyEvaluator.evaluate(deployed, action, resource, context) == Decision.ALLOW
                && (boundary == null || PolicyEvaluator.evaluate(boundary, action, resource, context)
                == Decision.ALLOW);
    }

    /** One call a check needs a role to be allowed: the action, the resource and the request's context. */
    record Need(String action, String resource, Map<String, String> context) {
        @Override
        public String toString() {
            return action + " on " + resource;
        }
    }

    /**
     * The calls of {@code needs} the role (as IAM holds it now, boundary included) does not allow, in
     * order. Throws {@link IllegalStateException} when a statement uses a condition the evaluator does
     * not support, {@link UncheckedIOException} when a policy document is not JSON.
     */
    static List<Need> refused(Account account, Role role, List<Need> needs) {
        List<PolicyEvaluator.Statement> deployed = statements(account, role.roleName());
        List<PolicyEvaluator.Statement> boundary = boundary(account, role);
        return needs.stream().filter(n -> !allows(deployed, boundary, n.action(), n.resource(), n.context()))
                .toList();
    }

    private static IamClient iam(Account account) {
        return account.client(IamClient.class, IamClient::builder);
    }

    private static List<PolicyEvaluator.Statement> parse(String document) {
        try {
            String json = document.startsWith("%") || document.startsWith("{%")
                    ? URLDecoder.decode(document, StandardCharsets.UTF_8) : document;
            List<PolicyEvaluator.Statement> out = new ArrayList<>();
            NotificationChecks.iterable(JSON.readTree(json).path("Statement"))
                    .forEach(s -> out.add(PolicyEvaluator.Statement.of(s)));
            return List.copyOf(out);
        } catch (IOException e) {
            throw new UncheckedIOException("a policy document is not JSON", e);
        }
    }
}
