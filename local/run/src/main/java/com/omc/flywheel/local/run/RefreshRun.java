package com.omc.flywheel.local.run;

import static com.omc.flywheel.local.run.SampleWorld.ENV;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.omc.flywheel.local.LocalCloud;
import com.omc.flywheel.local.sfn.ExecutionEvents;
import com.omc.flywheel.ops.ExecutionFollower;
import com.omc.flywheel.ops.RefreshCommand;
import com.omc.flywheel.shared.AwsClients;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.scheduler.SchedulerClient;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.DescribeExecutionResponse;
import software.amazon.awssdk.services.sfn.model.ExecutionListItem;
import software.amazon.awssdk.services.sfn.model.HistoryEvent;

/**
 * db-refresh on the local cloud: the state machine as SAM deploys it (and its monthly schedule),
 * an execution followed step by step, and the resume of a failed one through the operator console.
 */
final class RefreshRun {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final RunOptions options;
    private final LocalCloud cloud;
    private final Progress progress;
    private List<String> topLevelStates = List.of();

    RefreshRun(RunOptions options, LocalCloud cloud, Progress progress) {
        this.options = options;
        this.cloud = cloud;
        this.progress = progress;
    }

    /**
     * The execution's input: events/db-refresh.json (the schedule's input) with 1 s repair waits, the
     * run's bucket count, the count check on, the lake's ID namespace, and --snapshot-dt (one month).
     */
    String input() {
        try {
            ObjectNode in = (ObjectNode) JSON.readTree(Files.readString(options.repo()
                    .resolve("events/db-refresh.json")));
            ((ObjectNode) in.get("limits")).put("repairWaitSeconds", 1);
            ((ObjectNode) in.get("reports").get("dataMonitor")).put("bucketCount", options.buckets())
                    .put("countCheckEnabled", true);
            // As the schedule's input with IdNamespaceArn set (template.yaml): the namespace made in the lake above.
            ((ObjectNode) in.get("associate")).put("idNamespaceArn",
                    "arn:aws:entityresolution:us-east-1:123456789012:idnamespace/ACXIdNamespace");
            if (options.snapshotDt() != null && options.months() == 1) {
                // With --months, each month's refresh resolves its own new snapshot.
                in.put("snapshotDt", options.snapshotDt());
            }
            return JSON.writeValueAsString(in);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read events/db-refresh.json", e);
        }
    }

    /** The names of a definition's top-level states, in order. */
    static List<String> topLevelStates(String definition) {
        try {
            List<String> names = new ArrayList<>();
            JSON.readTree(definition).path("States").fieldNames().forEachRemaining(names::add);
            return names;
        } catch (IOException e) {
            throw new IllegalStateException("the definition is not JSON", e);
        }
    }

