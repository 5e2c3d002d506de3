package com.omc.flywheel.local.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.omc.flywheel.local.iam.DeployedStack;
import com.omc.flywheel.shared.AwsClients;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.services.cloudformation.CloudFormationClient;
import software.amazon.awssdk.services.cloudformation.model.Parameter;
import software.amazon.awssdk.services.iam.IamClient;

/**
 * The stack's record in the local CloudFormation, as {@code sam deploy} leaves it in an account:
 * stack {@code omc-flywheel-local} with template.yaml's parameters and outputs, its roles (with the
 * statements the local IAM check enforces), its EventBridge rules and its topic registry. What the
 * operator console reads ({@code doctor}, {@code refresh --stack}) it finds here as in AWS. The
 * state machines, topics and functions are made by the local run itself, under the same names.
 */
final class LocalStack {
    static final String NAME = "omc-flywheel-local";
    private static final ObjectMapper JSON = new ObjectMapper();

    private LocalStack() {
    }

    static void register(Path repo) {
        DeployedStack stack = DeployedStack.local(repo.resolve("template.yaml"));
        ObjectNode t = JSON.createObjectNode().put("AWSTemplateFormatVersion", "2010-09-09")
                .put("Description", "template.yaml as deployed on this machine (its roles, rules, registry, outputs)");
        ObjectNode params = t.putObject("Parameters");
        stack.parameters().keySet().forEach(k -> params.putObject(k).put("Type", "String"));
        ObjectNode resources = t.putObject("Resources");
        for (String lid : stack.roles()) {
            resources.set(lid, role(stack.role(lid)));
        }
        stack.rules().fields().forEachRemaining(e -> {
            ObjectNode props = resources.putObject(e.getKey()).put("Type", "AWS::Events::Rule").putObject("Properties");
            props.put("Name", e.getValue().path("name").asText()).put("State", e.getValue().path("state").asText());
            props.set("EventPattern", e.getValue().path("eventPattern"));
        });
        if (stack.parameters().getOrDefault("TopicRegistryTableName", "").isEmpty()) {
            ObjectNode props = resources.putObject("TopicRegistryTable").put("Type", "AWS::DynamoDB::Table")
                    .putObject("Properties");
            props.put("TableName", "omc-flywheel-" + stack.parameters().get("Environment") + "-topic-registry")
                    .put("BillingMode", "PAY_PER_REQUEST");
            props.putArray("AttributeDefinitions").addObject().put("AttributeName", "topic_name")
                    .put("AttributeType", "S");
            props.putArray("KeySchema").addObject().put("AttributeName", "topic_name").put("KeyType", "HASH");
        }
        ObjectNode outputs = t.putObject("Outputs");
        stack.outputs().forEach((k, v) -> outputs.putObject(k).put("Value", v));
        List<Parameter> values = new ArrayList<>();
        stack.parameters().forEach((k, v) -> values.add(Parameter.builder().parameterKey(k).parameterValue(v).build()));
        try (CloudFormationClient cfn = AwsClients.build(CloudFormationClient.builder())) {
            cfn.createStack(b -> b.stackName(NAME).templateBody(t.toString()).parameters(values)
                    .capabilitiesWithStrings("CAPABILITY_NAMED_IAM"));
        }
        // moto keeps a role policy that CloudFormation made as a Python dict and answers GetRolePolicy with its
        // repr, not JSON: each is put again as IAM would hold it (the same statements).
        try (IamClient iam = AwsClients.build(IamClient.builder())) {
            resources.fields().forEachRemaining(e -> {
                JsonNode props = e.getValue().path("Properties");
                if (e.getValue().path("Type").asText().equals("AWS::IAM::Role")) {
                    JsonNode policy = props.path("Policies").get(0);
                    iam.putRolePolicy(b -> b.roleName(props.path("RoleName").asText())
                            .policyName(policy.path("PolicyName").asText())
                            .policyDocument(policy.path("PolicyDocument").toString()));
                }
            });
        }
    }

    /** An AWS::IAM::Role with its name, its trust and its statements as one inline policy. */
    private static ObjectNode role(JsonNode deployed) {
        String arn = deployed.path("arn").asText();
        ObjectNode role = JSON.createObjectNode().put("Type", "AWS::IAM::Role");
        ObjectNode props = role.putObject("Properties").put("RoleName", arn.substring(arn.lastIndexOf('/') + 1));
        ObjectNode trust = props.putObject("AssumeRolePolicyDocument").put("Version", "2012-10-17");
        ArrayNode services = JSON.createArrayNode();
        deployed.path("assumedBy").forEach(services::add);
        ObjectNode assume = trust.putArray("Statement").addObject().put("Effect", "Allow")
                .put("Action", "sts:AssumeRole");
        assume.putObject("Principal").set("Service", services);
        ObjectNode policy = props.putArray("Policies").addObject().put("PolicyName", "deployed-statements");
        policy.putObject("PolicyDocument").put("Version", "2012-10-17").set("Statement", deployed.path("statements"));
        return role;
    }
}
