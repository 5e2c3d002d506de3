package com.omc.flywheel.ops.doctor;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashSet;
import java.util.Set;
import software.amazon.awssdk.services.athena.AthenaClient;
import software.amazon.awssdk.services.athena.model.InvalidRequestException;
import software.amazon.awssdk.services.athena.model.WorkGroup;

/**
 * The Athena workgroups the ER table refresh and the repair use: each exists, is ENABLED, does not
 * enforce its configuration (that refuses the ER table's CTAS with external_location), and the
 * result locations the functions write to are in buckets that exist; {@link AthenaResultWriters} checks
 * that the roles may write there.
 */
final class AthenaChecks {
    static final String CHECK = "athena.workgroup";

    private AthenaChecks() {
    }

    static void run(Account account, Findings findings) {
        JsonNode in = account.refreshInput();
        Set<String> workgroups = new LinkedHashSet<>();
        workgroups.add(in.path("erTable").path("workgroup").asText(account.parameter("AthenaWorkgroup")));
        if (in.path("repair").has("workgroup")) {
            workgroups.add(in.path("repair").path("workgroup").asText());
        }
        workgroups.remove("");
        if (workgroups.isEmpty()) {
            workgroups.add("primary");
        }
        for (String wg : workgroups) {
            findings.guard(CHECK, wg, () -> workgroup(account, findings, wg));
        }
        String results = in.path("erTable").path("outputLocation").asText("");
        if (!results.isEmpty()) {
            findings.guard("athena.results", results, () -> S3Checks.bucketExists(account, findings, "athena.results",
                    S3Location.parse(results).bucket(), "the ER table refresh writes its query results there"));
        }
        findings.guard(AthenaResultWriters.CHECK, account.stackName(), () -> AthenaResultWriters.run(account,
                findings));
    }

    /** The workgroup a role's queries run in: the input's for the ER table and the repair, else the stack's. */
    static String workgroupOf(Account account, String roleLogicalId) {
        JsonNode in = account.refreshInput();
        String stack = account.parameter("AthenaWorkgroup").isEmpty() ? "primary"
                : account.parameter("AthenaWorkgroup");
        String section = switch (roleLogicalId) {
            case AthenaResultWriters.ER_ROLE -> "erTable";
            case AthenaResultWriters.REPAIR_ROLE -> "repair";
            default -> "";
        };
        String named = section.isEmpty() ? "" : in.path(section).path("workgroup").asText("");
        return named.isEmpty() ? stack : named;
    }

    /** The workgroup of that name, read once, or null when it does not exist. */
    static WorkGroup find(Account account, String name) {
        return account.once("workgroup " + name, () -> {
            try {
                return account.client(AthenaClient.class, AthenaClient::builder).getWorkGroup(b -> b.workGroup(name))
                        .workGroup();
            } catch (InvalidRequestException e) {
                return null;
            }
        });
    }

    /** FAIL when the workgroup does not exist, FAIL or OK on its state and enforcement. */
    private static void workgroup(Account account, Findings findings, String name) {
        WorkGroup wg = find(account, name);
        if (wg == null) {
            findings.fail(CHECK, name, "does not exist", "create it, or deploy with AthenaWorkgroup set to an "
                    + "existing workgroup");
            return;
        }
        if (!"ENABLED".equals(wg.stateAsString())) {
            findings.fail(CHECK, name, "is " + wg.stateAsString() + ": Athena refuses every query in it",
                    "aws athena update-work-group --work-group " + name + " --state ENABLED");
            return;
        }
        boolean enforces = wg.configuration() != null
                && Boolean.TRUE.equals(wg.configuration().enforceWorkGroupConfiguration());
        if (enforces) {
            findings.fail(CHECK, name, "enforces its configuration: Athena refuses the ER table's CREATE TABLE AS "
                    + "with external_location, and writes results to the workgroup's location instead of the one "
                    + "the functions may write", "aws athena update-work-group --work-group " + name
                    + " --configuration-updates EnforceWorkGroupConfiguration=false, or deploy with "
                    + "AthenaWorkgroup set to a workgroup that does not enforce its configuration");
            return;
        }
        String own = wg.configuration() == null || wg.configuration().resultConfiguration() == null ? null
                : wg.configuration().resultConfiguration().outputLocation();
        findings.ok(CHECK, name, "ENABLED, does not enforce its configuration"
                + (own == null ? "" : "; its own result location " + own + " is not used (the functions give theirs)"));
    }
}
