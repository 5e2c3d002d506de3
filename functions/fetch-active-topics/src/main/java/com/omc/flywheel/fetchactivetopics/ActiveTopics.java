package com.omc.flywheel.fetchactivetopics;

import com.omc.flywheel.shared.JsonLog;
import com.omc.flywheel.shared.errors.AwsFaults;
import com.omc.flywheel.shared.errors.ResourceNotFoundException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;

/**
 * The topics the orchestrator runs: registry items whose {@code flow_control_flag} is {@code ENABLED}
 * and whose {@code is_active} is true. {@code is_active} is a BOOL; the string {@code "true"} (any
 * case) that older writers stored is read as true too. Anything else (BOOL false, the string
 * {@code "false"}, a number, another string, no attribute) is not active; the items whose value is
 * neither a BOOL nor the string true/false are logged (WARN, up to {@link #SAMPLE} of them), so a
 * writer that stores something new is seen.
 *
 * <p>One paginated Scan filtered on the flag (projecting {@code topic_name} and {@code is_active});
 * {@code is_active} is read here rather than in the filter, so its other shapes can be counted.
 */
final class ActiveTopics {
    static final int SAMPLE = 10;
    private static final JsonLog LOG = JsonLog.forFunction("fetch-active-topics");
    private final DynamoDbClient dynamo;

    ActiveTopics(DynamoDbClient dynamo) {
        this.dynamo = dynamo;
    }

    /** How one {@code is_active} value reads. */
    enum Activity { ACTIVE, ACTIVE_LEGACY_STRING, INACTIVE, UNRECOGNISED }

    static Activity activity(AttributeValue isActive) {
        if (isActive == null) {
            return Activity.UNRECOGNISED;
        }
        if (isActive.bool() != null) {
            return isActive.bool() ? Activity.ACTIVE : Activity.INACTIVE;
        }
        if (isActive.s() != null) {
            if (isActive.s().equalsIgnoreCase("true")) {
                return Activity.ACTIVE_LEGACY_STRING;
            }
            if (isActive.s().equalsIgnoreCase("false")) {
                return Activity.INACTIVE;
            }
        }
        return Activity.UNRECOGNISED;
    }

    List<String> fetch(String table) {
        TreeSet<String> topics = new TreeSet<>();
        int legacy = 0;
        int unrecognised = 0;
        List<String> sample = new ArrayList<>();
        try {
            for (ScanResponse page : dynamo.scanPaginator(b -> b.tableName(table)
                    .filterExpression("flow_control_flag = :enabled")
                    .expressionAttributeValues(Map.of(":enabled", AttributeValue.fromS("ENABLED")))
                    .projectionExpression("topic_name, is_active"))) {
                for (Map<String, AttributeValue> item : page.items()) {
                    AttributeValue name = item.get("topic_name");
                    if (name == null || name.s() == null) {
                        continue;
                    }
                    switch (activity(item.get("is_active"))) {
                        case ACTIVE -> topics.add(name.s());
                        case ACTIVE_LEGACY_STRING -> {
                            topics.add(name.s());
                            legacy++;
                        }
                        case INACTIVE -> {
                            // not active: nothing to say
                        }
                        case UNRECOGNISED -> {
                            unrecognised++;
                            if (sample.size() < SAMPLE) {
                                sample.add(name.s() + " is_active=" + describe(item.get("is_active")));
                            }
                        }
                    }
                }
            }
        } catch (software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException e) {
            throw new ResourceNotFoundException("topic registry table " + table + " does not exist", e);
        } catch (SdkException e) {
            throw AwsFaults.translate(e, "DynamoDB Scan of " + table);
        }
        if (legacy > 0) {
            LOG.info("is_active read from the string \"true\" of older writers", "registryTable", table, "topics",
                    legacy);
        }
        if (unrecognised > 0) {
            LOG.warn("ENABLED topics left out: is_active is neither a BOOL nor the string true/false", "registryTable",
                    table,
                    "topics", unrecognised, "sample", sample, "outcome", "NOT_ACTIVE");
        }
        LOG.info("active topics", "registryTable", table, "count", topics.size(), "outcome", "FETCHED");
        return List.copyOf(topics);
    }

    /** An attribute value for a log line: its DynamoDB type and, for scalars, the value. */
    static String describe(AttributeValue v) {
        if (v == null) {
            return "(missing)";
        }
        if (v.s() != null) {
            return "S:" + (v.s().length() > 40 ? v.s().substring(0, 40) + "…" : v.s());
        }
        if (v.n() != null) {
            return "N:" + v.n();
        }
        if (v.bool() != null) {
            return "BOOL:" + v.bool();
        }
        return v.type() == null ? "(unknown)" : v.type().toString();
    }
}
