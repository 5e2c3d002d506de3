package com.omc.flywheel.fetchactivetopics;

import com.omc.flywheel.fetchactivetopics.FetchActiveTopicsHandler.FailedTopic;
import com.omc.flywheel.fetchactivetopics.FetchActiveTopicsHandler.RunRecorded;
import com.omc.flywheel.fetchactivetopics.FetchActiveTopicsHandler.TopicRun;
import com.omc.flywheel.shared.JsonLog;
import com.omc.flywheel.shared.errors.AwsFaults;
import com.omc.flywheel.shared.errors.ResourceNotFoundException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

/**
 * The end of a topic-orchestrator run ({@code mode: RECORD_RUN}): from the topics the run took and
 * what the Map made of each, the failed topics (a topic with no SUCCEEDED result failed, so an
 * iteration the Map tolerated without a result counts too), the {@code TopicsFailed} and
 * {@code TopicsSucceeded} metrics (one EMF line, namespace OMC/Flywheel, dimension Environment: what
 * the {@code topics-failed} alarm reads), and {@code last_updated_at} of every topic that finished,
 * set to when it finished, only while the topic is still in the registry (a conditional write: a
 * topic deleted meanwhile is not written back, only reported).
 */
final class TopicRunRecorder {
    /** The format of Step Functions' {@code $$.State.EnteredTime}: ISO-8601 UTC with milliseconds. */
    static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(ZoneOffset.UTC);
    /** The summary becomes the Fail state's Cause (at most 32,768 characters): kept well below. */
    static final int MAX_SUMMARY_CHARS = 8000;
    static final int MAX_CAUSE_CHARS = 300;
    private static final JsonLog LOG = JsonLog.forFunction("fetch-active-topics");
    private final DynamoDbClient dynamo;
    private final Supplier<Instant> clock;

    TopicRunRecorder(DynamoDbClient dynamo, Supplier<Instant> clock) {
        this.dynamo = dynamo;
        this.clock = clock;
    }

    RunRecorded record(String table, List<String> topics, List<TopicRun> results, String executionArn) {
        Map<String, TopicRun> byTopic = new LinkedHashMap<>();
        for (TopicRun r : results) {
            if (r != null) {
                // A topic listed twice (it cannot be: the list is a set) keeps its last result.
                byTopic.put(r.topic(), r);
            }
        }
        List<String> succeeded = new ArrayList<>();
        List<FailedTopic> failed = new ArrayList<>();
        for (String topic : topics) {
            TopicRun r = byTopic.get(topic);
            if (r != null && r.status() == TopicRun.Status.SUCCEEDED) {
                succeeded.add(topic);
            } else if (r != null) {
                failed.add(new FailedTopic(topic, r.error() == null ? "Unknown" : r.error().error(),
                        r.error() == null ? "" : cut(r.error().cause(), MAX_CAUSE_CHARS)));
            } else {
                failed.add(new FailedTopic(topic, "NoResult", "the topic's iteration ended without a result"));
            }
        }
        // The metric first: a registry write that fails below must not hide the failed topics from the alarm.
        LOG.metrics("topic run metrics", Map.of("TopicsFailed", failed.size(), "TopicsSucceeded", succeeded.size()),
                null, null);
        List<String> notInRegistry = new ArrayList<>();
        for (String topic : succeeded) {
            String at = TIME.format(byTopic.get(topic).finishedAtOr(clock.get()));
            try {
                dynamo.updateItem(b -> b.tableName(table).key(Map.of("topic_name", AttributeValue.fromS(topic)))
                        .updateExpression("SET last_updated_at = :at")
                        .conditionExpression("attribute_exists(topic_name)")
                        .expressionAttributeValues(Map.of(":at", AttributeValue.fromS(at))));
            } catch (ConditionalCheckFailedException e) {
                notInRegistry.add(topic);
            } catch (software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException e) {
                throw new ResourceNotFoundException("topic registry table " + table + " does not exist", e);
            } catch (SdkException e) {
                throw AwsFaults.translate(e, "DynamoDB UpdateItem of topic " + topic + " in " + table);
            }
        }
        if (!notInRegistry.isEmpty()) {
            LOG.warn("topics that finished but are no longer in the registry: last_updated_at not written",
                    "registryTable",
                    table, "topics", notInRegistry, "outcome", "NOT_RECORDED");
        }
        String summary = summary(topics.size(), failed);
        for (FailedTopic f : failed) {
            LOG.warn("topic failed", "topic", f.topic(), "error", f.error(), "cause", f.cause(), "executionArn",
                    executionArn,
                    "outcome", "FAILED");
        }
        LOG.info("topic run recorded", "registryTable", table, "topics", topics.size(), "succeeded", succeeded.size(),
                "failed", failed.size(), "lastUpdatedWritten", succeeded.size() - notInRegistry.size(), "executionArn",
                executionArn, "outcome", failed.isEmpty() ? "SUCCEEDED" : "TOPICS_FAILED");
        return new RunRecorded(succeeded.size(), failed.size(), failed, succeeded.size() - notInRegistry.size(),
                notInRegistry, summary);
    }

    /** One line a person reads in the failure e-mail: how many failed, which, and why. */
    static String summary(int total, List<FailedTopic> failed) {
        if (failed.isEmpty()) {
            return total + " topic" + (total == 1 ? "" : "s") + " finished";
        }
        StringBuilder s = new StringBuilder().append(failed.size()).append(" of ").append(total)
                .append(total == 1 ? " topic" : " topics").append(" failed: ");
        for (int i = 0; i < failed.size(); i++) {
            FailedTopic f = failed.get(i);
            String one = (i == 0 ? "" : "; ") + f.topic() + " (" + f.error()
                    + (f.cause().isEmpty() ? "" : ": " + f.cause()) + ")";
            if (s.length() + one.length() > MAX_SUMMARY_CHARS - 200) {
                s.append("; and ").append(failed.size() - i)
                        .append(" more (the run's RecordTopicRuns output lists them all)");
                break;
            }
            s.append(one);
        }
        return s.append(". The other topics finished; the next scheduled run starts the failed ones again.").toString();
    }

    private static String cut(String text, int max) {
        if (text == null) {
            return "";
        }
        String oneLine = text.replaceAll("\\s+", " ").strip();
        return oneLine.length() > max ? oneLine.substring(0, max) + "…" : oneLine;
    }
}