    /** db-refresh as SAM deploys it, and its monthly schedule (what bin/flywheel refresh start reads). */
    String createStateMachine(String input) {
        SfnClient sfn = AwsClients.build(SfnClient.builder());
        String definition;
        try {
            definition = Files.readString(options.repo().resolve("statemachine/db-refresh.asl.json"));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        for (String fn : options.handlers().keySet()) {
            String logical = Arrays.stream(fn.split("-"))
                    .map(w -> Character.toUpperCase(w.charAt(0)) + w.substring(1))
                    .reduce("", String::concat) + "Function";
            definition = definition.replace("${" + logical + "Arn}",
                    "arn:aws:lambda:us-east-1:123456789012:function:omc-flywheel-"
                    + ENV + "-" + fn + ":live");
        }
        // Speed only, never logic: retry intervals of 1 s (the jobs here take seconds, not hours).
        definition = definition.replaceAll("\"IntervalSeconds\": [0-9]+", "\"IntervalSeconds\": 1");
        String def = definition;
        topLevelStates = topLevelStates(def);
        String arn = sfn.createStateMachine(b -> b.name("omc-flywheel-" + ENV + "-db-refresh").definition(def)
                .roleArn("arn:aws:iam::123456789012:role/omc-flywheel-dev-db-refresh")).stateMachineArn();
        try (SchedulerClient scheduler = AwsClients.build(SchedulerClient.builder())) {
            scheduler.createSchedule(b -> b.name("omc-flywheel-" + ENV + "-db-refresh-monthly")
                    .scheduleExpression("cron(0 2 1 * ? *)")
                    .state("ENABLED").flexibleTimeWindow(w -> w.mode("OFF"))
                    .target(t -> t.arn(arn).roleArn("arn:aws:iam::123456789012:role/omc-flywheel-dev-scheduler")
                            .input(input)));
        }
        return arn;
    }

    /**
     * How often the run's progress is read: each read is a whole GetExecutionHistory, which moto builds
     * from every event again (about 60 ms of its CPU for a refresh's 200 events); the step times come
     * from the events' own timestamps, so a slower poll prints the same times, a moment later.
     */
    static final Duration POLL = Duration.ofSeconds(1);

    /**
     * Starts an execution and follows it to its end (printing each step as it starts and ends, within
     * 15 minutes of local-run's start), then delivers its status change event as EventBridge would.
     */
    RefreshExecution execute(String stateMachine, String input) {
        SfnClient sfn = AwsClients.build(SfnClient.builder());
        String execution = sfn.startExecution(b -> b.stateMachineArn(stateMachine)
                .name("local-run-" + System.currentTimeMillis())
                .input(input)).executionArn();
        progress.say("db-refresh started: " + execution);
        ExecutionFollower.Followed f = ExecutionFollower.follow(sfn, execution, progress::say, POLL,
                Duration.ofMinutes(15).minus(progress.elapsed()));
        DescribeExecutionResponse d = f.execution();
        List<HistoryEvent> history = f.history();
        Map<String, Duration> times = f.stepTimes();
        // EventBridge's part on AWS: an unsuccessful end goes to notify-failure, which publishes the notification.
        ExecutionEvents.deliver(cloud, d).ifPresent(delivery -> progress.say(delivery.ok()
                ? "execution " + delivery.event().length() + "-byte status change event -> " + delivery.function()
                        + ": "
                        + delivery.response()
                : "!! " + delivery.function() + " failed: " + delivery.response()));
        return new RefreshExecution(d, List.copyOf(history), times, topLevelStates);
    }

    /**
     * The operator's part once the cause is fixed: {@code bin/flywheel refresh resume EXECUTION
     * --endpoint <local endpoint> --follow}, in this process. Returns the executions that resumed the
     * work, those of the state machine not in {@code known} (a redrive continues the same one; here
     * moto has no redrive, so a new execution that skips what finished).
     */
    List<RefreshExecution> resume(String stateMachine, RefreshExecution failed, Collection<String> known) {
        String arn = failed.execution().executionArn();
        progress.say("the cause is fixed (--fail-step's failure removed); resuming as an operator would:");
        progress.say("$ bin/flywheel refresh resume " + arn + " --endpoint " + cloud.endpoint() + " --follow");
        int code = RefreshCommand.run(new String[] {"resume", arn, "--endpoint", cloud.endpoint(), "--follow"},
                progress.out(), progress.out());
        progress.say("refresh resume exited " + code);
        SfnClient sfn = AwsClients.build(SfnClient.builder());
        List<RefreshExecution> resumed = new ArrayList<>();
        List<ExecutionListItem> all = new ArrayList<>(sfn.listExecutionsPaginator(
                b -> b.stateMachineArn(stateMachine)).executions().stream().toList());
        all.sort(Comparator.comparing(ExecutionListItem::startDate));
        for (ExecutionListItem e : all) {
            if (e.executionArn().equals(arn) || known.contains(e.executionArn())) {
                continue;
            }
            DescribeExecutionResponse d = sfn.describeExecution(b -> b.executionArn(e.executionArn()));
            List<HistoryEvent> history = new ArrayList<>();
            sfn.getExecutionHistoryPaginator(b -> b.executionArn(e.executionArn())).events().forEach(history::add);
            ExecutionEvents.deliver(cloud, d).ifPresent(delivery ->
                    progress.say(delivery.function() + ": " + delivery.response()));
            resumed.add(new RefreshExecution(d, List.copyOf(history), Map.of(), topLevelStates));
        }
        if (resumed.isEmpty()) {
            progress.say("!! no execution resumed the run");
        }
        return resumed;
    }
}
