package com.omc.flywheel.fetchactivetopics;

import com.amazonaws.services.lambda.runtime.Context;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.omc.flywheel.shared.AwsClients;
import com.omc.flywheel.shared.Fields;
import com.omc.flywheel.shared.Identifiers;
import com.omc.flywheel.shared.JsonHandler;
import com.omc.flywheel.shared.Priming;
import com.omc.flywheel.shared.Settings;
import com.omc.flywheel.shared.errors.InvalidInputException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sfn.SfnClient;

/**
 * fetch-active-topics (docs/functions.md), the topic registry's function (seed 003's protocol), in one of
 * three modes:
 * <ul>
 *   <li>{@code FETCH} (default): the topics whose {@code flow_control_flag} is {@code ENABLED} and
 *       whose {@code is_active} is true (BOOL, or the string "true" of older writers), sorted
 *       ({@link ActiveTopics}): the orchestrator's first step;</li>
 *   <li>{@code RECORD_RUN}: the orchestrator's last step: failed topics counted (the
 *       {@code TopicsFailed} metric), {@code last_updated_at} of the topics that finished
 *       ({@link TopicRunRecorder});</li>
 *   <li>{@code TAKE_REBUILD_LOCK}: the historical rebuilder's first step: the topic's rebuild lock
 *       and {@code PAUSED} ({@link RebuildLock}).</li>
 * </ul>
 */
