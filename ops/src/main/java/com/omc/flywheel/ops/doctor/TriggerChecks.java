package com.omc.flywheel.ops.doctor;

import java.util.List;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;
import software.amazon.awssdk.services.eventbridge.model.DescribeRuleResponse;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.scheduler.model.GetScheduleResponse;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.ExecutionListItem;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;

/**
 * What starts a refresh: the monthly schedule (state, expression), the snapshot rule (and whether
 * the data bucket sends its events to EventBridge at all), and whether a refresh runs now and how
 * the last one ended.
 */
final class TriggerChecks {
    private TriggerChecks() {
    }

    static void run(Account account, Findings findings) {
        findings.guard("trigger.schedule", "monthly", () -> schedule(account, findings));
        findings.guard("trigger.snapshot", "snapshot rule", () -> snapshotRule(account, findings));
        String machine = account.output("DbRefreshStateMachineArn");
        if (machine == null) {
            findings.fail("refresh.executions", "DbRefreshStateMachineArn", "the stack has no such output",
                    "redeploy the stack (sam deploy)");
        } else {
            findings.guard("refresh.executions", machine, () -> executions(account, findings, machine));
        }
    }

    private static void schedule(Account account, Findings findings) {
        GetScheduleResponse s = account.schedule("MonthlyScheduleArn");
        if (s == null) {
            findings.fail("trigger.schedule", String.valueOf(account.output("MonthlyScheduleArn")), "does not exist",
                    "redeploy the stack (sam deploy)");
            return;
        }
        boolean wanted = !"false".equals(account.parameter("MonthlyScheduleEnabled"));
        String state = s.stateAsString();
        String what = s.name() + " " + state + " " + s.scheduleExpression();
        if ("ENABLED".equals(state) == wanted) {
            findings.ok("trigger.schedule", s.name(), state + " " + s.scheduleExpression()
                    + (wanted ? "" : " (MonthlyScheduleEnabled=false: refreshes start on demand only)"));
        } else {
            findings.warn("trigger.schedule", s.name(), what + ", but MonthlyScheduleEnabled="
                    + account.parameter("MonthlyScheduleEnabled") + ": it was changed by hand, and the next deploy "
                    + "changes it back", "deploy with MonthlyScheduleEnabled=" + "ENABLED".equals(state));
        }
    }

    private static void snapshotRule(Account account, Findings findings) {
        boolean wanted = "true".equals(account.parameter("SnapshotTriggerEnabled"));
        String rule = account.resources("AWS::Events::Rule").entrySet().stream()
                .filter(e -> e.getKey().contains("SnapshotLanded")).map(e -> e.getValue()).findFirst().orElse(null);
        if (rule == null) {
            findings.warn("trigger.snapshot", "snapshot rule", "the stack lists no snapshot rule (…SnapshotLanded)",
                    "redeploy the stack (sam deploy)");
            return;
        }
        DescribeRuleResponse r = account.client(EventBridgeClient.class, EventBridgeClient::builder)
                .describeRule(b -> b.name(rule));
        String state = r.stateAsString();
        if (!wanted) {
            findings.ok("trigger.snapshot", rule, state + " (SnapshotTriggerEnabled=false)");
            return;
        }
        String bucket = account.parameter("DataBucketName");
        boolean sends = account.client(S3Client.class, S3Client::builder)
                .getBucketNotificationConfiguration(b -> b.bucket(bucket)).eventBridgeConfiguration() != null;
        if (!"ENABLED".equals(state)) {
            findings.warn("trigger.snapshot", rule, state + " although SnapshotTriggerEnabled=true (changed by hand)",
                    "aws events enable-rule --name " + rule + ", or deploy again");
        } else if (!sends) {
            findings.fail("trigger.snapshot", rule, "ENABLED, but the bucket " + bucket + " does not send its "
                    + "events to EventBridge: a landed snapshot never starts a refresh",
                    "turn on Amazon EventBridge in the bucket's event notifications (console: Properties > "
                            + "Event notifications), which keeps its other notifications");
        } else {
            findings.ok("trigger.snapshot", rule, "ENABLED; " + bucket + " sends its events to EventBridge");
        }
    }

    private static void executions(Account account, Findings findings, String machine) {
        SfnClient sfn = account.client(SfnClient.class, SfnClient::builder);
        List<ExecutionListItem> running = sfn.listExecutions(b -> b.stateMachineArn(machine)
                .statusFilter(ExecutionStatus.RUNNING).maxResults(10)).executions();
        if (!running.isEmpty()) {
            findings.warn("refresh.executions", machine, "a refresh is running: " + running.get(0).name()
                    + " since " + running.get(0).startDate() + "; a new one is refused until it ends",
                    "bin/flywheel refresh follow " + running.get(0).name());
            return;
        }
        List<ExecutionListItem> last = sfn.listExecutions(b -> b.stateMachineArn(machine).maxResults(1)).executions();
        if (last.isEmpty()) {
            findings.ok("refresh.executions", machine, "no refresh has run yet");
        } else if (last.get(0).status() == ExecutionStatus.SUCCEEDED) {
            findings.ok("refresh.executions", machine, "none running; the last, " + last.get(0).name() + ", succeeded");
        } else {
            findings.warn("refresh.executions", machine, "none running; the last, " + last.get(0).name() + ", ended "
                    + last.get(0).statusAsString(), "bin/flywheel refresh status, then bin/flywheel refresh resume "
                    + last.get(0).name());
        }
    }
}
