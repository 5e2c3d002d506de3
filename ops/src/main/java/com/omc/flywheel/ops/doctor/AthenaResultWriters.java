package com.omc.flywheel.ops.doctor;

import com.fasterxml.jackson.databind.JsonNode;
import com.omc.flywheel.shared.iam.PolicyEvaluator;
import com.omc.flywheel.shared.iam.PolicyEvaluator.Decision;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import software.amazon.awssdk.services.athena.model.WorkGroup;
import software.amazon.awssdk.services.iam.model.Role;

/**
 * The result locations the roles that run Athena queries may write: each role of the stack's template
 * that may start queries in the stack's workgroup ({@code AthenaWorkgroup}), evaluated as IAM holds it
 * now ({@link RolePolicies}) for s3:PutObject under the location Athena writes its results to, and
 * s3:GetBucketLocation on that bucket where the template grants it. Athena writes where the query says (the ER table's
 * {@code erTable.outputLocation}, a function's {@code ATHENA_RESULTS}) unless the workgroup enforces its
 * configuration; then, or when the query names none, it writes to the workgroup's own location.
 */
public final class AthenaResultWriters {
    static final String CHECK = "athena.results.write";
    static final String ER_ROLE = "RefreshErTableFunctionRole";
    static final String REPAIR_ROLE = "MsckRepairFunctionRole";
    private static final String PROBE = "doctor-probe.csv";

    /** A location Athena writes one role's results to, why it does, and the fix when the role may not. */
    private record Location(String uri, String why, String fix) {
    }

    private AthenaResultWriters() {
    }

    static void run(Account account, Findings findings) {
        StackTemplate template = StackTemplate.of(account);
        if (template == null) {
            findings.warn(CHECK, account.stackName(), "its processed template is not JSON: which roles run Athena "
                    + "queries is unknown", "check by hand that the roles that run queries may write their results");
            return;
        }
        int writers = 0;
        String arn = "arn:" + account.partition() + ":athena:" + account.region() + ":" + account.accountId()
                + ":workgroup/" + AthenaChecks.workgroupOf(account, "");
        for (Map.Entry<String, String> role : account.resources("AWS::IAM::Role").entrySet()) {
            List<PolicyEvaluator.Statement> declared = new ArrayList<>();
            IamChecks.declaredStatements(template.resource(role.getKey()), template.resolver(), new ArrayList<>())
                    .forEach(d -> declared.add(d.statement()));
            if (PolicyEvaluator.evaluate(declared, "athena:StartQueryExecution", arn, Map.of()) != Decision.ALLOW) {
                continue;
            }
            writers++;
            String workgroup = AthenaChecks.workgroupOf(account, role.getKey());
            findings.guard(CHECK, role.getValue(), () -> writer(account, findings, template, role.getKey(),
                    role.getValue(), declared, workgroup, AthenaChecks.find(account, workgroup)));
        }
        if (writers == 0) {
            findings.warn(CHECK, account.stackName(), "no role of the template may start queries in the workgroup",
                    "redeploy the stack (sam deploy)");
        }
    }

    private static void writer(Account account, Findings findings, StackTemplate template, String logicalId,
                               String name, List<PolicyEvaluator.Statement> declared, String workgroup, WorkGroup wg) {
        Role role = RolePolicies.role(account, name);
        if (role == null) {
            findings.fail(CHECK, name, "(" + logicalId + ") does not exist: its queries cannot run",
                    "redeploy the stack (sam deploy)");
            return;
        }
        List<String> notes = new ArrayList<>();
        List<Location> locations = locations(account, template, logicalId, workgroup, wg, notes);
        if (locations == null) {
            findings.fail(CHECK, name, "(" + logicalId + ") its queries name no result location and workgroup "
                    + workgroup + " has none: Athena refuses them", "give workgroup " + workgroup + " a query result "
                    + "location (aws athena update-work-group --work-group " + workgroup + " --configuration-updates "
                    + "ResultConfigurationUpdates={OutputLocation=s3://…/}), or redeploy the stack (sam deploy)");
            return;
        }
        List<String> refused = new ArrayList<>();
        Set<String> fixes = new LinkedHashSet<>();
        List<String> checked = new ArrayList<>();
        Map<String, String> context = Map.of("aws:CalledVia", "athena.amazonaws.com",
                "aws:CalledViaFirst", "athena.amazonaws.com", "aws:ResourceAccount", account.accountId(),
                "s3:ResourceAccount", account.accountId());
        for (Location at : locations) {
            S3Location s3 = S3Location.parse(at.uri());
            String bucket = "arn:" + account.partition() + ":s3:::" + s3.bucket();
            String key = s3.key().isEmpty() || s3.key().endsWith("/") ? s3.key() : s3.key() + "/";
            List<RolePolicies.Need> needs = new ArrayList<>();
            needs.add(new RolePolicies.Need("s3:PutObject", bucket + "/" + key + PROBE, context));
            if (PolicyEvaluator.evaluate(declared, "s3:GetBucketLocation", bucket, Map.of()) == Decision.ALLOW) {
                needs.add(new RolePolicies.Need("s3:GetBucketLocation", bucket, context));
            }
            List<RolePolicies.Need> no;
            try {
                no = RolePolicies.refused(account, role, needs);
            } catch (IllegalStateException | UncheckedIOException e) {
                findings.warn(CHECK, name, "could not evaluate its policies: " + e.getMessage(), "check by hand: aws "
                        + "iam simulate-principal-policy --policy-source-arn " + role.arn() + " --action-names "
                        + "s3:PutObject --resource-arns " + needs.get(0).resource());
                return;
            }
            checked.add(String.join(", ", needs.stream().map(RolePolicies.Need::action).toList()) + " under "
                    + at.uri() + " (" + at.why() + ")");
            for (RolePolicies.Need n : no) {
                refused.add(n.action() + (n.action().equals("s3:PutObject") ? " under " + at.uri()
                        : " on " + n.resource()) + " (" + at.why() + ")");
                fixes.add(at.fix());
            }
        }
        String noted = notes.isEmpty() ? "" : "; " + String.join("; ", notes);
        if (refused.isEmpty()) {
            findings.ok(CHECK, name, checked.isEmpty() ? "(" + logicalId + ") nothing to check" + noted
                    : "may " + String.join("; ", checked) + noted);
        } else {
            String grant = "or grant " + name + " what it lacks in template.yaml (s3:PutObject on the location's "
                    + "objects) and deploy";
            findings.fail(CHECK, name, "(" + logicalId + ") may not " + String.join("; ", refused) + ": Athena fails "
                    + "its queries with AccessDenied" + noted, String.join("; ", fixes) + "; " + grant);
        }
    }

