package com.omc.flywheel.local.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** local-run's command line, read without starting anything. */
class RunOptionsTest {

    private static String usageError(String... args) {
        return assertThrows(IllegalArgumentException.class, () -> RunOptions.parse(args)).getMessage();
    }

    @Test
    void withNothingGivenTheDefaultsAreOneCleanMonthOfProductionsTablesInOutLocalRun() {
        RunOptions o = RunOptions.parse(new String[0]);

        assertNull(o.repo());
        assertEquals(Path.of("out/local-run"), o.out());
        assertNull(o.snapshotDt(), "yesterday's snapshot");
        assertEquals(0, o.tables(), "production's tables");
        assertEquals(8, o.buckets());
        assertEquals(List.of(), o.failSteps());
        assertFalse(o.resume());
        assertFalse(o.keepRunning());
        assertEquals(Map.of(), o.handlers());
        assertEquals(1, o.months());
    }

    @Test
    void everyOptionIsRead() {
        RunOptions o = RunOptions.parse(new String[] {"--repo", "/repo", "--out", "/tmp/x", "--snapshot-dt",
            "2026-11-30", "--tables", "4", "--buckets", "2", "--fail-step", "BuildErTable", "--resume",
            "--keep-running", "--function", "check-status=com.example.CheckStatus::handleRequest",
            "--function", "a-b=x.Y=z"});

        assertEquals(Path.of("/repo"), o.repo());
        assertEquals(Path.of("/tmp/x"), o.out());
        assertEquals("2026-11-30", o.snapshotDt());
        assertEquals(4, o.tables());
        assertEquals(2, o.buckets());
        assertEquals(List.of("BuildErTable"), o.failSteps());
        assertTrue(o.resume());
        assertTrue(o.keepRunning());
        assertEquals(List.of("check-status", "a-b"), List.copyOf(o.handlers().keySet()), "in the order given");
        assertEquals("com.example.CheckStatus::handleRequest", o.handlers().get("check-status"));
        assertEquals("x.Y=z", o.handlers().get("a-b"), "split at the first '='");
        assertEquals(12, RunOptions.parse(new String[] {"--months", "12"}).months());
        assertEquals(10_000, RunOptions.parse(new String[] {"--tables", "10000"}).tables());
    }

    @Test
    void countsAreWholeNumbersFrom1To10000() {
        for (String option : List.of("--tables", "--buckets", "--months")) {
            for (String bad : List.of("0", "-1", "10001", "x", "1.5", "")) {
                assertEquals(option + " takes a whole number from 1 to 10000", usageError(option, bad), option + bad);
            }
        }
    }

    @Test
    void monthsAreAtMostAYear() {
        assertEquals("--months takes 1 to 12", usageError("--months", "13"));
    }

    @Test
    void todaysCleanRoomsIsOffByDefaultAndGoesWithEverythingButTables() {
        assertFalse(RunOptions.parse(new String[0]).todaysCleanRooms(), "an empty collaboration by default");
        assertTrue(RunOptions.parse(new String[] {"--todays-clean-rooms"}).todaysCleanRooms());
        RunOptions o = RunOptions.parse(new String[] {"--todays-clean-rooms", "--buckets", "2", "--shadow"});
        assertTrue(o.todaysCleanRooms() && o.shadow());
        assertEquals(2, o.buckets());
        assertEquals(2, RunOptions.parse(new String[] {"--months", "2", "--todays-clean-rooms"}).months());
        assertTrue(RunOptions.parse(new String[] {"--fail-step", "AssociateTables", "--resume",
            "--todays-clean-rooms"}).todaysCleanRooms());
    }

    @Test
    void todaysCleanRoomsIsOnProductionsTablesOnly() {
        String error = "--todays-clean-rooms is today's collaboration on production's tables; it goes without "
                + "--tables";
        assertEquals(error, usageError("--todays-clean-rooms", "--tables", "4"));
        assertEquals(error, usageError("--tables", "28", "--todays-clean-rooms"), "in either order, any count");
        assertEquals("unknown option --todays-clean-rooms=true (see bin/flywheel help)",
                usageError("--todays-clean-rooms=true"), "a flag: it takes no value");
    }

    @Test
    void anUnknownOptionPointsToTheHelp() {
        assertEquals("unknown option --bogus (see bin/flywheel help)", usageError("--bogus"));
        assertEquals("unknown option 4 (see bin/flywheel help)", usageError("--tables", "2", "4"));
    }

    @Test
    void theSnapshotIsADate() {
        for (String bad : List.of("2026-1-30", "20261130", "2026-11-30T00:00", "yesterday")) {
            assertEquals("--snapshot-dt must be YYYY-MM-DD", usageError("--snapshot-dt", bad), bad);
        }
    }

    @Test
    void failStepNamesAStepThatCanFail() {
        String oneOf = "--fail-step takes one of [AssociateTables, BuildErTable, RegisterTables, RepairPartitions, "
                + "Reports, ResolveNewestSnapshot, SplitInputs], or several separated by commas (with --resume)";
        assertEquals(oneOf, usageError("--fail-step", "Done"));
        assertEquals(oneOf, usageError("--fail-step", "SplitInputs,", "--resume"), "no empty step");
        for (String step : InjectedFailure.FAILABLE.keySet()) {
            assertEquals(List.of(step), RunOptions.parse(new String[] {"--fail-step", step}).failSteps());
        }
    }