public final class FetchActiveTopicsHandler extends JsonHandler<FetchActiveTopicsHandler.Request,
        FetchActiveTopicsHandler.Answer> {
    /** At most this many topics in one run (an inline Map runs far fewer; see docs/operating.md). */
    static final int MAX_TOPICS = 10_000;
    private static final Pattern EXECUTION_ARN = Pattern.compile(
            "^arn:aws[a-z-]*:states:[a-z0-9-]+:[0-9]{12}:execution:[A-Za-z0-9_.-]{1,80}:[^:\\s]{1,80}$");
    private final DynamoDbClient dynamo;
    private final SfnClient sfn;
    private final String defaultTable;
    private final ActiveTopics active;
    private final TopicRunRecorder recorder;
    private final RebuildLock lock;

    public enum Mode { FETCH, RECORD_RUN, TAKE_REBUILD_LOCK }

    /**
     * @param registryTable the DynamoDB registry (default {@code REGISTRY_TABLE})
     * @param mode          {@code FETCH} (default), {@code RECORD_RUN} or {@code TAKE_REBUILD_LOCK}
     * @param topics        RECORD_RUN: the topics the run took (the FETCH answer's {@code topics})
     * @param results       RECORD_RUN: the Map's output, one entry per topic (null for an iteration
     *                      that ended without one)
     * @param topic         TAKE_REBUILD_LOCK: the topic to rebuild
     * @param executionArn  TAKE_REBUILD_LOCK: the rebuild's execution ({@code $$.Execution.Id}), which
     *                      the lock names; RECORD_RUN: optional, for the logs
     */
    public record Request(String registryTable, Mode mode, List<String> topics, List<TopicRun> results, String topic,
                          String executionArn) {
        public Request {
            if (registryTable != null) {
                Identifiers.dynamoDbTable("registryTable", registryTable);
            }
            mode = mode == null ? Mode.FETCH : mode;
            if (mode != Mode.RECORD_RUN) {
                absent("topics", topics, mode);
                absent("results", results, mode);
            }
            if (mode != Mode.TAKE_REBUILD_LOCK) {
                absent("topic", topic, mode);
            }
            switch (mode) {
                case FETCH -> absent("executionArn", executionArn, mode);
                case RECORD_RUN -> {
                    Fields.size("topics", Fields.required("topics", topics), 0, MAX_TOPICS);
                    for (int i = 0; i < topics.size(); i++) {
                        topicName("topics[" + i + "]", topics.get(i));
                    }
                    Fields.size("results", Fields.required("results", results), 0, MAX_TOPICS);
                    if (executionArn != null) {
                        validExecutionArn("executionArn", executionArn);
                    }
                }
                case TAKE_REBUILD_LOCK -> {
                    topicName("topic", topic);
                    validExecutionArn("executionArn", Fields.required("executionArn", executionArn));
                }
            }
        }

        private static void absent(String field, Object value, Mode mode) {
            if (value != null) {
                throw new InvalidInputException(field, "is not a field of mode " + mode);
            }
        }
    }

    /** What one topic's Map iteration ended with (TopicDone or TopicFailed in topic-orchestrator.asl.json). */
    public record TopicRun(String topic, Status status, ErrorInfo error, String finishedAt) {
        public enum Status { SUCCEEDED, FAILED }

        public TopicRun {
            topicName("results[].topic", topic);
            Fields.required("results[].status", status);
            if (finishedAt != null) {
                try {
                    OffsetDateTime.parse(finishedAt);
                } catch (DateTimeParseException e) {
                    throw new InvalidInputException("results[].finishedAt", "'" + finishedAt
                            + "' is not an ISO-8601 date-time with an offset (e.g. 2026-12-01T02:15:07.123Z)");
                }
            }
        }

        Instant finishedAtOr(Instant fallback) {
            return finishedAt == null ? fallback : OffsetDateTime.parse(finishedAt).toInstant();
        }
    }

    /** A Catch's error output: {@code {"Error": ..., "Cause": ...}}. */
    public record ErrorInfo(@JsonProperty("Error") String error, @JsonProperty("Cause") String cause) {
    }

    /** The answer of each mode. */
    public sealed interface Answer permits Fetched, RunRecorded, LockTaken {
    }

    public record Fetched(List<String> topics, int count) implements Answer {
    }

    public record FailedTopic(String topic, String error, String cause) {
    }

    /**
     * @param summary one line for people: how many topics failed, which and why (the execution's
     *                failure Cause when any failed)
     */
    public record RunRecorded(int topicsSucceeded, int topicsFailed, List<FailedTopic> failedTopics,
            int lastUpdatedWritten,
                              List<String> notInRegistry, String summary) implements Answer {
    }

    public record LockTaken(String topic, String previousFlag, String rebuildLock, String tookOverFrom,
                            String rebuildStartedAt) implements Answer {
    }

    public FetchActiveTopicsHandler() {
        this(AwsClients.build(DynamoDbClient.builder()), AwsClients.build(SfnClient.builder()),
                Settings.value("REGISTRY_TABLE", null));
    }

    /** With this DynamoDB client and the default Step Functions client. */
    public FetchActiveTopicsHandler(DynamoDbClient dynamo, String defaultTable) {
        this(dynamo, AwsClients.build(SfnClient.builder()), defaultTable);
    }

    public FetchActiveTopicsHandler(DynamoDbClient dynamo, SfnClient sfn, String defaultTable) {
        this(dynamo, sfn, defaultTable, Instant::now);
    }

    FetchActiveTopicsHandler(DynamoDbClient dynamo, SfnClient sfn, String defaultTable, Supplier<Instant> clock) {
        super("fetch-active-topics", Request.class);
        this.dynamo = dynamo;
        this.sfn = sfn;
        this.defaultTable = defaultTable;
        this.active = new ActiveTopics(dynamo);
        this.recorder = new TopicRunRecorder(dynamo, clock);
        this.lock = new RebuildLock(dynamo, sfn, clock);
    }

    @Override
    protected void primeAws() {
        Priming.call(() -> dynamo.describeTable(b -> b.tableName(defaultTable == null ? Priming.NAME : defaultTable)));
        Priming.call(() -> sfn.describeExecution(b -> b.executionArn("arn:aws:states:us-east-1:000000000000:execution:"
                + Priming.NAME + ":" + Priming.NAME)));
    }

    @Override
    protected Answer handle(Request event, Context context) {
        String table = event.registryTable() != null ? event.registryTable()
                : Identifiers.dynamoDbTable("REGISTRY_TABLE", defaultTable);
        return switch (event.mode()) {
            case FETCH -> {
                List<String> topics = active.fetch(table);
                yield new Fetched(topics, topics.size());
            }
            case RECORD_RUN -> recorder.record(table, event.topics(), event.results(), event.executionArn());
            case TAKE_REBUILD_LOCK -> lock.take(table, event.topic(), event.executionArn());
        };
    }

    /** A topic name as the registry key and Glue's {@code --topic_name}: not blank, one line, at most 1,024 characters.
    * */
    static String topicName(String field, String value) {
        Fields.required(field, value);
        if (value.length() > 1024 || value.chars().anyMatch(Character::isISOControl)) {
            throw new InvalidInputException(field, "must be one line of at most 1024 characters");
        }
        return value;
    }

    static String validExecutionArn(String field, String value) {
        if (!EXECUTION_ARN.matcher(value).matches()) {
            throw new InvalidInputException(field, "'" + (value.length() > 120 ? value.substring(0, 120) + "…" : value)
                    + "' is not a Step Functions execution ARN "
                            + "(arn:aws:states:<region>:<account>:execution:<machine>:<name>)");
        }
        return value;
    }
}