    /**
     * Where Athena writes the role's query results: the workgroup's location while it enforces its
     * configuration, else the location the role's queries name, else the workgroup's. Null when there is
     * none at all; empty when where the role's function writes is not in the template (a note says so).
     */
    private static List<Location> locations(Account account, StackTemplate template, String logicalId,
                                            String workgroup, WorkGroup wg, List<String> notes) {
        String own = wg == null || wg.configuration() == null || wg.configuration().resultConfiguration() == null
                ? null : wg.configuration().resultConfiguration().outputLocation();
        boolean enforces = wg != null && wg.configuration() != null
                && Boolean.TRUE.equals(wg.configuration().enforceWorkGroupConfiguration());
        Location workgroups = own == null ? null : new Location(own, "workgroup " + workgroup + "'s result location"
                + (enforces ? ", which it enforces" : ": its queries name none"), enforces ? "turn off the workgroup's "
                + "enforcement (the athena.workgroup line), so the queries write where they name"
                : "redeploy the stack (sam deploy), whose queries name the location the role may write");
        if (enforces) {
            return workgroups == null ? null : List.of(workgroups);
        }
        Location named;
        if (logicalId.equals(ER_ROLE)) {
            JsonNode er = account.refreshInput().path("erTable");
            if (er.isMissingNode()) {
                notes.add("the schedule's input has no erTable: its results location was not checked");
                return List.of();
            }
            String at = er.path("outputLocation").asText("");
            named = at.isEmpty() ? null : new Location(at, "the ER table's CTAS results, erTable.outputLocation",
                    "redeploy the stack (sam deploy) so the schedule's input names the location the template grants "
                            + "the role, or change erTable.outputLocation back");
        } else {
            String at = functionResults(template.template(), template.resolver()).get(logicalId);
            if (at == null) {
                notes.add("its function is not in the stack's template: where it writes results was not checked");
                return List.of();
            }
            named = at.isEmpty() ? null : new Location(at, "its function's ATHENA_RESULTS",
                    "redeploy the stack (sam deploy), which restores the role's policies (see its iam.role line)");
        }
        if (named != null) {
            return List.of(named);
        }
        return workgroups == null ? null : List.of(workgroups);
    }

    /**
     * By role: where the function of each role in the processed template tells Athena to write its
     * results, its {@code ATHENA_RESULTS} resolved ("" when it has none). A role without a function is
     * not in the map.
     */
    public static Map<String, String> functionResults(JsonNode template, TemplateResolver resolver) {
        Map<String, String> out = new TreeMap<>();
        for (JsonNode r : template.path("Resources")) {
            JsonNode role = r.path("Properties").path("Role").path("Fn::GetAtt");
            String logicalId = role.isArray() ? role.path(0).asText() : role.asText().replaceFirst("\\.Arn$", "");
            if (r.path("Type").asText().equals("AWS::Lambda::Function") && !logicalId.isEmpty()) {
                out.put(logicalId, resolver.resolve(r.path("Properties").path("Environment").path("Variables")
                        .path("ATHENA_RESULTS")).asText(""));
            }
        }
        return out;
    }
}
