package com.omc.flywheel.notifyfailure;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.omc.flywheel.shared.FailureReport;
import com.omc.flywheel.shared.JsonLog;
import com.omc.flywheel.shared.errors.AwsFaults;
import com.omc.flywheel.shared.errors.InvalidInputException;
import com.omc.flywheel.shared.errors.ResourceNotFoundException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.ExecutionDoesNotExistException;
import software.amazon.awssdk.services.sfn.model.GetExecutionHistoryResponse;
import software.amazon.awssdk.services.sfn.model.HistoryEvent;
import software.amazon.awssdk.services.sns.SnsClient;

/**
 * The notice of an execution that ended FAILED, TIMED_OUT or ABORTED: reads the execution's history
 * (every page, newest first) and its state machine's definition, works out the failed step, the
 * error, what finished ({@link FailureReport}), and publishes to SNS a message a person can act on,
 * with the exact commands that resume the run. A db-refresh execution that SUCCEEDED gets today's
 * success subject with a table of its steps ({@link SuccessMessage}). Other statuses, and the other
 * state machines' successes: nothing is published.
 */
public final class FailureNotifier {
    private static final JsonLog LOG = JsonLog.forFunction("notify-failure");
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Redrive is possible for 14 days after the execution ended (Step Functions' redrivable period). */
    static final int REDRIVABLE_DAYS = 14;
    /** SNS allows 256 KB; the message stays well below, whatever the history holds. */
    private static final int MAX_MESSAGE_CHARS = 200_000;
    /**
     * The Cause as the mail shows it: at most this many characters (a Cause of Step Functions holds up to
     * 32,768); the rest is in the execution's history, and per-table detail in the outcome file it names.
     */
    static final int MAX_CAUSE_CHARS = 10_000;
    private final SfnClient sfn;
    private final SnsClient sns;
    private final String defaultTopicArn;
    private final String defaultEnvironment;
    private final String stackName;

    /**
     * @param defaultTopicArn    NOTIFICATION_TOPIC_ARN; when null, the execution input's {@code snsTopicArn}
     * @param defaultEnvironment FLYWHEEL_ENV, when the input names none
     */
    public FailureNotifier(SfnClient sfn, SnsClient sns, String defaultTopicArn, String defaultEnvironment) {
        this(sfn, sns, defaultTopicArn, defaultEnvironment, null);
    }

    /** @param stackName STACK_NAME, for the bin/flywheel command the message gives (null: the command without --stack)
    * */
    public FailureNotifier(SfnClient sfn, SnsClient sns, String defaultTopicArn, String defaultEnvironment,
            String stackName) {
        this.sfn = sfn;
        this.sns = sns;
        this.defaultTopicArn = defaultTopicArn;
        this.defaultEnvironment = defaultEnvironment;
        this.stackName = stackName;
    }

    /** arn:aws:states:REGION:… */
    private static String region(String arn) {
        String[] parts = arn.split(":");
        return parts.length > 3 ? parts[3] : "us-east-1";
    }

    /**
     * @param notified  true when a message was published
     * @param failedStep the top-level state the execution failed in (null when nothing was published)
     */
    public record Result(String executionArn, String status, boolean notified, String failedStep, String subject,
                         String topicArn, String messageId) {
    }

    public Result notify(ExecutionStatusChange event) {
        ExecutionStatusChange.Detail d = event.detail();
        if (d.status().equals("SUCCEEDED") && d.stateMachineName().endsWith("-db-refresh")) {
            return notifySuccess(d);
        }
        if (!ExecutionStatusChange.UNSUCCESSFUL.contains(d.status())) {
            LOG.info("execution did not fail; nothing to notify", "executionArn", d.executionArn(), "status",
                    d.status(),
                    "outcome", "IGNORED");
            return new Result(d.executionArn(), d.status(), false, null, null, null, null);
        }
        JsonNode definition = definition(d.stateMachineArn());
        List<HistoryEvent> history = history(d.executionArn());
        FailureReport report = FailureReport.of(definition, history, d.input(), d.error(), d.cause());
        String topic = topic(report.input());
        String subject = shadowPrefix(report.input()) + subject(d.stateMachineName(), report);
        String message = message(event, report);
        String messageId = publish(topic, subject, message);
        LOG.info("failure notified", "executionArn", d.executionArn(), "status", d.status(), "failedStep",
                report.failedStep(), "error", report.error(), "topicArn", topic, "outcome", "NOTIFIED");
        return new Result(d.executionArn(), d.status(), true, report.failedStep(), subject, topic, messageId);
    }

    /**
     * A refresh that succeeded: today's subject, and a table of its steps (Glue job run id, minutes)
     * and its report keys ({@link SuccessMessage}), from its output and history.
     */
    private Result notifySuccess(ExecutionStatusChange.Detail d) {
        List<HistoryEvent> history = history(d.executionArn());
        String outputText = d.output();
        String inputText = d.input();
        if (outputText == null || inputText == null) {
            // Over EventBridge's size the event carries neither: the execution still has them.
            try {
                var described = sfn.describeExecution(b -> b.executionArn(d.executionArn()));
                outputText = outputText == null ? described.output() : outputText;
                inputText = inputText == null ? described.input() : inputText;
            } catch (SdkException e) {
                throw AwsFaults.translate(e, "Step Functions DescribeExecution of " + d.executionArn());
            }
        }
        JsonNode input = FailureReport.parse(inputText);
        String topic = topic(input);
        String environment = input.path("environment").asText(defaultEnvironment != null ? defaultEnvironment
                : d.stateMachineName().replaceFirst("^omc-flywheel-([a-z0-9]+)-.*$", "$1"));
        String message = SuccessMessage.of(environment, FailureReport.parse(outputText), history, d.executionArn(),
                d.startDate() == null ? null : Instant.ofEpochMilli(d.startDate()),
                d.stopDate() == null ? null : Instant.ofEpochMilli(d.stopDate()));
        String subject = shadowPrefix(input) + "✅ Database Refresh Completed Successfully";
        String messageId = publish(topic, subject, message);
        LOG.info("success notified", "executionArn", d.executionArn(), "topicArn", topic, "outcome", "NOTIFIED");
        return new Result(d.executionArn(), d.status(), true, null, subject, topic, messageId);
    }

    /** NOTIFICATION_TOPIC_ARN, else the execution input's snsTopicArn. */
    private String topic(JsonNode input) {
        String topic = defaultTopicArn != null ? defaultTopicArn : input.path("snsTopicArn").asText(null);
        if (topic == null || topic.isBlank()) {
            throw new InvalidInputException("detail.input.snsTopicArn",
                    "no topic to notify: NOTIFICATION_TOPIC_ARN is not "
                    + "set and the execution input has no snsTopicArn");
        }
        return topic;
    }

    private String publish(String topic, String subject, String message) {
        try {
            return sns.publish(b -> b.topicArn(topic).subject(subject).message(message)).messageId();
        } catch (software.amazon.awssdk.services.sns.model.NotFoundException e) {
            throw new ResourceNotFoundException("the notification topic " + topic + " does not exist", e);
        } catch (SdkException e) {
            throw AwsFaults.translate(e, "SNS Publish to " + topic);
        }
    }

    private JsonNode definition(String stateMachineArn) {
        try {
            return JSON.readTree(sfn.describeStateMachine(b -> b.stateMachineArn(stateMachineArn)).definition());
        } catch (software.amazon.awssdk.services.sfn.model.StateMachineDoesNotExistException e) {
            throw new ResourceNotFoundException("state machine " + stateMachineArn + " does not exist", e);
        } catch (SdkException e) {
            throw AwsFaults.translate(e, "Step Functions DescribeStateMachine of " + stateMachineArn);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("the definition of " + stateMachineArn + " is not JSON", e);
        }
    }

    /** Every page of the history, asked newest first (the failure is on the first page), returned oldest first. */
    private List<HistoryEvent> history(String executionArn) {
        List<HistoryEvent> events = new ArrayList<>();
        try {
            for (GetExecutionHistoryResponse page : sfn.getExecutionHistoryPaginator(b -> b.executionArn(executionArn)
                    .reverseOrder(true).includeExecutionData(true).maxResults(1000))) {
                events.addAll(page.events());
            }
        } catch (ExecutionDoesNotExistException e) {
            throw new ResourceNotFoundException("execution " + executionArn + " does not exist", e);
        } catch (SdkException e) {
            throw AwsFaults.translate(e, "Step Functions GetExecutionHistory of " + executionArn);
        }
        events.sort((a, b) -> Long.compare(a.id(), b.id()));
        return Collections.unmodifiableList(events);
    }

    /** {@code [SHADOW] } before the subject of a shadow run's notice (its input has {@code shadow}), else nothing. */
    static String shadowPrefix(JsonNode input) {
        return input != null && input.has("shadow") ? "[SHADOW] " : "";
    }

    /** Today's subjects, one per state machine (docs/today.md: "❌ Database Refresh Failed"). */
    static String subject(String stateMachine, FailureReport report) {
        if (stateMachine.endsWith("-db-refresh")) {
            return "❌ Database Refresh Failed";
        }
        if (stateMachine.endsWith("-topic-orchestrator")) {
            return "Topic orchestrator failed";
        }
        if (stateMachine.endsWith("-historical-rebuilder")) {
            return RebuildStage.of(report).subject();
        }
        return "❌ " + stateMachine + " failed";
    }

    private String message(ExecutionStatusChange event, FailureReport report) {
        ExecutionStatusChange.Detail d = event.detail();
        String machine = d.stateMachineName();
        String environment = report.input().path("environment").asText(defaultEnvironment != null ? defaultEnvironment
                : machine.replaceFirst("^omc-flywheel-([a-z0-9]+)-.*$", "$1"));
        String what = machine.endsWith("-db-refresh") ? "Database refresh" : machine;
        String verb = switch (d.status()) {
            case "TIMED_OUT" -> "timed out";
            case "ABORTED" -> "was stopped (aborted)";
            default -> "failed";
        };
        StringBuilder m = new StringBuilder();
        m.append(what).append(' ').append(verb).append(" in ").append(environment)
                .append(report.failedStep() == null ? "" : " at step " + report.failedStep())
                .append(report.snapshotDt() == null ? "." : ", snapshot " + report.snapshotDt() + ".").append("\n\n");
        m.append("Failed step: ").append(report.failedStep() == null ? "(none entered)" : report.failedStep())
                .append(report.failedIn() == null || report.failedIn().equals(report.failedStep()) ? ""
                        : " (in " + report.failedIn() + ")").append('\n');
        m.append("Error: ").append(report.error()).append('\n');
        m.append("Cause: ").append(readableCause(report.cause())).append('\n');
        if (report.input().path("topic").isTextual()) {
            m.append("Topic: ").append(report.input().get("topic").asText()).append('\n');
        }
        m.append("Execution: ").append(d.executionArn()).append('\n');
        m.append("Snapshot: ").append(report.snapshotDt() == null ? "(not resolved yet)" : report.snapshotDt())
                .append("\n\n");
        m.append("Finished before the failure:\n");
        if (report.finished().isEmpty()) {
            m.append("  (nothing)\n");
        }
        for (Map.Entry<String, String> f : report.finished().entrySet()) {
            m.append("  ").append(f.getKey()).append(": ").append(f.getValue()).append('\n');
        }
        if (machine.endsWith("-historical-rebuilder")) {
            RebuildStage stage = RebuildStage.of(report);
            m.append('\n').append(stage.explanation()).append('\n');
            if (stage == RebuildStage.NOT_STARTED) {
                m.append("\nFix what the Cause says (a rebuild of the topic still running: wait until it ends), then "
                        + "start the rebuild again:\n\n  aws stepfunctions start-execution --state-machine-arn ")
                        .append(d.stateMachineArn()).append(" --input file://rebuild-input.json\n\nwith "
                        + "rebuild-input.json, this execution's input with what the Cause names fixed:\n\n")
                        .append(pretty(report.input())).append('\n');
                return bounded(m);
            }
        }
        if (report.error() != null && report.error().endsWith("ConcurrentRefreshException")) {
            m.append("\nThis execution did nothing: another refresh of this lake was running (see Cause), and it "
                    + "continues. Nothing to resume.\n");
            return m.toString();
        }
        String until = d.stopDate() == null ? "" : " (possible until " + Instant.ofEpochMilli(d.stopDate())
                .plus(REDRIVABLE_DAYS, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS) + ")";
        m.append("\nFix the cause, then resume");
        if (machine.endsWith("-db-refresh")) {
            m.append(" (bin/flywheel redrives when a redrive restarts the failed work, else starts a new execution "
                    + "that "
                    + "skips what finished, on the same snapshot):\n\n  bin/flywheel refresh resume ")
                            .append(d.executionArn())
                    .append(stackName == null ? "" : " --stack " + stackName).append(" --region ")
                            .append(region(d.executionArn()))
                    .append("\n\nWithout bin/flywheel");
        }
        m.append(":\n");
        if (report.redriveResumes()) {
            m.append("\nRedrive this execution: it restarts at ")
                    .append(report.failedStep() == null ? "the failed step" : report.failedStep())
                    .append(" with the same input, and does not rerun the steps that finished").append(until)
                    .append(":\n\n  aws stepfunctions redrive-execution --execution-arn ").append(d.executionArn())
                            .append("\n\nOr ");
        } else {
            m.append("\nDo not redrive: it failed in the Fail state ").append(String.join(", ", report.failStates()))
                    .append(", where a redrive restarts and fails again at once. ");
        }
        String input = pretty(report.resumeInput());
        m.append(report.redriveResumes() ? "start" : "Start").append(" a new execution").append(report.skip().isEmpty()
                        ? " with the same input" : " that skips what finished (\"skip\": " + report.skip().keySet()
                                + ")")
                .append(report.snapshotDt() != null && report.input().has("rawInputPrefixes") ? " on the same snapshot"
                        : "")
                .append(report.redriveResumes() ? " (after 14 days, or after the definition changed)" : "")
                .append(":\n\n  aws stepfunctions start-execution --state-machine-arn ").append(d.stateMachineArn())
                .append(" --input file://resume-input.json\n\nwith resume-input.json:\n\n").append(input).append('\n');
        return bounded(m);
    }

    private static String bounded(StringBuilder m) {
        return m.length() > MAX_MESSAGE_CHARS ? m.substring(0, MAX_MESSAGE_CHARS) + "\n…(cut)" : m.toString();
    }

    private static String pretty(JsonNode json) {
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(json);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The Cause a person reads: a Lambda task's Cause is the function's error as JSON ({@code errorMessage},
     * {@code errorType}, on AWS also {@code stackTrace}), of which the message is what says what failed (the
     * Error line has the type); at most {@link #MAX_CAUSE_CHARS}. A multi-table step's message already groups
     * its tables by error ({@code FailureGroups}).
     */
    static String readableCause(String cause) {
        if (cause == null) {
            return "(none)";
        }
        String text = cause;
        if (cause.startsWith("{")) {
            JsonNode error = FailureReport.parse(cause);
            if (error.path("errorMessage").isTextual()) {
                text = error.get("errorMessage").asText();
            }
        }
        return text.length() <= MAX_CAUSE_CHARS ? text : text.substring(0, MAX_CAUSE_CHARS)
                + "…(cut: the whole Cause is in the execution's history)";
    }
}
