package com.omc.flywheel.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Collectors;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.awscore.client.builder.AwsSyncClientBuilder;
import software.amazon.awssdk.services.cloudformation.CloudFormationClient;
import software.amazon.awssdk.services.cloudformation.model.CloudFormationException;
import software.amazon.awssdk.services.cloudformation.model.Output;
import software.amazon.awssdk.services.scheduler.SchedulerClient;
import software.amazon.awssdk.services.scheduler.model.GetScheduleResponse;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.StateMachineListItem;

/**
 * What {@code bin/flywheel refresh} works on: the db-refresh state machine and the monthly
 * schedule of a deployed stack (its outputs {@code DbRefreshStateMachineArn} and
 * {@code MonthlyScheduleArn}), or, at a local endpoint without {@code --stack}, those named as
 * template.yaml names them ({@code omc-flywheel-<env>-db-refresh}, {@code …-db-refresh-monthly}).
 * Each is looked up once, on first use.
 */
final class StackTarget implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final RefreshCommand.Options options;
    private final SfnClient sfn;
    private final CloudFormationClient cloudFormation;
    private final SchedulerClient scheduler;
    private Map<String, String> outputs;
    private String stateMachineArn;
    private JsonNode definition;

    private StackTarget(RefreshCommand.Options options, SfnClient sfn, CloudFormationClient cloudFormation,
                        SchedulerClient scheduler) {
        this.options = options;
        this.sfn = sfn;
        this.cloudFormation = cloudFormation;
        this.scheduler = scheduler;
    }

    static StackTarget open(RefreshCommand.Options options) {
        return new StackTarget(options, configure(SfnClient.builder(), options),
                configure(CloudFormationClient.builder(), options),
                configure(SchedulerClient.builder(), options));
    }

    private static <C, B extends AwsClientBuilder<B, C> & AwsSyncClientBuilder<B, C>>
            C configure(B builder, RefreshCommand.Options options) {
        try {
            return new Connection(options.profile(), options.region(), options.endpoint()).client(builder);
        } catch (Connection.NoRegionException e) {
            throw new RefreshCommand.UsageException(e.getMessage());
        }
    }

    SfnClient sfn() {
        return sfn;
    }

    /** Polls every 10 s against AWS (an hour-long step needs no more), every second locally. */
    Duration pollInterval() {
        return options.endpoint() != null ? Duration.ofSeconds(1) : Duration.ofSeconds(10);
    }

    String stateMachineArn() {
        if (stateMachineArn == null) {
            if (options.stack() != null) {
                stateMachineArn = output("DbRefreshStateMachineArn");
            } else {
                String name = "omc-flywheel-" + options.environment() + "-db-refresh";
                stateMachineArn = sfn.listStateMachinesPaginator(b -> { }).stateMachines().stream()
                        .filter(m -> m.name().equals(name)).map(StateMachineListItem::stateMachineArn).findFirst()
                        .orElseThrow(() -> new RefreshCommand.RefusedException("no state machine " + name + " at "
                                + options.endpoint() + " (bin/flywheel local-run --keep-running creates it)"));
            }
        }
        return stateMachineArn;
    }

    /** An execution's ARN, from its ARN or its name; an ARN of another state machine is refused. */
    String executionArn(String arnOrName) {
        String prefix = stateMachineArn().replace(":stateMachine:", ":execution:") + ":";
        if (arnOrName.startsWith("arn:")) {
            if (!arnOrName.startsWith(prefix)) {
                throw new RefreshCommand.UsageException(arnOrName + " is not an execution of " + stateMachineArn());
            }
            return arnOrName;
        }
        return prefix + arnOrName;
    }

    /** The state machine's definition as deployed now (what a new execution runs). */
    JsonNode definition() {
        if (definition == null) {
            try {
                definition = JSON.readTree(sfn.describeStateMachine(b -> b.stateMachineArn(stateMachineArn()))
                        .definition());
            } catch (IOException e) {
                throw new IllegalStateException("the definition of " + stateMachineArn() + " is not JSON", e);
            }
        }
        return definition;
    }

    /**
     * The definition an execution ran with (DescribeStateMachineForExecution: after a redeploy it
     * differs from the current one). An endpoint without that call (moto) answers 500: the current one.
     */
    JsonNode definitionOf(String executionArn) {
        try {
            return JSON.readTree(sfn.describeStateMachineForExecution(b -> b.executionArn(executionArn)).definition());
        } catch (software.amazon.awssdk.awscore.exception.AwsServiceException e) {
            if (options.endpoint() != null && e.statusCode() >= 500) {
                return definition();
            }
            throw e;
        } catch (IOException e) {
            throw new IllegalStateException("the definition of " + executionArn + " is not JSON", e);
        }
    }

    /** A fresh copy of the input the monthly schedule sends the state machine. */
    ObjectNode scheduleInput() {
        String name;
        String group = "default";
        if (options.stack() != null) {
            // arn:aws:scheduler:<region>:<account>:schedule/<group>/<name>
            String arn = output("MonthlyScheduleArn");
            String[] parts = arn.substring(arn.indexOf(":schedule/") + ":schedule/".length()).split("/");
            if (parts.length != 2) {
                throw new RefreshCommand.RefusedException("output MonthlyScheduleArn is not a schedule ARN: " + arn);
            }
            group = parts[0];
            name = parts[1];
        } else {
            name = "omc-flywheel-" + options.environment() + "-db-refresh-monthly";
        }
        String g = group;
        GetScheduleResponse schedule;
        try {
            schedule = scheduler.getSchedule(b -> b.name(name).groupName(g));
        } catch (software.amazon.awssdk.services.scheduler.model.ResourceNotFoundException e) {
            throw new RefreshCommand.RefusedException("the monthly schedule " + g + "/" + name + " does not exist"
                    + (options.stack() == null ? " at " + options.endpoint() : ""));
        }
        if (schedule.target() == null || schedule.target().input() == null
                || !schedule.target().arn().equals(stateMachineArn())) {
            throw new RefreshCommand.RefusedException("the schedule " + g + "/" + name + " does not start "
                    + stateMachineArn()
                    + " with an input (its target: " + (schedule.target() == null ? "none" : schedule.target().arn())
                            + ")");
        }
        try {
            JsonNode input = JSON.readTree(schedule.target().input());
            if (!input.isObject()) {
                throw new RefreshCommand.RefusedException("the schedule's input is not a JSON object");
            }
            return (ObjectNode) input;
        } catch (IOException e) {
            throw new RefreshCommand.RefusedException("the schedule's input is not JSON: " + e.getMessage());
        }
    }

    private String output(String key) {
        if (outputs == null) {
            try {
                outputs = cloudFormation.describeStacks(b -> b.stackName(options.stack())).stacks().get(0).outputs()
                        .stream()
                        .collect(Collectors.toMap(Output::outputKey, Output::outputValue, (a, b) -> a));
            } catch (CloudFormationException e) {
                if (e.awsErrorDetails() != null && "ValidationError".equals(e.awsErrorDetails().errorCode())) {
                    throw new RefreshCommand.RefusedException("stack " + options.stack() + " does not exist"
                            + (options.region() == null ? "" : " in " + options.region()) + ": "
                                    + e.awsErrorDetails().errorMessage());
                }
                throw e;
            }
        }
        String value = outputs.get(key);
        if (value == null) {
            throw new RefreshCommand.RefusedException("stack " + options.stack() + " has no output " + key
                    + ": is it this project's stack (sam deploy of template.yaml)?");
        }
        return value;
    }

    @Override
    public void close() {
        sfn.close();
        cloudFormation.close();
        scheduler.close();
    }
}
