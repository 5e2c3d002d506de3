package com.omc.flywheel.local.sfn;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.omc.flywheel.local.LocalCloud;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import software.amazon.awssdk.services.sfn.model.DescribeExecutionResponse;

/**
 * What EventBridge does on AWS and moto does not: when an execution ends FAILED, TIMED_OUT or
 * ABORTED (or a db-refresh execution SUCCEEDED: the success message), the event "Step Functions Execution Status
 * Change" (source {@code aws.states}, in its
 * documented shape) goes to the rule's target, the {@code notify-failure} function
 * ({@code omc-flywheel-<env>-notify-failure}, as template.yaml's NotifyFailureFunction rule does).
 * It is invoked through the local cloud's Lambda endpoint, so the function runs from its deployment
 * package and its calls (GetExecutionHistory, DescribeStateMachine, SNS Publish) go through the local
 * IAM check as its own role. EventBridge invokes asynchronously; here the invocation is waited on, so
 * the notification exists when the caller looks.
 */
public final class ExecutionEvents {
    public static final String DETAIL_TYPE = "Step Functions Execution Status Change";
    /** The statuses template.yaml's rule matches. */
    public static final Set<String> UNSUCCESSFUL = Set.of("FAILED", "TIMED_OUT", "ABORTED");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss'Z'")
            .withZone(ZoneOffset.UTC);

    /**
     * One delivery: the function invoked, and its answer.
     *
     * @param functionError Lambda's {@code X-Amz-Function-Error} (null when the function returned)
     */
    public record Delivery(String function, String event, int httpStatus, String functionError, String response) {
        public boolean ok() {
            return httpStatus == 200 && functionError == null;
        }
    }

    private ExecutionEvents() {
    }

    /** The event EventBridge sends for this execution's end (documented shape, AWS's field names). */
    public static String event(DescribeExecutionResponse execution) {
        String[] arn = execution.executionArn().split(":");
        ObjectNode e = JSON.createObjectNode();
        e.put("version", "0");
        e.put("id", UUID.randomUUID().toString());
        e.put("detail-type", DETAIL_TYPE);
        e.put("source", "aws.states");
        e.put("account", arn[4]);
        e.put("time", TIME.format(execution.stopDate() != null ? execution.stopDate() : Instant.now()));
        e.put("region", arn[3]);
        e.putArray("resources").add(execution.executionArn());
        ObjectNode d = e.putObject("detail");
        d.put("executionArn", execution.executionArn());
        d.put("stateMachineArn", execution.stateMachineArn());
        d.put("name", execution.name());
        d.put("status", execution.statusAsString());
        d.put("startDate", execution.startDate() == null ? null : execution.startDate().toEpochMilli());
        d.put("stopDate", execution.stopDate() == null ? null : execution.stopDate().toEpochMilli());
        d.put("input", execution.input());
        d.putObject("inputDetails").put("included", execution.input() != null);
        d.put("output", execution.output());
        if (execution.output() == null) {
            d.putNull("outputDetails");
        } else {
            d.putObject("outputDetails").put("included", true);
        }
        d.put("error", execution.error());
        d.put("cause", execution.cause());
        d.put("redriveCount", execution.redriveCount() == null ? 0 : execution.redriveCount());
        // What AWS says of an ended execution: a successful one cannot be redriven.
        d.put("redriveStatus", execution.status() == software.amazon.awssdk.services.sfn.model.ExecutionStatus.SUCCEEDED
                ? "NOT_REDRIVABLE" : "REDRIVABLE");
        return e.toString();
    }

    /**
     * Delivers the event of an execution that ended unsuccessfully, or of a db-refresh execution that
     * succeeded, to the notify-failure function of the state machine's environment (template.yaml's
     * two rules); nothing for a running one or another machine's success.
     */
    public static Optional<Delivery> deliver(LocalCloud cloud, DescribeExecutionResponse execution) {
        String machine = execution.stateMachineArn().substring(execution.stateMachineArn().lastIndexOf(':') + 1);
        boolean refreshSucceeded = execution.statusAsString().equals("SUCCEEDED") && machine.endsWith("-db-refresh");
        if (!UNSUCCESSFUL.contains(execution.statusAsString()) && !refreshSucceeded) {
            return Optional.empty();
        }
        String env = machine.replaceFirst("^omc-flywheel-([a-z0-9]+)-.*$", "$1");
        String function = "omc-flywheel-" + env + "-notify-failure";
        String event = event(execution);
        String region = execution.executionArn().split(":")[3];
        HttpRequest request = HttpRequest.newBuilder(URI.create(cloud.endpoint() + "/2015-03-31/functions/" + function
                        + "/invocations"))
                .timeout(Duration.ofSeconds(900))
                // EventBridge's service principal, not a role of the stack: the local IAM check leaves it unchecked,
                // and the proxy counts it as a lambda call.
                .header("Authorization", "AWS4-HMAC-SHA256 Credential=events/"
                        + TIME.format(Instant.now()).substring(0, 10)
                        .replace("-", "") + "/" + region + "/lambda/aws4_request, SignedHeaders=host, Signature=local")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(event, StandardCharsets.UTF_8))
                .build();
        try {
            HttpResponse<String> answer = HttpClient.newHttpClient().send(request,
                    HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            return Optional.of(new Delivery(function, event, answer.statusCode(),
                    answer.headers().firstValue("X-Amz-Function-Error").orElse(null), answer.body()));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("could not invoke " + function + " at " + cloud.endpoint(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while " + function + " ran", e);
        }
    }
}
