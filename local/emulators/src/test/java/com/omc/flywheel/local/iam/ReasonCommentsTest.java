package com.omc.flywheel.local.iam;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.omc.flywheel.local.fixtures.SampleEvents;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reason comments iam-report reads (docs/security.md): inside a statement, and above an event's key
 * for the role SAM creates for that event; a reason anywhere else stops the reading of the template.
 */
class ReasonCommentsTest {
    @TempDir
    Path dir;

    private DeployedStack withChange(String from, String to) throws Exception {
        String template = Files.readString(SampleEvents.repoRoot().resolve("template.yaml"));
        String changed = template.replaceFirst(java.util.regex.Pattern.quote(from),
                java.util.regex.Matcher.quoteReplacement(to));
        assertNotEquals(template, changed, "the comment was placed");
        Path copy = dir.resolve("template.yaml");
        Files.writeString(copy, changed);
        return DeployedStack.read(copy, DeployedStack.LOCAL_PARAMETERS);
    }

    @Test
    void aReasonInsideAStatementAndOneAboveAnEventBelongToTheirStatements() throws Exception {
        DeployedStack stack = withChange("""
                            - Sid: ReadDbRefreshJobRuns
                              Effect: Allow
                """, """
                            - Sid: ReadDbRefreshJobRuns
                              Effect: Allow
                              # unused here because: written inside the statement
                """);
        assertEquals(Map.of("ReadDbRefreshJobRuns", "unused here because: written inside the statement"),
                stack.reasons("CheckStatusFunctionRole"));
        assertEquals(Map.of(), stack.reasons("ResolveSnapshotFunctionRole"), "no reason elsewhere");

        // template.yaml's own reason above the schedule's event key (Monthly:).
        DeployedStack deployed = DeployedStack.local(SampleEvents.repoRoot().resolve("template.yaml"));
        assertEquals(Map.of("#0", "used by AWS on our behalf: EventBridge Scheduler starts the monthly execution with "
                        + "this role."), deployed.reasons("DbRefreshStateMachineMonthlyRole"),
                "SAM's role for the schedule, statement #0");
    }

    @Test
    void aReasonThatBelongsToNoStatementOrEventIsAnError() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> withChange("""
                      Policies:
                        - Statement:
                            - Sid: ReadDbRefreshJobRuns
                """, """
                      # unused here because: above the wrong key
                      Policies:
                        - Statement:
                            - Sid: ReadDbRefreshJobRuns
                """));
        assertTrue(e.getMessage().contains("a reason comment for Policies in CheckStatusFunction, which has no "
                + "statement with Sid Policies and no event Policies"), e.getMessage());
    }

    /**
     * lakeformation:GetDataAccess is called by Athena and Clean Rooms for a role only on a database Lake
     * Formation governs, which no local lake is: every statement granting it (LakeFormationGrants=true,
     * the created Clean Rooms role's too) says so in the form iam-report reads.
     */
    @Test
    void everyGetDataAccessGrantSaysItIsUsedByAwsOnOurBehalf() {
        Map<String, String> params = new java.util.HashMap<>(DeployedStack.LOCAL_PARAMETERS);
        params.put("LakeFormationGrants", "true");
        params.put("CleanRoomsRoleArn", "");
        DeployedStack stack = DeployedStack.read(SampleEvents.repoRoot().resolve("template.yaml"), params);
        java.util.List<String> granting = new java.util.ArrayList<>();
        for (String role : stack.roles()) {
            for (var s : stack.statementsOf(role)) {
                if (s.actions().contains("lakeformation:GetDataAccess")) {
                    granting.add(role + " " + s.sid());
                    String reason = stack.reasons(role).getOrDefault(s.sid(), "");
                    assertTrue(reason.startsWith("used by AWS on our behalf: "), role + " " + s.sid() + ": " + reason);
                }
            }
        }
        assertEquals(3, granting.size(), "build-report's, refresh-er-table's and the Clean Rooms role's: " + granting);
    }
}
