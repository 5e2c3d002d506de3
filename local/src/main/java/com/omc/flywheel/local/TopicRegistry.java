package com.omc.flywheel.local;

import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;

/** The topic registry as template.yaml defines it (key {@code topic_name}), in the emulator. */
public final class TopicRegistry {
    public static final String TABLE = "omc-flywheel-dev-topic-registry";
    private final DynamoDbClient dynamo;
    private final String table;

    private TopicRegistry(DynamoDbClient dynamo, String table) {
        this.dynamo = dynamo;
        this.table = table;
    }

    public static TopicRegistry create(DynamoDbClient dynamo, String table) {
        dynamo.createTable(b -> b.tableName(table).billingMode("PAY_PER_REQUEST")
                .attributeDefinitions(AttributeDefinition.builder().attributeName("topic_name")
                        .attributeType(ScalarAttributeType.S).build())
                .keySchema(KeySchemaElement.builder().attributeName("topic_name").keyType(KeyType.HASH).build()));
        return new TopicRegistry(dynamo, table);
    }

    /** An item exactly as given (its key added): for attributes of other shapes than {@link #topic} writes. */
    public TopicRegistry item(String name, Map<String, AttributeValue> attributes) {
        Map<String, AttributeValue> item = new java.util.HashMap<>(attributes);
        item.put("topic_name", AttributeValue.fromS(name));
        dynamo.putItem(b -> b.tableName(table).item(item));
        return this;
    }

    /** A topic with its two flags (and optional extra attributes). */
    public TopicRegistry topic(String name, boolean active, String flag, Map<String, AttributeValue> extra) {
        Map<String, AttributeValue> item = new java.util.HashMap<>(extra);
        item.put("topic_name", AttributeValue.fromS(name));
        item.put("is_active", AttributeValue.fromBool(active));
        item.put("flow_control_flag", AttributeValue.fromS(flag));
        dynamo.putItem(b -> b.tableName(table).item(item));
        return this;
    }
}
