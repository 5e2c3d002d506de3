package com.omc.flywheel.fetchactivetopics;

import com.amazonaws.services.lambda.runtime.Context;
import com.omc.flywheel.shared.AwsClients;
import com.omc.flywheel.shared.Identifiers;
import com.omc.flywheel.shared.JsonHandler;
import com.omc.flywheel.shared.JsonLog;
import com.omc.flywheel.shared.Priming;
import com.omc.flywheel.shared.Settings;
import com.omc.flywheel.shared.errors.AwsFaults;
import com.omc.flywheel.shared.errors.ResourceNotFoundException;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;

/**
 * fetch-active-topics (CONTRACTS.md): the topics whose registry item has {@code is_active} true and
 * {@code flow_control_flag} {@code ENABLED}, sorted, read with a paginated, filtered Scan.
 */
public final class FetchActiveTopicsHandler extends JsonHandler<FetchActiveTopicsHandler.Request,
        FetchActiveTopicsHandler.Result> {
    private static final JsonLog LOG = JsonLog.forFunction("fetch-active-topics");
    private final DynamoDbClient dynamo;
    private final String defaultTable;

    /** @param registryTable the DynamoDB registry (default {@code REGISTRY_TABLE}) */
    public record Request(String registryTable) {
        public Request {
            if (registryTable != null) {
                Identifiers.dynamoDbTable("registryTable", registryTable);
            }
        }
    }

    public record Result(List<String> topics, int count) {
    }

    public FetchActiveTopicsHandler() {
        this(AwsClients.build(DynamoDbClient.builder()), Settings.value("REGISTRY_TABLE", null));
    }

    public FetchActiveTopicsHandler(DynamoDbClient dynamo, String defaultTable) {
        super("fetch-active-topics", Request.class);
        this.dynamo = dynamo;
        this.defaultTable = defaultTable;
    }

    @Override
    protected void primeAws() {
        Priming.call(() -> dynamo.describeTable(b -> b.tableName(defaultTable == null ? Priming.NAME : defaultTable)));
    }

    @Override
    protected Result handle(Request event, Context context) {
        String table = event.registryTable() != null ? event.registryTable()
                : Identifiers.dynamoDbTable("REGISTRY_TABLE", defaultTable);
        TreeSet<String> topics = new TreeSet<>();
        try {
            for (ScanResponse page : dynamo.scanPaginator(b -> b.tableName(table)
                    .filterExpression("is_active = :yes AND flow_control_flag = :enabled")
                    .expressionAttributeValues(Map.of(":yes", AttributeValue.fromBool(true),
                            ":enabled", AttributeValue.fromS("ENABLED")))
                    .projectionExpression("topic_name"))) {
                page.items().forEach(i -> {
                    AttributeValue name = i.get("topic_name");
                    if (name != null && name.s() != null) {
                        topics.add(name.s());
                    }
                });
            }
        } catch (software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException e) {
            throw new ResourceNotFoundException("topic registry table " + table + " does not exist", e);
        } catch (SdkException e) {
            throw AwsFaults.translate(e, "DynamoDB Scan of " + table);
        }
        LOG.info("active topics", "registryTable", table, "count", topics.size(), "outcome", "FETCHED");
        return new Result(List.copyOf(topics), topics.size());
    }
}