    @Test
    void severalFailedStepsAreKeptInTheirOrderEachOnceAndGoWithResume() {
        assertEquals(List.of("Reports", "SplitInputs"), RunOptions.parse(new String[] {"--fail-step",
            "Reports,SplitInputs", "--resume"}).failSteps());
        assertEquals("--fail-step with several steps goes with --resume: each resume fixes the step that failed and "
                + "the next one fails", usageError("--fail-step", "Reports,SplitInputs"));
        assertEquals("--fail-step names each step once", usageError("--fail-step", "Reports,Reports", "--resume"));
    }

    @Test
    void resumeNeedsAFailedStepAndMonthsNeedNone() {
        assertEquals("--resume goes with --fail-step: it resumes the run that step failed", usageError("--resume"));
        assertEquals("--months runs clean months back to back; --fail-step goes with one month",
                usageError("--months", "2", "--fail-step", "Reports"));
    }

    @Test
    void anOptionWithoutItsValueIsAUsageErrorNamingIt() {
        assertEquals("--tables needs a value", usageError("--tables"));
        assertEquals("--out needs a value", usageError("--out", "--keep-running"));
        assertEquals("--function takes NAME=HandlerClass", usageError("--function", "check-status"));
    }

    @Test
    void paramsAreNameValuePairsInTheOrderGivenEachOnce() {
        RunOptions o = RunOptions.parse(new String[] {"--param", "LakeFormationGrants=true", "--param",
            "ReportKmsKeyArn=arn:aws:kms:us-east-1:123456789012:key/k-1", "--param", "AccountDescriptions="});

        assertEquals(List.of("LakeFormationGrants", "ReportKmsKeyArn", "AccountDescriptions"),
                List.copyOf(o.params().keySet()));
        assertEquals("arn:aws:kms:us-east-1:123456789012:key/k-1", o.params().get("ReportKmsKeyArn"));
        assertEquals("", o.params().get("AccountDescriptions"), "an empty value, as sam deploy takes it");
        assertEquals(Map.of(), RunOptions.parse(new String[0]).params());
        String form = "--param takes NAME=VALUE, NAME a parameter of template.yaml (as sam deploy "
                + "--parameter-overrides)";
        assertEquals(form, usageError("--param", "LakeFormationGrants"));
        assertEquals(form, usageError("--param", "=true"));
        assertEquals("--param needs a value", usageError("--param"));
        assertEquals("--param LakeFormationGrants is given twice: give it once",
                usageError("--param", "LakeFormationGrants=true", "--param", "LakeFormationGrants=false"));
    }

    private static final com.fasterxml.jackson.databind.JsonNode DECLARED =
            com.omc.flywheel.local.iam.DeployedStack.declaredParameters(
                    com.omc.flywheel.local.fixtures.SampleEvents.repoRoot().resolve("template.yaml"));

    private static String parameterError(String... params) {
        List<String> args = new java.util.ArrayList<>();
        for (String p : params) {
            args.addAll(List.of("--param", p));
        }
        RunOptions o = RunOptions.parse(args.toArray(String[]::new));
        return assertThrows(IllegalArgumentException.class, () -> o.checkParameters(DECLARED)).getMessage();
    }

    @Test
    void paramsAreHeldToTemplateYamlsParametersBeforeAnythingStarts() {
        RunOptions.parse(new String[] {"--param", "LakeFormationGrants=true", "--param",
            "ReportKmsKeyArn=arn:aws:kms:us-east-1:123456789012:key/5f0c1f9e-2d3b-4c6a-9e8f-7a1b2c3d4e5f", "--param",
            "AssociationQuota=25"}).checkParameters(DECLARED);

        assertEquals("--param Bogus: template.yaml has no parameter Bogus; give one of its Parameters",
                parameterError("Bogus=1"));
        assertEquals("--param LakeFormationGrants takes one of [true, false]",
                parameterError("LakeFormationGrants=yes"));
        assertEquals("--param ReportKmsKeyArn=alias/reports does not match template.yaml's AllowedPattern "
                + "^(arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[A-Za-z0-9-]+)?$",
                parameterError("ReportKmsKeyArn=alias/reports"));
        assertEquals("--param Environment: the sample world is built for Environment=dev; leave it out",
                parameterError("Environment=prod"));
    }

    @Test
    void theReportKeyIsOneLocalRunCanMakeOfTheLocalAccountAndRegion() {
        String local = "--param ReportKmsKeyArn takes a key of the local account and region, "
                + "arn:aws:kms:us-east-1:123456789012:key/ID (local-run makes it in moto)";
        assertEquals(local, parameterError("ReportKmsKeyArn=arn:aws:kms:us-east-1:999999999999:key/k"));
        assertEquals(local, parameterError("ReportKmsKeyArn=arn:aws:kms:eu-west-1:123456789012:key/k"));
        RunOptions.parse(new String[] {"--param", "ReportKmsKeyArn="}).checkParameters(DECLARED);
    }
}
