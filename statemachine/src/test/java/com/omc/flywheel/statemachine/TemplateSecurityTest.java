package com.omc.flywheel.statemachine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.omc.flywheel.local.LakeBuilder;
import com.omc.flywheel.local.LocalCloud;
import com.omc.flywheel.local.SampleEvents;
import com.omc.flywheel.buildreport.BuildReportHandler;
import com.omc.flywheel.shared.AwsClients;
import com.omc.flywheel.shared.JsonLog;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.glue.GlueClient;
import software.amazon.awssdk.services.s3.S3Client;

/** Least privilege and encryption, read from template.yaml; what the functions log. */
class TemplateSecurityTest {
    /** Actions AWS does not let a policy scope to a resource; README "Security" explains each. */
    static final Set<String> UNSCOPABLE = Set.of("logs:CreateLogDelivery", "logs:GetLogDelivery", "logs:UpdateLogDelivery",
            "logs:DeleteLogDelivery", "logs:ListLogDeliveries", "logs:PutResourcePolicy", "logs:DescribeResourcePolicies",
            "logs:DescribeLogGroups");

    static JsonNode template() throws Exception {
        return new ObjectMapper(new YAMLFactory()).readTree(SampleEvents.repoRoot().resolve("template.yaml").toFile());
    }

    /** Every IAM statement of the template: functions', state machines' and roles' policies. */
    static List<JsonNode> statements(JsonNode resources) {
        List<JsonNode> out = new ArrayList<>();
        for (Iterator<JsonNode> it = resources.elements(); it.hasNext(); ) {
            JsonNode props = it.next().path("Properties");
            for (JsonNode policy : props.path("Policies")) {
                policy.path("Statement").forEach(out::add);
                policy.path("PolicyDocument").path("Statement").forEach(out::add);
            }
        }
        return out;
    }

    @Test
    void everyIamStatementNamesItsResources() throws Exception {
        List<JsonNode> statements = statements(template().get("Resources"));
        assertTrue(statements.size() > 20, "statements read: " + statements.size());
        List<String> problems = new ArrayList<>();
        for (JsonNode s : statements) {
            List<String> resources = new ArrayList<>();
            JsonNode r = s.path("Resource");
            if (r.isArray()) {
                r.forEach(x -> resources.add(x.asText()));
            } else {
                resources.add(r.asText());
            }
            List<String> actions = new ArrayList<>();
            JsonNode a = s.path("Action");
            if (a.isArray()) {
                a.forEach(x -> actions.add(x.asText()));
            } else {
                actions.add(a.asText());
            }
            if (resources.contains("*") && !UNSCOPABLE.containsAll(actions)) {
                problems.add(s.path("Sid").asText() + " grants " + actions + " on *");
            }
            if (actions.stream().anyMatch(x -> x.endsWith(":*") || x.equals("*"))) {
                problems.add(s.path("Sid").asText() + " grants a whole service " + actions);
            }
            if (!s.has("Sid")) {
                problems.add("a statement without a Sid: " + s);
            }
        }
        assertEquals(List.of(), problems);
    }

    @Test
    void topicsAndTablesAreEncryptedAndLogsExpire() throws Exception {
        JsonNode resources = template().get("Resources");
        int topics = 0;
        for (Iterator<Map.Entry<String, JsonNode>> it = resources.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String type = e.getValue().path("Type").asText();
            JsonNode p = e.getValue().path("Properties");
            switch (type) {
                case "AWS::SNS::Topic" -> {
                    topics++;
                    assertFalse(p.path("KmsMasterKeyId").asText().isEmpty(), e.getKey() + " is not encrypted");
                }
                case "AWS::DynamoDB::Table" -> assertTrue(p.path("SSESpecification").path("SSEEnabled").asBoolean(),
                        e.getKey() + " is not encrypted");
                case "AWS::Logs::LogGroup" -> assertTrue(p.has("RetentionInDays"), e.getKey() + " keeps logs forever");
                case "AWS::S3::Bucket" -> {
                    assertTrue(p.has("BucketEncryption"), e.getKey() + " is not encrypted");
                    JsonNode block = p.path("PublicAccessBlockConfiguration");
                    for (String f : List.of("BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets")) {
                        assertTrue(block.path(f).asBoolean(), e.getKey() + " lacks " + f);
                    }
                    assertTrue(resources.toString().contains("aws:SecureTransport"), e.getKey() + " allows plain HTTP");
                }
                default -> {
                    // nothing to check
                }
            }
        }
        assertEquals(2, topics);
    }

    @Test
    void logsCarryNeitherCredentialsNorQueryResults() throws Exception {
        LocalCloud cloud = StateMachineHarness.cloud();
        cloud.reset();
        String secret = System.getProperty("aws.secretAccessKey");
        String row = "9876543210";
        LakeBuilder lake = new LakeBuilder(AwsClients.build(GlueClient.builder()), AwsClients.build(S3Client.builder()))
                .database("omc_flywheel_dev").bucket("omc-flywheel-dev-analysis-data").bucket("omc-flywheel-data-us-east-1-dev");
        lake.table(new LakeBuilder.Table("omc_flywheel_dev", "part_ibe_01", "s3://omc-flywheel-data-us-east-1-dev/p/IBE_01/", 3,
                LakeBuilder.Registration.PARTITIONED, List.of(0), List.of(0), Map.of()));
        cloud.moto().athenaResults(List.of(List.of(row, "0", "7")));
        ByteArrayOutputStream logs = new ByteArrayOutputStream();
        JsonLog.redirect(new PrintStream(logs, true, StandardCharsets.UTF_8));
        try {
            SampleEvents.invoke(new BuildReportHandler(), "build-report", SampleEvents.read("build-report-data-monitor.json")
                    .replace("\"snsTopicArn\": \"arn:aws:sns:us-east-1:123456789012:omc-flywheel-dev-data-monitor-alerts\",", ""));
        } finally {
            JsonLog.redirect(System.err);
        }
        String text = logs.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("\"table\":\"part_ibe_01\""), "the logs name the table: " + text);
        assertFalse(text.contains(secret), "the secret access key is never logged");
        assertFalse(text.contains(row), "query results are never logged");
    }
}
