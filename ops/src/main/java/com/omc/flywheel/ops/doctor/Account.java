package com.omc.flywheel.ops.doctor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.omc.flywheel.ops.Connection;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.FutureTask;
import java.util.function.Supplier;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.awscore.client.builder.AwsSyncClientBuilder;
import software.amazon.awssdk.core.SdkClient;
import software.amazon.awssdk.services.cloudformation.CloudFormationClient;
import software.amazon.awssdk.services.cloudformation.model.Parameter;
import software.amazon.awssdk.services.cloudformation.model.Stack;
import software.amazon.awssdk.services.cloudformation.model.StackResourceSummary;
import software.amazon.awssdk.services.glue.GlueClient;
import software.amazon.awssdk.services.glue.model.Table;
import software.amazon.awssdk.services.scheduler.SchedulerClient;
import software.amazon.awssdk.services.scheduler.model.GetScheduleResponse;

/**
 * What doctor looks at: the stack (its parameters, outputs and resources, read once), the input
 * its schedules send, and a client per service, made on first use and closed at the end.
 */
final class Account implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Connection connection;
    private final String stackName;
    private final Map<Class<?>, SdkClient> clients = new LinkedHashMap<>();
    private final Map<String, String> parameters = new LinkedHashMap<>();
    private final Map<String, String> outputs = new LinkedHashMap<>();
    private final List<StackResourceSummary> resources = new ArrayList<>();
    private final Map<String, FutureTask<Object>> once = new ConcurrentHashMap<>();
    private String stackStatus;
    private String stackId;

    Account(Connection connection, String stackName) {
        this.connection = connection;
        this.stackName = stackName;
    }

    /** Reads the stack: its status, parameters, outputs and resources. */
    void load() {
        CloudFormationClient cfn = client(CloudFormationClient.class, CloudFormationClient::builder);
        Stack stack = cfn.describeStacks(b -> b.stackName(stackName)).stacks().get(0);
        stackStatus = stack.stackStatusAsString();
        stackId = stack.stackId();
        for (Parameter p : stack.parameters()) {
            parameters.put(p.parameterKey(), p.resolvedValue() != null ? p.resolvedValue() : p.parameterValue());
        }
        stack.outputs().forEach(o -> outputs.put(o.outputKey(), o.outputValue()));
        cfn.listStackResourcesPaginator(b -> b.stackName(stackName)).stackResourceSummaries()
                .forEach(resources::add);
    }

    String stackName() {
        return stackName;
    }

    String stackStatus() {
        return stackStatus;
    }

    boolean local() {
        return connection.endpoint() != null;
    }

    String region() {
        return connection.resolvedRegion().id();
    }

    /** A parameter's value ("" when the stack has no such parameter). */
    String parameter(String key) {
        return parameters.getOrDefault(key, "");
    }

    /** The stack's parameters as deployed (a template parameter the stack does not list is absent). */
    Map<String, String> parameters() {
        return Map.copyOf(parameters);
    }

    /** An output's value, or null. */
    String output(String key) {
        return outputs.get(key);
    }

    /** The stack's id: {@code arn:PARTITION:cloudformation:REGION:ACCOUNT:stack/NAME/UUID}. */
    String stackId() {
        return stackId;
    }

    /** The stack's partition ({@code aws}, {@code aws-cn}, …), from its id. */
    String partition() {
        return stackId.split(":")[1];
    }

    /** The stack's account, from its id. */
    String accountId() {
        return stackId.split(":")[4];
    }

    /** Every resource of the stack that has a physical id, by logical id. */
    Map<String, StackResourceSummary> allResources() {
        Map<String, StackResourceSummary> out = new LinkedHashMap<>();
        resources.stream().filter(r -> r.physicalResourceId() != null).forEach(r -> out.put(r.logicalResourceId(), r));
        return out;
    }

    /** The physical ids of the stack's resources of one type, by logical id. */
    Map<String, String> resources(String type) {
        Map<String, String> out = new LinkedHashMap<>();
        for (StackResourceSummary r : resources) {
            if (type.equals(r.resourceType()) && r.physicalResourceId() != null) {
                out.put(r.logicalResourceId(), r.physicalResourceId());
            }
        }
        return out;
    }

    /** The schedule an output names (arn:…:schedule/GROUP/NAME), or null when it does not exist. */
    GetScheduleResponse schedule(String outputKey) {
        String arn = output(outputKey);
        if (arn == null) {
            return null;
        }
        return once("schedule " + arn, () -> {
            String[] parts = arn.substring(arn.indexOf(":schedule/") + ":schedule/".length()).split("/");
            try {
                return client(SchedulerClient.class, SchedulerClient::builder)
                        .getSchedule(b -> b.groupName(parts[0]).name(parts[1]));
            } catch (software.amazon.awssdk.services.scheduler.model.ResourceNotFoundException e) {
                return null;
            }
        });
    }

    /** The input a schedule sends its state machine ({@code MissingNode} when there is none). */
    JsonNode scheduleInput(String outputKey) {
        GetScheduleResponse s = schedule(outputKey);
        if (s == null || s.target() == null || s.target().input() == null) {
            return MissingNode.getInstance();
        }
        try {
            return JSON.readTree(s.target().input());
        } catch (IOException e) {
            return MissingNode.getInstance();
        }
    }

    /** The db-refresh input the monthly schedule sends: what the refresh uses. */
    JsonNode refreshInput() {
        return scheduleInput("MonthlyScheduleArn");
    }

    /**
     * What {@code read} answers, read once per doctor run (a listing two checks need). The checks run
     * in several threads ({@link Doctor#examine}): the first to ask reads, the others wait for its answer.
     */
    @SuppressWarnings("unchecked")
    <T> T once(String key, Supplier<T> read) {
        FutureTask<Object> mine = new FutureTask<>(read::get);
        FutureTask<Object> first = once.putIfAbsent(key, mine);
        if (first == null) {
            mine.run();
            first = mine;
        }
        return (T) Doctor.result(first, key);
    }

    /** The Glue tables of a database, every page, read once. */
    List<Table> tables(String database) {
        return once("tables " + database, () -> client(GlueClient.class, GlueClient::builder).getTablesPaginator(b -> b
                        .databaseName(database)).stream().flatMap(r -> r.tableList().stream()).toList());
    }

    @SuppressWarnings("unchecked")
    synchronized <C extends SdkClient, B extends AwsClientBuilder<B, C> & AwsSyncClientBuilder<B, C>> C client(
            Class<C> type, Supplier<B> builder) {
        return (C) clients.computeIfAbsent(type, t -> connection.client(builder.get()));
    }

    @Override
    public synchronized void close() {
        clients.values().forEach(SdkClient::close);
    }
}
