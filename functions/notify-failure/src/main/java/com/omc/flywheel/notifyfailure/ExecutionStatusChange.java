package com.omc.flywheel.notifyfailure;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.omc.flywheel.shared.Fields;
import com.omc.flywheel.shared.Identifiers;
import com.omc.flywheel.shared.errors.InvalidInputException;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The EventBridge event "Step Functions Execution Status Change" (source {@code aws.states}), as
 * EventBridge delivers it to a Lambda target: the envelope ({@code version}, {@code id},
 * {@code detail-type}, {@code source}, {@code account}, {@code time}, {@code region},
 * {@code resources}) is read strictly; {@code detail} keeps the fields this function reads and
 * ignores the others, because AWS adds fields to it (redriveCount, redriveStatus, ... came later)
 * and a notice of a failure must never be lost to a new field.
 *
 * @param resources the execution ARN, as EventBridge lists it
 */
public record ExecutionStatusChange(String version, String id, @JsonProperty("detail-type") String detailType,
                                    String source, String account, String time, String region, List<String> resources,
                                    Detail detail) {
    public static final String DETAIL_TYPE = "Step Functions Execution Status Change";
    public static final String SOURCE = "aws.states";
    /** The statuses that end an execution without success: the ones this function reports. */
    public static final Set<String> UNSUCCESSFUL = Set.of("FAILED", "TIMED_OUT", "ABORTED");
    static final Set<String> STATUSES = Set.of("RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED",
            "PENDING_REDRIVE");
    static final Pattern EXECUTION_ARN = Pattern.compile(
            "^arn:aws[a-z-]*:states:[a-z0-9-]+:[0-9]{12}:execution:[A-Za-z0-9_-]{1,80}:[A-Za-z0-9_.-]{1,80}$");
    static final Pattern STATE_MACHINE_ARN = Pattern.compile(
            "^arn:aws[a-z-]*:states:[a-z0-9-]+:[0-9]{12}:stateMachine:[A-Za-z0-9_-]{1,80}$");

    /**
     * The execution's part of the event.
     *
     * @param input  the execution's input as a JSON string (absent when over EventBridge's size; then
     *               the history's ExecutionStarted event has it)
     * @param error  the error the execution failed with (FAILED), else null
     * @param cause  its cause, else null
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Detail(String executionArn, String stateMachineArn, String name, String status, Long startDate,
                         Long stopDate, String input, String output, String error, String cause) {
        public Detail {
            Fields.required("detail.executionArn", executionArn);
            if (!EXECUTION_ARN.matcher(executionArn).matches()) {
                throw new InvalidInputException("detail.executionArn", "must be a Step Functions execution ARN "
                        + "(arn:aws:states:REGION:ACCOUNT:execution:STATE_MACHINE:NAME), got '" + executionArn + "'");
            }
            Fields.required("detail.stateMachineArn", stateMachineArn);
            if (!STATE_MACHINE_ARN.matcher(stateMachineArn).matches()) {
                throw new InvalidInputException("detail.stateMachineArn", "must be a state machine ARN "
                        + "(arn:aws:states:REGION:ACCOUNT:stateMachine:NAME), got '" + stateMachineArn + "'");
            }
            String machine = stateMachineArn.substring(stateMachineArn.lastIndexOf(':') + 1);
            if (!executionArn.contains(":execution:" + machine + ":")) {
                throw new InvalidInputException("detail.executionArn", "is not an execution of " + stateMachineArn);
            }
            Fields.required("detail.status", status);
            if (!STATUSES.contains(status)) {
                throw new InvalidInputException("detail.status", "must be one of " + new java.util.TreeSet<>(STATUSES)
                        + ", got '" + status + "'");
            }
        }

        /** The state machine's name: the part after {@code :stateMachine:}. */
        public String stateMachineName() {
            return stateMachineArn.substring(stateMachineArn.lastIndexOf(':') + 1);
        }
    }

    public ExecutionStatusChange {
        Fields.required("version", version);
        Fields.required("id", id);
        if (!DETAIL_TYPE.equals(detailType)) {
            throw new InvalidInputException("detail-type", "must be '" + DETAIL_TYPE
                    + "' (the rule's pattern sends only "
                    + "that), got '" + detailType + "'");
        }
        if (!SOURCE.equals(source)) {
            throw new InvalidInputException("source", "must be '" + SOURCE + "', got '" + source + "'");
        }
        Identifiers.accountId("account", account);
        Fields.required("time", time);
        Fields.required("region", region);
        resources = resources == null ? List.of() : List.copyOf(resources);
        Fields.required("detail", detail);
        if (!detail.executionArn().split(":")[4].equals(account)) {
            throw new InvalidInputException("detail.executionArn", "belongs to another account than the event's "
                    + account);
        }
    }
}
