package com.omc.flywheel.local.iam;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.omc.flywheel.local.proxy.AwsProxy;
import com.omc.flywheel.shared.iam.PolicyEvaluator;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * IAM, enforced on this machine: every call through the {@link AwsProxy} made by a function (its
 * requests carry {@link PrincipalHeader#HEADER}, added inside the function's class loader) or by
 * a state machine (moto's engine signs its integrations with access key {@code ak}; the principal is
 * the state machine whose execution was started last) is authorized against that principal's
 * policies from the deployed template ({@link DeployedStack}), with the actions and resources of
 * {@link ApiActions}. A denied call gets the service's own AccessDenied answer and is recorded;
 * a call that cannot be mapped is recorded as unmapped and refused, so it fails its test.
 * Calls with neither (a test's own fixtures, an operator's CLI) are not checked, and are counted.
 */
public final class IamEnforcer implements AwsProxy.Rule, AwsProxy.Rewrite {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The access key of moto's Step Functions engine (moto/stepfunctions/parser/asl/utils/boto_client.py). */
    static final String ENGINE_ACCESS_KEY = "ak";
    private static final Pattern ACCESS_KEY = Pattern.compile("Credential=([^/]+)/");

    /** A call IAM refused: who, what, on which resource, and why. */
    public record Denial(String principal, String action, String resource, String reason) {
        @Override
        public String toString() {
            return principal + " may not " + action + " on " + resource + " (" + reason + ")";
        }
    }

    private volatile DeployedStack stack;
    private final ApiActions actions;
    private volatile String runningStateMachine;
    /**
     * Audit mode ({@code -Dflywheel.iam.audit=true}): denials are recorded but the calls go through,
     * so one run lists every grant a change of the code needs (as IAM Access Analyzer would).
     */
    private final boolean audit = Boolean.getBoolean("flywheel.iam.audit");
    private final List<Denial> denials = new CopyOnWriteArrayList<>();
    private final List<String> unmapped = new CopyOnWriteArrayList<>();
    private final Map<String, AtomicInteger> checked = new ConcurrentHashMap<>();
    /** Every allowed authorization, with the statement that allowed it (kept across {@link #reset()}). */
    private final IamUsage usage = new IamUsage();

    public IamEnforcer(DeployedStack stack, ApiActions actions) {
        this.stack = stack;
        this.actions = actions;
        usage.grantsOf(stack);
    }

    /** Authorizes with another stack's policies from now on (a test's changed copy of the template). */
    public void useStack(DeployedStack other) {
        usage.grantsOf(other);
        this.stack = other;
    }

    /** What this check allowed, by role, action, resource and statement: for bin/flywheel iam-report. */
    public IamUsage usage() {
        return usage;
    }

    /** Calls refused so far. */
    public List<Denial> denials() {
        return List.copyOf(denials);
    }

    /** Calls no IAM mapping exists for (each also refused). */
    public List<String> unmapped() {
        return List.copyOf(unmapped);
    }

    /** Calls authorized so far, per principal ({@code operator} for unchecked fixture and CLI calls). */
    public Map<String, Integer> checked() {
        Map<String, Integer> out = new TreeMap<>();
        checked.forEach((k, v) -> out.put(k, v.get()));
        return out;
    }

    public void reset() {
        denials.clear();
        unmapped.clear();
        checked.clear();
        runningStateMachine = null;
    }

    @Override
    public Optional<AwsProxy.Reply> apply(AwsProxy.Call call) {
        if (call.service().equals("moto-api")) {
            return Optional.empty();
        }
        String principal = principal(call);
        checked.computeIfAbsent(principal == null ? "operator" : principal, k -> new AtomicInteger()).incrementAndGet();
        if (principal == null) {
            noteExecution(call);
            return Optional.empty();
        }
        List<PolicyEvaluator.Statement> statements = stack.statementsOf(principal);
        List<ApiActions.Authorization> needed;
        try {
            needed = actions.authorizations(call);
        } catch (ApiActions.UnmappedOperationException e) {
            unmapped.add(principal + ": " + e.getMessage());
            return Optional.of(denied(call, principal, call.key(), "*", "LOCAL IAM CHECK: " + e.getMessage()));
        }
        return refusal(principal, statements, needed).map(d ->
                denied(call, principal, d.action(), d.resource(), d.reason()));
    }

    /** The first authorization the principal's statements refuse (each refusal recorded; none returned in audit mode).
    * */
    private Optional<Denial> refusal(String principal, List<PolicyEvaluator.Statement> statements,
                                     List<ApiActions.Authorization> needed) {
        for (ApiActions.Authorization a : needed) {
            for (String resource : a.resources()) {
                PolicyEvaluator.Verdict verdict = PolicyEvaluator.authorize(statements, a.action(), resource,
                        a.context());
                PolicyEvaluator.Decision d = verdict.decision();
                if (d == PolicyEvaluator.Decision.ALLOW) {
                    usage.allowed(principal, a.action(), resource, verdict.allowedBy());
                } else {
                    String reason = d == PolicyEvaluator.Decision.EXPLICIT_DENY ? "an explicit deny"
                            : "no identity-based policy allows it";
                    Denial denial = new Denial(principal, a.action(), resource, reason);
                    denials.add(denial);
                    if (!audit) {
                        return Optional.of(denial);
                    }
                }
            }
        }
        return Optional.empty();
    }

    /**
     * Authorizes an access a service makes with the caller's own credentials on the caller's behalf
     * (Athena reading the catalog and S3 for a query, and writing its results), as the principal of
     * {@code caller}: {@code access} is the call the caller would make to do it itself. A refusal is
     * recorded like the denial of a call (and let through in audit mode); an access that cannot be
     * mapped is recorded as unmapped and refused. Calls with no principal (a test's own fixtures, an
     * operator's CLI) are not checked, as in {@link #apply(AwsProxy.Call)}.
     *
     * @return IAM's message for the refusal, or empty when the access is allowed
     */
    public Optional<String> authorizeOnBehalf(AwsProxy.Call caller, AwsProxy.Call access) {
        String principal = principal(caller);
        if (principal == null) {
            return Optional.empty();
        }
        List<ApiActions.Authorization> needed;
        try {
            needed = actions.authorizations(access);
        } catch (ApiActions.UnmappedOperationException e) {
            unmapped.add(principal + ": " + e.getMessage() + " (on behalf, for " + caller.key() + ")");
            return Optional.of("LOCAL IAM CHECK: " + e.getMessage());
        }
        return refusal(principal, stack.statementsOf(principal), needed)
                .map(d -> message(principal, d.action(), d.resource(), d.reason()));
    }

    /** Learns each Athena query's workgroup from StartQueryExecution's answer. */
    @Override
    public Optional<AwsProxy.Reply> apply(AwsProxy.Call call, AwsProxy.Reply answer) {
        if (call.key().equals("athena:StartQueryExecution") && answer.status() == 200) {
            try {
                JsonNode id = JSON.readTree(answer.body()).get("QueryExecutionId");
                if (id != null) {
                    actions.queryStarted(id.asText(), call.json().path("WorkGroup").asText("primary"));
                }
            } catch (IOException e) {
                // not JSON: nothing to learn
            }
        }
        return Optional.empty();
    }

    /** The principal's role (logical id), or null for an unchecked caller. */
    private String principal(AwsProxy.Call call) {
        String function = call.header(PrincipalHeader.HEADER);
        if (function != null) {
            return stack.roleOfFunction(function);
        }
        String auth = call.header("authorization");
        Matcher m = auth == null ? null : ACCESS_KEY.matcher(auth);
        if (m != null && m.find() && m.group(1).equals(ENGINE_ACCESS_KEY)) {
            String machine = runningStateMachine;
            if (machine == null) {
                throw new IllegalStateException("a call signed by the Step Functions engine (" + call.key()
                        + ") with no execution started through this proxy: cannot tell which state machine's role "
                                + "makes it");
            }
            return stack.roleOfStateMachine(machine);
        }
        return null;
    }

    private void noteExecution(AwsProxy.Call call) {
        if (call.key().equals("states:StartExecution")) {
            runningStateMachine = last(call.json().path("stateMachineArn").asText(), ':');
        } else if (call.key().equals("states:RedriveExecution")) {
            String[] arn = call.json().path("executionArn").asText().split(":");
            if (arn.length > 6) {
                runningStateMachine = arn[6];
            }
        }
    }

    /** IAM's message for a refusal, naming the role's session as AWS does. */
    private String message(String role, String action, String resource, String reason) {
        return "User: " + stack.roleArn(role).replace(":iam::", ":sts::").replace(":role/", ":assumed-role/")
                + "/local is not authorized to perform: " + action + " on resource: " + resource + " because " + reason;
    }

    private AwsProxy.Reply denied(AwsProxy.Call call, String role, String action, String resource, String reason) {
        String message = message(role, action, resource, reason);
        return switch (call.service()) {
            case "s3" -> AwsProxy.Reply.s3Error(403, "AccessDenied", message);
            case "sns" -> new AwsProxy.Reply(403, Map.of("Content-Type", "text/xml"),
                    ("<ErrorResponse><Error><Type>Sender</Type>"
                    + "<Code>AuthorizationError</Code><Message>" + message
                            + "</Message></Error><RequestId>local-iam</RequestId>"
                    + "</ErrorResponse>").getBytes(StandardCharsets.UTF_8));
            case "cleanrooms", "entityresolution", "lambda" ->
                    AwsProxy.Reply.awsError(403, "AccessDeniedException", message);
            default -> AwsProxy.Reply.awsError(400, "AccessDeniedException", message);
        };
    }

    private static String last(String s, char c) {
        return s.substring(s.lastIndexOf(c) + 1);
    }

    /** For reports: the denials as lines. */
    public List<String> describeDenials() {
        List<String> out = new ArrayList<>();
        denials.forEach(d -> out.add(d.toString()));
        return out;
    }
}
