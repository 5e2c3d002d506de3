package com.omc.flywheel.ops.doctor;

import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;
import software.amazon.awssdk.services.kms.KmsClient;

/**
 * The topic registry (today's PipelineRegistry, or the table the stack creates): its key is
 * {@code topic_name} alone, and a customer managed key encrypting it is one the roles can use.
 * Counts the active topics (the topic jobs are needed only while one is).
 */
final class RegistryChecks {
    static final String CHECK = "registry";

    private RegistryChecks() {
    }

    /** The registry's name: the TopicRegistryTableName parameter, or the one the stack creates. */
    static String name(Account account) {
        String given = account.parameter("TopicRegistryTableName");
        if (!given.isEmpty()) {
            return given;
        }
        String created = account.resources("AWS::DynamoDB::Table").get("TopicRegistryTable");
        return created != null ? created : "omc-flywheel-" + account.parameter("Environment") + "-topic-registry";
    }

    /** Checks the registry; returns how many topics are active (0 when it cannot tell). */
    static int run(Account account, Findings findings) {
        String table = name(account);
        int[] active = {0};
        findings.guard(CHECK, table, () -> active[0] = check(account, findings, table));
        return active[0];
    }

    private static int check(Account account, Findings findings, String table) {
        DynamoDbClient ddb = account.client(DynamoDbClient.class, DynamoDbClient::builder);
        TableDescription d;
        try {
            d = ddb.describeTable(b -> b.tableName(table)).table();
        } catch (ResourceNotFoundException e) {
            findings.fail(CHECK, table, "does not exist: the topic orchestrator fails at FetchActiveTopics",
                    "deploy with TopicRegistryTableName set to the registry (today's PipelineRegistry), or empty "
                            + "for the stack's own");
            return 0;
        }
        List<KeySchemaElement> key = d.keySchema();
        String type = d.attributeDefinitions().stream().filter(a -> a.attributeName().equals("topic_name"))
                .map(a -> a.attributeTypeAsString()).findFirst().orElse("?");
        if (key.size() != 1 || !key.get(0).attributeName().equals("topic_name") || !"S".equals(type)) {
            findings.fail(CHECK, table, "its key is " + key.stream().map(k -> k.attributeName() + " ("
                    + k.keyTypeAsString() + ")").toList() + ", not topic_name (S) alone: the pause, the lock and the "
                    + "re-enable address an item by topic_name", "give TopicRegistryTableName a registry keyed on "
                    + "topic_name (S) alone, or empty for the stack's own");
            return 0;
        }
        int active = 0;
        for (Map<String, AttributeValue> item : ddb.scanPaginator(b -> b.tableName(table)
                .projectionExpression("topic_name, is_active, flow_control_flag")).items()) {
            AttributeValue on = item.get("is_active");
            AttributeValue flag = item.get("flow_control_flag");
            boolean isOn = on != null && (Boolean.TRUE.equals(on.bool()) || "true".equalsIgnoreCase(on.s()));
            if (isOn && flag != null && "ENABLED".equals(flag.s())) {
                active++;
            }
        }
        String sse = d.sseDescription() == null ? null : d.sseDescription().kmsMasterKeyArn();
        String detail = "keyed on topic_name (S); " + active + " active topic" + (active == 1 ? "" : "s");
        if (sse == null) {
            findings.ok(CHECK, table, detail + "; encrypted with DynamoDB's own key");
        } else {
            String manager = account.client(KmsClient.class, KmsClient::builder).describeKey(b -> b.keyId(sse))
                    .keyMetadata().keyManagerAsString();
            if ("AWS".equals(manager)) {
                findings.ok(CHECK, table, detail + "; encrypted with the AWS managed key");
            } else {
                findings.warn(CHECK, table, detail + "; encrypted with the customer managed key " + sse + ", which "
                        + "the stack does not grant: fetch-active-topics and the rebuilder are refused",
                        "let the stack's topic roles use the key (kms:Decrypt, kms:Encrypt, kms:GenerateDataKey) in "
                                + "its key policy");
            }
        }
        return active;
    }
}
