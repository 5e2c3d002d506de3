package com.omc.flywheel.local.athena;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.omc.flywheel.local.proxy.AwsProxy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Athena's answers (JSON 1.1), as Athena words them: a started query's id, a CTAS's QueryExecution
 * and its results, and Athena's InvalidRequestException.
 */
final class AthenaReplies {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final String ENGINE_VERSION = "Athena engine version 3";

    private AthenaReplies() {
    }

    static AwsProxy.Reply ok(JsonNode body) {
        return new AwsProxy.Reply(200, Map.of("Content-Type", "application/x-amz-json-1.1"), bytes(body));
    }

    /**
     * Athena's InvalidRequestException: its body names the code twice, and no x-amzn-ErrorType header
     * (as measured).
     */
    static AwsProxy.Reply error(String code, String message) {
        ObjectNode body = JSON.createObjectNode().put("__type", "InvalidRequestException").put("AthenaErrorCode", code)
                .put("ErrorCode", code).put("Message", message);
        return new AwsProxy.Reply(400, Map.of("Content-Type", "application/x-amz-json-1.1"), bytes(body));
    }

    /** StartQueryExecution's answer. */
    static AwsProxy.Reply started(String id) {
        return ok(JSON.createObjectNode().put("QueryExecutionId", id));
    }

    /** GetQueryExecution's answer. */
    static AwsProxy.Reply getQueryExecution(CtasExecution e, boolean running) {
        return ok(JSON.createObjectNode().set("QueryExecution", queryExecution(e, running)));
    }

    /** BatchGetQueryExecution's answer. */
    static AwsProxy.Reply batch(ArrayNode found, ArrayNode unprocessed) {
        ObjectNode answer = JSON.createObjectNode();
        answer.set("QueryExecutions", found);
        answer.set("UnprocessedQueryExecutionIds", unprocessed);
        return ok(answer);
    }

    /** An id of a BatchGetQueryExecution that nobody knows. */
    static ObjectNode unprocessed(String id) {
        return JSON.createObjectNode().put("QueryExecutionId", id).put("ErrorCode", "INVALID_INPUT")
                .put("ErrorMessage", "QueryExecution " + id + " was not found");
    }

    /** The QueryExecution as Athena describes it, RUNNING or as the query ended. */
    static ObjectNode queryExecution(CtasExecution e, boolean running) {
        ObjectNode q = JSON.createObjectNode();
        q.put("QueryExecutionId", e.id);
        q.put("Query", e.query);
        q.put("StatementType", "DDL");
        q.put("SubstatementType", "CREATE_TABLE_AS_SELECT");
        q.set("ResultConfiguration", JSON.createObjectNode().put("OutputLocation", e.outputBase + "tables/" + e.id));
        ObjectNode context = JSON.createObjectNode();
        if (e.database != null) {
            context.put("Database", e.database);
        }
        if (e.catalog != null) {
            context.put("Catalog", e.catalog.toLowerCase(Locale.ROOT));
        }
        q.set("QueryExecutionContext", context);
        ObjectNode status = JSON.createObjectNode();
        status.put("SubmissionDateTime", seconds(e.submitted));
        ObjectNode stats = JSON.createObjectNode();
        if (running) {
            status.put("State", "RUNNING");
            stats.put("EngineExecutionTimeInMillis", 0).put("DataScannedInBytes", 0)
                    .put("TotalExecutionTimeInMillis", 0).put("QueryQueueTimeInMillis", 0);
        } else {
            status.put("State", e.succeeded() ? "SUCCEEDED" : "FAILED");
            status.put("CompletionDateTime", seconds(e.completed()));
            if (!e.succeeded()) {
                status.put("StateChangeReason", e.reason());
                status.set("AthenaError", JSON.createObjectNode().put("ErrorCategory", e.errorType() >= 1000 ? 2 : 1)
                        .put("ErrorType", e.errorType()).put("Retryable", false).put("ErrorMessage", e.reason()));
            }
            stats.put("EngineExecutionTimeInMillis", e.engineMillis()).put("DataScannedInBytes", e.scannedBytes)
                    .put("TotalExecutionTimeInMillis", e.totalMillis()).put("QueryQueueTimeInMillis", 0)
                    .put("ServicePreProcessingTimeInMillis", 0).put("QueryPlanningTimeInMillis", 0)
                    .put("ServiceProcessingTimeInMillis", 0);
            if (e.manifest != null) {
                stats.put("DataManifestLocation", e.manifest);
            }
            stats.set("ResultReuseInformation", JSON.createObjectNode().put("ReusedPreviousResult", false));
        }
        q.set("Status", status);
        q.set("Statistics", stats);
        q.put("WorkGroup", e.workGroup);
        q.set("EngineVersion", JSON.createObjectNode().put("SelectedEngineVersion", "AUTO")
                .put("EffectiveEngineVersion", ENGINE_VERSION));
        return q;
    }

    /** GetQueryResults' refusal of its MaxResults, if any (checked before the query's state). */
    static Optional<AwsProxy.Reply> invalidMaxResults(JsonNode body) {
        JsonNode max = body.get("MaxResults");
        if (max != null && max.asInt() < 1) {
            return Optional.of(error("INVALID_INPUT", "1 validation error detected: Value at 'maxResults' failed to "
                    + "satisfy constraint: Member must have value greater than or equal to 1"));
        }
        if (max != null && max.asInt() > 1000) {
            return Optional.of(error("INVALID_INPUT", "MaxResults is more than maximum allowed length 1000"));
        }
        return Optional.empty();
    }

    /**
     * GetQueryResults' answer. A CTAS has no rows to return: Athena answers the count in UpdateCount,
     * with one {@code rows} (bigint) column in the metadata and an empty row list (measured by
     * athena-local, docs/api.md).
     */
    static AwsProxy.Reply queryResults(CtasExecution e, boolean running) {
        if (running) {
            return error("INVALID_QUERY_EXECUTION_STATE", "Query has not yet finished. Current state: RUNNING");
        }
        if (!e.succeeded()) {
            return error("INVALID_QUERY_EXECUTION_STATE",
                    "Query did not finish successfully. Final query state: FAILED");
        }
        ObjectNode column = JSON.createObjectNode().put("CatalogName", "hive").put("SchemaName", "")
                .put("TableName", "").put("Name", "rows").put("Label", "rows").put("Type", "bigint")
                .put("Precision", 19).put("Scale", 0).put("Nullable", "UNKNOWN").put("CaseSensitive", false);
        ObjectNode resultSet = JSON.createObjectNode();
        resultSet.set("Rows", JSON.createArrayNode());
        resultSet.set("ResultSetMetadata", JSON.createObjectNode()
                .set("ColumnInfo", JSON.createArrayNode().add(column)));
        ObjectNode answer = JSON.createObjectNode().put("UpdateCount", e.rows);
        answer.set("ResultSet", resultSet);
        return ok(answer);
    }

    private static byte[] bytes(JsonNode node) {
        try {
            return JSON.writeValueAsBytes(node);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static double seconds(Instant t) {
        return t.toEpochMilli() / 1000.0;
    }
}
