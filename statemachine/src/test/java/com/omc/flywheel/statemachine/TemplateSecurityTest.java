package com.omc.flywheel.statemachine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.omc.flywheel.buildreport.BuildReportHandler;
import com.omc.flywheel.local.LocalCloud;
import com.omc.flywheel.local.fixtures.LakeBuilder;
import com.omc.flywheel.local.fixtures.SampleEvents;
import com.omc.flywheel.local.iam.AuthorizationReference;
import com.omc.flywheel.local.iam.DeployedStack;
import com.omc.flywheel.local.iam.NodePackages;
import com.omc.flywheel.shared.AwsClients;
import com.omc.flywheel.shared.JsonLog;
import com.omc.flywheel.shared.iam.PolicyEvaluator;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.glue.GlueClient;
import software.amazon.awssdk.services.s3.S3Client;

/** Least privilege and encryption, read from template.yaml; what the functions log. */
class TemplateSecurityTest {
    static JsonNode template() throws Exception {
        return new ObjectMapper(new YAMLFactory()).readTree(SampleEvents.repoRoot().resolve("template.yaml").toFile());
    }

    /** Every IAM statement of the template: functions', state machines' and roles' policies. */
    static List<JsonNode> statements(JsonNode resources) {
        List<JsonNode> out = new ArrayList<>();
        for (Iterator<JsonNode> it = resources.elements(); it.hasNext(); ) {
            JsonNode props = it.next().path("Properties");
            for (JsonNode policy : props.path("Policies")) {
                policy.path("Statement").forEach(st -> addStatement(st, out));
                policy.path("PolicyDocument").path("Statement").forEach(st -> addStatement(st, out));
            }
        }
        return out;
    }

    /** A statement, or each statement of a conditional one (!If [Condition, statement, statement or AWS::NoValue]). */
    private static void addStatement(JsonNode statement, List<JsonNode> out) {
        if (statement.isArray() && statement.size() == 3 && statement.get(0).isTextual()) {
            for (int i = 1; i < 3; i++) {
                if (statement.get(i).isObject()) {
                    out.add(statement.get(i));
                }
            }
        } else {
            out.add(statement);
        }
    }

    @Test
    void everyIamStatementHasASidAndNoWholeServiceGrant() throws Exception {
        List<JsonNode> statements = statements(template().get("Resources"));
        assertTrue(statements.size() > 20, "statements read: " + statements.size());
        List<String> problems = new ArrayList<>();
        for (JsonNode s : statements) {
            List<String> actions = new ArrayList<>();
            JsonNode a = s.path("Action");
            if (a.isArray()) {
                a.forEach(x -> actions.add(x.asText()));
            } else {
                actions.add(a.asText());
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

    /**
     * Read against AWS's authorization reference, on the policies as deployed (after the SAM
     * transform): {@code Resource: "*"} only for actions that have no resource type (AWS can scope
     * nothing else), and every such action on {@code "*"} (AWS denies it on any ARN).
     */
    @Test
    void resourcesAreNamedWhereverAwsAllowsAndStarOnlyWhereItRequiresIt() {
        Path repo = SampleEvents.repoRoot();
        NodePackages.ensureInstalled(repo);
        AuthorizationReference reference = AuthorizationReference.installedIn(repo);
        DeployedStack stack = DeployedStack.local(repo.resolve("template.yaml"));
        List<String> problems = new ArrayList<>();
        int checked = 0;
        for (String role : stack.roles()) {
            for (PolicyEvaluator.Statement s : stack.statementsOf(role)) {
                for (String action : s.actions()) {
                    String[] parts = action.split(":", 2);
                    var a = reference.action(parts[0], parts[1]);
                    if (a.isEmpty()) {
                        problems.add(role + "/" + s.sid() + ": " + action
                                + " is no action in AWS's authorization reference");
                        continue;
                    }
                    checked++;
                    boolean star = s.resources().contains("*");
                    if (star && !a.get().resourceTypes().isEmpty()) {
                        problems.add(role + "/" + s.sid() + " grants " + action
                                + " on *, which AWS lets a policy scope to "
                                + a.get().resourceTypes().stream().map(t -> t.arnFormat()).toList());
                    }
                    if (!star && a.get().resourceTypes().isEmpty()) {
                        problems.add(role + "/" + s.sid() + " grants " + action + " on " + s.resources()
                                + ", but it has no resource type: AWS allows it only with Resource \"*\"");
                    }
                }
            }
        }
        assertTrue(checked > 60, "actions checked: " + checked);
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
                    assertTrue(p.has("KmsMasterKeyId") && !p.path("KmsMasterKeyId").isNull()
                            && !p.path("KmsMasterKeyId").toString().contains("alias/aws/sns"),
                            e.getKey() + " is not encrypted with a customer managed key (CloudWatch alarms cannot use "
                                    + "aws/sns)");
                }
                case "AWS::DynamoDB::Table" -> assertTrue(p.path("SSESpecification").path("SSEEnabled").asBoolean(),
                        e.getKey() + " is not encrypted");
                case "AWS::Logs::LogGroup" -> assertTrue(p.has("RetentionInDays"), e.getKey() + " keeps logs forever");
                case "AWS::S3::Bucket" -> {
                    assertTrue(p.has("BucketEncryption"), e.getKey() + " is not encrypted");
                    JsonNode block = p.path("PublicAccessBlockConfiguration");
                    for (String f : List.of("BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls",
                            "RestrictPublicBuckets")) {
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
                .database("omc_flywheel_dev").bucket("omc-flywheel-dev-analysis-data")
                        .bucket("omc-flywheel-data-us-east-1-dev");
        lake.table(new LakeBuilder.Table("omc_flywheel_dev", "part_ibe_01",
                "s3://omc-flywheel-data-us-east-1-dev/p/IBE_01/", 3,
                LakeBuilder.Registration.PARTITIONED, List.of(0), List.of(0), Map.of()));
        cloud.moto().athenaResults(List.of(List.of(row, "0", "7")));
        ByteArrayOutputStream logs = new ByteArrayOutputStream();
        JsonLog.redirect(new PrintStream(logs, true, StandardCharsets.UTF_8));
        try {
            SampleEvents.invoke(new BuildReportHandler(), "build-report",
                    SampleEvents.read("build-report-data-monitor.json")
                    .replace("\"snsTopicArn\": "
                            + "\"arn:aws:sns:us-east-1:123456789012:omc-flywheel-dev-data-monitor-alerts\",", ""));
        } finally {
            JsonLog.redirect(System.err);
        }
        String text = logs.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("\"table\":\"part_ibe_01\""), "the logs name the table: " + text);
        assertFalse(text.contains(secret), "the secret access key is never logged");
        assertFalse(text.contains(row), "query results are never logged");
    }
}
