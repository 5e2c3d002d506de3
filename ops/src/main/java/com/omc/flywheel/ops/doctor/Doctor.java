package com.omc.flywheel.ops.doctor;

import com.omc.flywheel.ops.Connection;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.services.cloudformation.model.CloudFormationException;

/**
 * Every check of {@code bin/flywheel doctor}, in a fixed order: the stack, then what the code
 * assumes about each resource the stack uses and does not create. Read-only: every call is a
 * Describe, Get or List.
 */
public final class Doctor {
    private Doctor() {
    }

    /** The findings for the stack at this connection. */
    public static List<Finding> examine(Connection connection, String stackName) {
        Findings findings = new Findings();
        try (Account account = new Account(connection, stackName)) {
            if (!stack(account, findings)) {
                return findings.all();
            }
            if (account.refreshInput().isMissingNode()) {
                findings.fail("stack.schedule-input", String.valueOf(account.output("MonthlyScheduleArn")),
                        "the monthly schedule does not exist or sends no JSON input: the checks that read the "
                                + "refresh's input (jobs, raw input, Clean Rooms) cannot run", "redeploy the stack");
            }
            Findings registry = new Findings();
            int active = RegistryChecks.run(account, registry);
            GlueChecks.run(account, findings, active > 0);
            AthenaChecks.run(account, findings);
            S3Checks.run(account, findings);
            CatalogChecks.run(account, findings);
            CleanRoomsChecks.run(account, findings);
            registry.all().forEach(findings::add);
            IamChecks.run(account, findings);
            NotificationChecks.run(account, findings);
            TriggerChecks.run(account, findings);
        }
        return findings.all();
    }

    private static boolean stack(Account account, Findings findings) {
        boolean[] loaded = {false};
        findings.guard("stack", account.stackName(), () -> {
            try {
                account.load();
            } catch (CloudFormationException e) {
                if (e.awsErrorDetails() != null && "ValidationError".equals(e.awsErrorDetails().errorCode())) {
                    findings.fail("stack", account.stackName(), "does not exist in " + account.region(),
                            "sam deploy --config-env <env> first, or give --stack and --region of the deployed stack");
                    return;
                }
                throw e;
            }
            loaded[0] = true;
            String status = account.stackStatus();
            if (status.endsWith("_COMPLETE") && !status.contains("ROLLBACK")) {
                findings.ok("stack", account.stackName(), status);
            } else if (status.endsWith("_IN_PROGRESS")) {
                findings.warn("stack", account.stackName(), status + ": a deploy is under way; what doctor reads may "
                        + "change", "run doctor again when it ends");
            } else {
                findings.fail("stack", account.stackName(), status, "look at the stack's events (aws cloudformation "
                        + "describe-stack-events --stack-name " + account.stackName() + ") and deploy again");
            }
        });
        if (!loaded[0] && findings.all().stream().noneMatch(f -> f.status() == Finding.Status.FAIL)) {
            findings.fail("stack", account.stackName(), "could not be read, so nothing else was checked",
                    "make the stack readable (cloudformation:DescribeStacks, the endpoint, the region) and run doctor "
                            + "again");
        }
        return loaded[0];
    }

    /** 1 when anything FAILs, else 0. */
    public static int exitCode(List<Finding> findings) {
        return findings.stream().anyMatch(f -> f.status() == Finding.Status.FAIL) ? 1 : 0;
    }

    /** The counts line: {@code doctor: 31 OK, 2 WARN, 0 FAIL}. */
    public static String summary(List<Finding> findings) {
        List<Long> n = new ArrayList<>();
        for (Finding.Status s : Finding.Status.values()) {
            n.add(findings.stream().filter(f -> f.status() == s).count());
        }
        return "doctor: " + n.get(0) + " OK, " + n.get(1) + " WARN, " + n.get(2) + " FAIL";
    }
}
