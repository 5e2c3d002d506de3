package com.omc.flywheel.statemachine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.omc.flywheel.local.LocalCloud;
import com.omc.flywheel.ops.RefreshCommand;
import com.omc.flywheel.shared.AwsClients;
import com.omc.flywheel.shared.FailureReport;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.cloudformation.CloudFormationClient;
import software.amazon.awssdk.services.glue.GlueClient;
import software.amazon.awssdk.services.scheduler.SchedulerClient;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.DescribeExecutionResponse;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;
import software.amazon.awssdk.services.sfn.model.HistoryEvent;

/**
 * {@code bin/flywheel refresh} against the local endpoint: the db-refresh state machine as SAM
 * deploys it, and its monthly schedule created from template.yaml's own resource (through the SAM
 * transform, every intrinsic resolved), as CloudFormation would create it.
 */
class RefreshCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static JsonNode schedule;
    LocalCloud cloud;
    String stateMachineArn;
    SfnClient sfn;

    record Outcome(int code, String out, String err) {
    }

    @BeforeAll
    static void readTheTemplate() {
        // What template.yaml gives build-report (the schedule's data monitor input counts rows through Athena).
        System.setProperty("ATHENA_RESULTS", "s3://omc-flywheel-dev-analysis-data/query-results/monitor/");
        schedule = TemplateOperabilityTest.transformed(Map.of()).path("Resources").path("DbRefreshStateMachineMonthly")
                .path("Resolved");
        assertTrue(schedule.path("Target").path("Input").isTextual(), "the monthly schedule resolves: " + schedule);
    }

    @BeforeEach
    void deploy() {
        DbRefreshStateMachineTest lake = new DbRefreshStateMachineTest();
        lake.world();
        cloud = lake.cloud;
        // A deploy with build-report's ATHENA_RESULTS (set above): every function starts cold and reads
        // its settings anew. A warm environment an earlier class of this JVM left would not have it.
        cloud.lambdas().coldStart();
        sfn = AwsClients.build(SfnClient.builder());
        stateMachineArn = sfn.createStateMachine(b -> b.name("omc-flywheel-dev-db-refresh")
                .definition(StateMachineHarness.definition("db-refresh.asl.json"))
                .roleArn("arn:aws:iam::123456789012:role/omc-flywheel-dev-states")).stateMachineArn();
        JsonNode target = schedule.path("Target");
        assertEquals(stateMachineArn, target.path("Arn").asText(), "the schedule targets the state machine");
        try (SchedulerClient scheduler = AwsClients.build(SchedulerClient.builder())) {
            scheduler.createSchedule(b -> b.name(schedule.path("Name").asText())
                    .scheduleExpression(schedule.path("ScheduleExpression").asText()).state("DISABLED")
                    .flexibleTimeWindow(w -> w.mode(schedule.path("FlexibleTimeWindow").path("Mode").asText()))
                    .target(t -> t.arn(target.path("Arn").asText()).roleArn(target.path("RoleArn").asText())
                            .input(target.path("Input").asText())));
        }
    }

    Outcome refresh(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        String[] all = new String[args.length + 2];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--endpoint";
        all[args.length + 1] = cloud.endpoint();
        int code = RefreshCommand.run(all, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Outcome(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void startDryRunPrintsTheInputTheScheduleSendsAndStartsNothing() throws Exception {
        Outcome o = refresh("start", "--dry-run");

        assertEquals(0, o.code(), o.err());
        assertEquals(JSON.readTree(schedule.path("Target").path("Input").asText()), JSON.readTree(o.out()),
                "exactly the schedule's input");
        assertTrue(sfn.listExecutions(b -> b.stateMachineArn(stateMachineArn)).executions().isEmpty(),
                "nothing started");

        Outcome skipping = refresh("start", "--dry-run", "--snapshot-dt", "2025-10-22", "--skip", "1,RegisterTables");

        assertEquals(0, skipping.code(), skipping.err());
        ObjectNode expected = (ObjectNode) JSON.readTree(schedule.path("Target").path("Input").asText());
        expected.put("snapshotDt", "2025-10-22");
        expected.set("skip", JSON.readTree("{\"RegisterAddressableIds\": true, \"RegisterInfobase\": true, "
                + "\"SplitAddressableIds\": true}"));
        assertEquals(expected, JSON.readTree(skipping.out()),
                "script number 1 is the addressable split alone (docs/today.md's bug)");
    }

    /** The same through the stack's outputs, as an operator names a deployed stack. */
    @Test
    void aStackIsFoundThroughItsOutputs() throws Exception {
        try (CloudFormationClient cfn = AwsClients.build(CloudFormationClient.builder())) {
            String template = JSON.writeValueAsString(JSON.createObjectNode()
                    .set("Resources", JSON.readTree("{\"Topic\": {\"Type\": \"AWS::SNS::Topic\", \"Properties\": "
                            + "{\"TopicName\": \"omc-flywheel-dev-stack-marker\"}}}")))
                                    .replaceFirst("}$", ", \"Outputs\": {"
                    + "\"DbRefreshStateMachineArn\": {\"Value\": \"" + stateMachineArn + "\"},"
                    + "\"MonthlyScheduleArn\": {\"Value\": \"arn:aws:scheduler:us-east-1:123456789012:schedule/default/"
                    + schedule.path("Name").asText() + "\"}}}");
            cfn.createStack(b -> b.stackName("omc-flywheel-dev").templateBody(template));
        }

        Outcome o = refresh("start", "--dry-run", "--stack", "omc-flywheel-dev");
        Outcome missing = refresh("start", "--dry-run", "--stack", "omc-flywheel-nope");

        assertEquals(0, o.code(), o.err());
        assertEquals(JSON.readTree(schedule.path("Target").path("Input").asText()), JSON.readTree(o.out()));
        assertEquals(1, missing.code());
        assertTrue(missing.err().contains("stack omc-flywheel-nope does not exist"), missing.err());
    }

    @Test
    void everyBadArgumentIsExitTwoWithWhatIsWrong() {
        Map<List<String>, String> cases = Map.of(
                List.of("begin"), "unknown command 'begin'",
                List.of("start", "--snapshot-dt", "2025-02-30"), "--snapshot-dt must be a date",
                List.of("start", "--skip", "SplitEverything"), "--skip: unknown step 'SplitEverything'",
                List.of("start", "--skip", "1,,2"), "none empty",
                List.of("resume"), "resume needs an EXECUTION",
                List.of("follow", "not an arn!"), "EXECUTION must be an execution ARN or an execution name",
                List.of("follow", "arn:aws:states:us-east-1:123456789012:execution:other-machine:x"),
                        "is not an execution of",
                List.of("status", "--max", "0"), "--max takes a whole number from 1 to 100",
                List.of("status", "--dry-run"), "--dry-run goes with start or resume",
                List.of("start", "--region", "Mars"), "--region must be a region");
        Outcome unknown = refresh("follow", "no-such-execution");
        assertEquals(2, unknown.code(), unknown.err());
        assertTrue(unknown.err().contains("no such execution"), unknown.err());
        cases.forEach((args, message) -> {
            Outcome o = refresh(args.toArray(String[]::new));
            assertEquals(2, o.code(), args + ": " + o.err());
            assertTrue(o.err().contains(message), args + ": " + o.err());
        });
        assertTrue(sfn.listExecutions(b -> b.stateMachineArn(stateMachineArn)).executions().isEmpty(),
                "nothing started");
    }

    /**
     * A start while a refresh runs is refused at once, naming the running execution; nothing else
     * starts. (Inside the state machine, resolve-snapshot refuses a second execution too: the
     * schedule and the snapshot-arrival rule do not go through this command; RefreshGuardTest.)
     */
    @Test
    void aSecondStartDuringARunIsRefused() {
        cloud.moto().glueJobRunsTakePolls(1000);
        Outcome first = refresh("start");
        assertEquals(0, first.code(), first.err());
        String running = first.out().lines().filter(l -> l.startsWith("started ")).findFirst().orElseThrow()
                .substring(8);

        Outcome second = refresh("start", "--snapshot-dt", "2025-10-22");

        assertEquals(1, second.code(), second.out());
        assertTrue(second.err().contains("refused: a refresh is running on this lake: " + running)
                && second.err().contains("bin/flywheel refresh follow " + running), second.err());
        assertEquals(1, sfn.listExecutions(b -> b.stateMachineArn(stateMachineArn)).executions().size());
        Outcome status = refresh("status");
        assertEquals(0, status.code(), status.err());
        assertTrue(status.out().contains(running.substring(running.lastIndexOf(':') + 1))
                && status.out().contains("RUNNING"),
                status.out());
        sfn.stopExecution(b -> b.executionArn(running));
    }

    /**
     * A refresh whose AssociateTables call failed (a Lambda task: no Fail state entered) is resumed
     * by a new execution here (moto has no redrive) that skips every step that finished, on the
     * same snapshot: no Glue job runs again. follow reports the outcome; status lists the failed step.
     */
    @Test
    void resumeStartsWhereTheRunFailedAndRunsNoFinishedJobAgain() {
        cloud.cleanRooms().failCall("CreateConfiguredTableAssociation", 1, 403, "AccessDeniedException");
        Outcome start = refresh("start", "--follow");
        assertEquals(1, start.code(), start.out());
        String failed = start.out().lines().filter(l -> l.startsWith("started ")).findFirst().orElseThrow()
                .substring(8);
        assertTrue(start.out().contains("   failed step  AssociateTables")
                && start.out().contains("resume it: bin/flywheel refresh resume " + failed), start.out());
        GlueClient glue = AwsClients.build(GlueClient.builder());
        int runsBefore = DbRefreshStateMachineTest.JOBS.stream()
                .mapToInt(j -> glue.getJobRuns(b -> b.jobName(j)).jobRuns().size())
                .sum();
        Outcome status = refresh("status");
        assertTrue(status.out().contains("FAILED") && status.out().contains("AssociateTables: PartialFailureException"),
                status.out());

        Outcome dry = refresh("resume", failed, "--dry-run");
        assertEquals(0, dry.code(), dry.err());
        assertTrue(dry.out().contains("not redriven: this endpoint reports no redriveStatus")
                && dry.out().contains("\"RepairPartitions\" : true"), dry.out());
        assertEquals(1, sfn.listExecutions(b -> b.stateMachineArn(stateMachineArn)).executions().size(),
                "dry: nothing started");

        Outcome resumed = refresh("resume", failed, "--follow");

        assertEquals(0, resumed.code(), resumed.out() + resumed.err());
        assertEquals(4, runsBefore, "two splits, the registration twice");
        int ctasBefore = cloud.proxy().count("athena:StartQueryExecution");
        assertTrue(ctasBefore >= 1, "the ER table's CTAS ran before AssociateTables failed");
        assertEquals(runsBefore, DbRefreshStateMachineTest.JOBS.stream()
                .mapToInt(j -> glue.getJobRuns(b -> b.jobName(j)).jobRuns().size()).sum(), "no Glue job ran again");
        assertEquals(ctasBefore, cloud.proxy().count("athena:StartQueryExecution"),
                "the ER table was not rebuilt again");
        String again = resumed.out().lines().filter(l -> l.startsWith("started ")).findFirst().orElseThrow()
                .substring(8);
        DescribeExecutionResponse d = sfn.describeExecution(b -> b.executionArn(again));
        assertEquals(ExecutionStatus.SUCCEEDED, d.status());
        assertTrue(d.input().contains("\"snapshotDt\":\"2025-10-22\""), d.input());
        Outcome nothing = refresh("resume", again);
        assertEquals(1, nothing.code());
        assertTrue(nothing.err().contains("SUCCEEDED: nothing to resume"), nothing.err());
        Outcome twice = refresh("resume", failed);
        assertEquals(1, twice.code(), twice.out());
        assertTrue(twice.err().contains("was resumed already by " + again), twice.err());
        assertEquals(2, sfn.listExecutions(b -> b.stateMachineArn(stateMachineArn)).executions().size(),
                "no third run");
    }

    /** Redrive is chosen only where it resumes: never after a Fail state (a Glue job loop's end). */
    @Test
    void aFailedGlueJobIsNeverRedrivenEvenWhereRedriveExists() throws Exception {
        cloud.proxy().addRewrite(com.omc.flywheel.local.proxy.AwsProxy.failGlueJob(
                "etl-omc-flywheel-dev-register-part-tables",
                "the registration job failed"));
        Outcome start = refresh("start", "--follow");
        assertEquals(1, start.code(), "follow exits 1 for a run that failed: " + start.out() + start.err());
        String failed = start.out().lines().filter(l -> l.startsWith("started ")).findFirst().orElseThrow()
                .substring(8);
        assertTrue(start.out().contains("   failed step  RegisterTables"), start.out());

        Outcome dry = refresh("resume", failed, "--dry-run");

        assertEquals(0, dry.code(), dry.err());
        assertTrue(dry.out().contains("not redriven: it failed in the Fail state Register"), dry.out());

        // The same run as AWS would describe it where redrive exists: REDRIVABLE. Its Fail state still wins.
        DescribeExecutionResponse ended = sfn.describeExecution(b -> b.executionArn(failed));
        assertEquals(ExecutionStatus.FAILED, ended.status(), ended.toString());
        List<HistoryEvent> history = new ArrayList<>();
        sfn.getExecutionHistoryPaginator(b -> b.executionArn(failed)).events().forEach(history::add);
        JsonNode definition = JSON.readTree(sfn.describeStateMachine(b -> b.stateMachineArn(stateMachineArn))
                .definition());
        FailureReport ranInto = FailureReport.of(definition, history, ended.input(), ended.error(), ended.cause());
        assertFalse(ranInto.redriveResumes(), "the run entered a Fail state: " + ranInto.failStates());
        assertTrue(ranInto.failStates().stream().allMatch(f -> f.startsWith("Register") && f.endsWith("Failed")),
                ranInto.failStates().toString());
        DescribeExecutionResponse redrivable = ended.toBuilder().redriveStatus("REDRIVABLE").build();
        String refusal = RefreshCommand.redriveRefusal(redrivable, ranInto);
        assertNotNull(refusal, "a Fail state and REDRIVABLE: not redriven");
        assertTrue(refusal.contains("it failed in the Fail state " + ranInto.failStates().get(0)), refusal);

        // Without a Fail state, the same REDRIVABLE execution is redriven; NOT_REDRIVABLE is Step Functions' no.
        FailureReport taskFailure = FailureReport.of(JSON.createObjectNode(), List.of(), "{}",
                "PartialFailureException", "x");
        assertNull(RefreshCommand.redriveRefusal(redrivable, taskFailure),
                "a Task failure that AWS calls REDRIVABLE: redrive");
        assertTrue(RefreshCommand.redriveRefusal(redrivable.toBuilder().redriveStatus("NOT_REDRIVABLE")
                .redriveStatusReason("Execution is SUCCEEDED").build(), taskFailure).contains("NOT_REDRIVABLE"));
    }
}
