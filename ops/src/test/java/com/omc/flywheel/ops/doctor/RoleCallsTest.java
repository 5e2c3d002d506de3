package com.omc.flywheel.ops.doctor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.Test;

/** A call recorded on this machine, put into a deployed stack's names. */
class RoleCallsTest {
    private static final String LOCAL = "arn:aws:glue:us-east-1:123456789012:";

    @Test
    void whatTheLocalWildcardsMatchedFillsTheDeployedPattern() {
        RoleCalls.Call call = new RoleCalls.Call("glue:GetTable", "ReadTheCatalog", LOCAL + "table/omc_flywheel_dev/*",
                1, 2, List.of(LOCAL + "table/omc_flywheel_dev/part_ibe_01"), 4);
        List<String> prod = List.of("arn:aws:glue:eu-west-1:111122223333:database/omc_flywheel_prod",
                "arn:aws:glue:eu-west-1:111122223333:table/omc_flywheel_prod/*");
        assertEquals("arn:aws:glue:eu-west-1:111122223333:table/omc_flywheel_prod/part_ibe_01",
                RoleCalls.resourceIn(prod, call, call.resources().get(0)));
    }

    @Test
    void aStatementWithAnotherNumberOfPatternsIsMatchedByShapeAndEnding() {
        RoleCalls.Call call = new RoleCalls.Call("glue:StartJobRun", "StartJobs", LOCAL + "job/etl-dev-register-*",
                2, 3, List.of(LOCAL + "job/etl-dev-register-part-tables"), 2);
        List<String> prod = List.of("arn:aws:glue:eu-west-1:1:job/etl-prod-split-*",
                "arn:aws:glue:eu-west-1:1:job/etl-prod-register-*", "arn:aws:glue:eu-west-1:1:job/exact",
                "arn:aws:glue:eu-west-1:1:job/x-*-*");
        assertEquals("arn:aws:glue:eu-west-1:1:job/etl-prod-register-part-tables",
                RoleCalls.resourceIn(prod, call, call.resources().get(0)));
        assertNull(RoleCalls.resourceIn(List.of("arn:aws:glue:eu-west-1:1:job/exact"), call,
                call.resources().get(0)), "no deployed pattern of the same shape: not guessed");
    }

    @Test
    void wildcardsWithoutAValueBecomeAProbeName() {
        assertEquals("arn:aws:s3:::b/doctor-probe/x", RoleCalls.fill("arn:aws:s3:::b/*/?", List.of()));
        assertEquals("arn:aws:s3:::b/k1/x", RoleCalls.fill("arn:aws:s3:::b/*/?", List.of("k1")));
    }

    @Test
    void theMapOpsCarriesNamesEveryFunctionRole() {
        RoleCalls calls = RoleCalls.load();
        for (String role : List.of("StartGlueJobFunctionRole", "CheckStatusFunctionRole", "MsckRepairFunctionRole",
                "AssociateTablesFunctionRole", "BuildReportFunctionRole", "DbRefreshStateMachineRole")) {
            assertFalse(calls.of(role).isEmpty(), role + " has recorded calls in " + RoleCalls.RESOURCE);
        }
    }
}
