package com.omc.flywheel.ops.doctor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A deployed stack's processed template (after the SAM transform, intrinsic functions still in it)
 * resolved the way CloudFormation resolved it: {@code Ref} of parameters, pseudo parameters and
 * resources (their physical ids), {@code Fn::GetAtt …Arn} of the resource types the template's
 * policies name (built from the physical id), {@code Fn::Sub}, {@code Fn::Join}, {@code Fn::Select},
 * {@code Fn::Split}, {@code Fn::FindInMap}, {@code Fn::If} with the template's conditions, and
 * {@code AWS::NoValue} removed. Anything else (an attribute it cannot derive, {@code Fn::ImportValue})
 * throws {@link Unresolvable}, so a statement it cannot resolve is said to be unchecked, never guessed.
 */
public final class TemplateResolver {
    /** A value the resolver cannot derive from the stack's description alone. */
    public static final class Unresolvable extends RuntimeException {
        Unresolvable(String message) {
            super(message);
        }
    }

    /** A resource of the stack: its type and physical id. */
    public record Resource(String type, String physicalId) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern SUB = Pattern.compile("\\$\\{([^}]*)}");
    private static final JsonNode NO_VALUE = TextNode.valueOf("\u0000AWS::NoValue");
    private final JsonNode template;
    private final Map<String, String> parameters;
    private final Map<String, Resource> resources;
    private final Map<String, String> pseudo = new HashMap<>();
    private final Map<String, Boolean> conditions = new HashMap<>();

    /**
     * @param stackId    the stack's ARN, which gives the partition, region and account
     * @param parameters the stack's parameter values (resolved values for SSM-typed ones)
     * @param resources  the stack's resources by logical id
     */
    public TemplateResolver(JsonNode template, String stackId, Map<String, String> parameters,
                     Map<String, Resource> resources) {
        this.template = template;
        this.parameters = parameters;
        this.resources = resources;
        String[] arn = stackId.split(":", 6);
        if (arn.length < 6) {
            throw new Unresolvable("the stack id " + stackId + " is not an ARN");
        }
        pseudo.put("AWS::Partition", arn[1]);
        pseudo.put("AWS::Region", arn[3]);
        pseudo.put("AWS::AccountId", arn[4]);
        pseudo.put("AWS::StackId", stackId);
        pseudo.put("AWS::StackName", arn[5].split("/")[1]);
        pseudo.put("AWS::URLSuffix", arn[1].equals("aws-cn") ? "amazonaws.com.cn" : "amazonaws.com");
    }

    String pseudo(String name) {
        return pseudo.get(name);
    }

    /** A copy of the node with every intrinsic function resolved; {@code AWS::NoValue} entries dropped. */
    public JsonNode resolve(JsonNode node) {
        JsonNode out = value(node, "$");
        return out == NO_VALUE ? JSON.nullNode() : out;
    }

    private JsonNode value(JsonNode node, String where) {
        if (node.isArray()) {
            ArrayNode out = JSON.createArrayNode();
            for (int i = 0; i < node.size(); i++) {
                JsonNode v = value(node.get(i), where + "[" + i + "]");
                if (v != NO_VALUE) {
                    out.add(v);
                }
            }
            return out;
        }
        if (!node.isObject()) {
            return node;
        }
        if (node.size() == 1) {
            String key = node.fieldNames().next();
            if (key.equals("Ref") || key.startsWith("Fn::")) {
                return function(key, node.get(key), where + "." + key);
            }
        }
        ObjectNode out = JSON.createObjectNode();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode v = value(e.getValue(), where + "." + e.getKey());
            if (v != NO_VALUE) {
                out.set(e.getKey(), v);
            }
        }
        return out;
    }

    private JsonNode function(String name, JsonNode arg, String where) {
        switch (name) {
            case "Ref":
                return ref(arg.asText(), where);
            case "Fn::GetAtt": {
                JsonNode a = value(arg, where);
                String[] parts = a.isArray() ? new String[] {a.get(0).asText(), a.get(1).asText()}
                        : a.asText().split("\\.", 2);
                return TextNode.valueOf(attribute(parts[0], parts[1], where));
            }
            case "Fn::Sub":
                return TextNode.valueOf(sub(arg, where));
            case "Fn::Join": {
                JsonNode list = value(arg.get(1), where);
                List<String> parts = new ArrayList<>();
                list.forEach(p -> parts.add(p.asText()));
                return TextNode.valueOf(String.join(value(arg.get(0), where).asText(), parts));
            }
            case "Fn::Select": {
                JsonNode list = value(arg.get(1), where);
                return list.get(Integer.parseInt(value(arg.get(0), where).asText()));
            }
            case "Fn::Split": {
                ArrayNode out = JSON.createArrayNode();
                String delimiter = value(arg.get(0), where).asText();
                for (String s : value(arg.get(1), where).asText().split(Pattern.quote(delimiter), -1)) {
                    out.add(s);
                }
                return out;
            }
            case "Fn::FindInMap": {
                JsonNode v = template.path("Mappings").path(value(arg.get(0), where).asText())
                        .path(value(arg.get(1), where).asText()).path(value(arg.get(2), where).asText());
                if (v.isMissingNode()) {
                    throw new Unresolvable(where + ": Fn::FindInMap " + arg + " finds nothing");
                }
                return value(v, where);
            }
            case "Fn::If":
                return value(condition(arg.get(0).asText()) ? arg.get(1) : arg.get(2), where);
            case "Fn::Equals", "Fn::Not", "Fn::And", "Fn::Or", "Fn::Condition":
                return JSON.getNodeFactory().booleanNode(bool(name, arg, where));
            default:
                throw new Unresolvable(where + ": " + name + " is not resolved by doctor");
        }
    }

    private JsonNode ref(String name, String where) {
        if (name.equals("AWS::NoValue")) {
            return NO_VALUE;
        }
        if (pseudo.containsKey(name)) {
            return TextNode.valueOf(pseudo.get(name));
        }
        JsonNode declared = template.path("Parameters").path(name);
        if (!declared.isMissingNode()) {
            String v = parameters.getOrDefault(name, declared.path("Default").asText(""));
            String type = declared.path("Type").asText();
            if (type.equals("CommaDelimitedList") || type.startsWith("List<")) {
                ArrayNode out = JSON.createArrayNode();
                if (!v.isEmpty()) {
                    for (String s : v.split(",")) {
                        out.add(s.trim());
                    }
                }
                return out;
            }
            return TextNode.valueOf(v);
        }
        Resource r = resources.get(name);
        if (r == null) {
            throw new Unresolvable(where + ": Ref " + name + ": the stack has no such parameter or resource");
        }
        return TextNode.valueOf(r.physicalId());
    }

    private String attribute(String logicalId, String attribute, String where) {
        Resource r = resources.get(logicalId);
        if (r == null) {
            throw new Unresolvable(where + ": Fn::GetAtt " + logicalId + "." + attribute + ": no such resource");
        }
        String p = pseudo.get("AWS::Partition");
        String region = pseudo.get("AWS::Region");
        String account = pseudo.get("AWS::AccountId");
        String id = r.physicalId();
        String last = id.substring(Math.max(id.lastIndexOf('/'), id.lastIndexOf(':')) + 1);
        switch (r.type() + "." + attribute) {
            case "AWS::SNS::Topic.TopicArn", "AWS::SQS::Queue.QueueUrl":
                return id;
            case "AWS::SNS::Topic.TopicName", "AWS::StepFunctions::StateMachine.Name", "AWS::SQS::Queue.QueueName":
                return last;
            default:
                break;
        }
        if (!attribute.equals("Arn")) {
            throw new Unresolvable(where + ": Fn::GetAtt " + logicalId + "." + attribute
                    + " is not resolved by doctor");
        }
        return switch (r.type()) {
            case "AWS::IAM::Role" -> "arn:" + p + ":iam::" + account + ":role" + property(logicalId, "Path", "/") + id;
            case "AWS::KMS::Key" -> id.startsWith("arn:") ? id : "arn:" + p + ":kms:" + region + ":" + account
                    + ":key/" + id;
            case "AWS::DynamoDB::Table" -> "arn:" + p + ":dynamodb:" + region + ":" + account + ":table/" + id;
            case "AWS::Lambda::Function" -> "arn:" + p + ":lambda:" + region + ":" + account + ":function:" + id;
            case "AWS::SQS::Queue" -> "arn:" + p + ":sqs:" + region + ":" + account + ":" + last;
            case "AWS::Logs::LogGroup" -> "arn:" + p + ":logs:" + region + ":" + account + ":log-group:" + id + ":*";
            case "AWS::S3::Bucket" -> "arn:" + p + ":s3:::" + id;
            case "AWS::Scheduler::Schedule" -> "arn:" + p + ":scheduler:" + region + ":" + account + ":schedule/"
                    + property(logicalId, "GroupName", "default") + "/" + id;
            case "AWS::Events::Rule" -> id.startsWith("arn:") ? id
                    : "arn:" + p + ":events:" + region + ":" + account + ":rule/" + id;
            case "AWS::StepFunctions::StateMachine", "AWS::SNS::Topic", "AWS::Lambda::Version",
                 "AWS::Lambda::Alias", "AWS::IAM::ManagedPolicy" -> id;
            default -> throw new Unresolvable(where + ": Fn::GetAtt " + logicalId + ".Arn (" + r.type()
                    + ") is not resolved by doctor");
        };
    }

    /** A resource's property in the template, resolved, or the default when it has none. */
    private String property(String logicalId, String name, String otherwise) {
        JsonNode v = template.path("Resources").path(logicalId).path("Properties").path(name);
        return v.isMissingNode() ? otherwise : value(v, "Resources." + logicalId + "." + name).asText(otherwise);
    }

    private String sub(JsonNode arg, String where) {
        String text = arg.isArray() ? arg.get(0).asText() : arg.asText();
        Map<String, String> local = new HashMap<>();
        if (arg.isArray() && arg.size() > 1) {
            arg.get(1).fields().forEachRemaining(e -> local.put(e.getKey(), value(e.getValue(), where).asText()));
        }
        Matcher m = SUB.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String name = m.group(1);
            String v;
            if (name.startsWith("!")) {
                v = "${" + name.substring(1) + "}";
            } else if (local.containsKey(name)) {
                v = local.get(name);
            } else if (name.contains(".") && !name.startsWith("AWS::")) {
                String[] parts = name.split("\\.", 2);
                v = attribute(parts[0], parts[1], where);
            } else {
                v = ref(name, where).asText();
            }
            m.appendReplacement(out, Matcher.quoteReplacement(v));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** A condition of the template's Conditions section, evaluated once. */
    boolean condition(String name) {
        Boolean known = conditions.get(name);
        if (known != null) {
            return known;
        }
        JsonNode c = template.path("Conditions").path(name);
        if (c.isMissingNode()) {
            throw new Unresolvable("the template has no condition " + name);
        }
        String fn = c.fieldNames().next();
        boolean v = bool(fn, c.get(fn), "Conditions." + name);
        conditions.put(name, v);
        return v;
    }

    private boolean bool(String name, JsonNode arg, String where) {
        return switch (name) {
            case "Fn::Equals" -> value(arg.get(0), where).asText().equals(value(arg.get(1), where).asText());
            case "Fn::Not" -> !operand(arg.get(0), where);
            case "Fn::And" -> {
                boolean all = true;
                for (JsonNode a : arg) {
                    all &= operand(a, where);
                }
                yield all;
            }
            case "Fn::Or" -> {
                boolean any = false;
                for (JsonNode a : arg) {
                    any |= operand(a, where);
                }
                yield any;
            }
            case "Fn::Condition", "Condition" -> condition(arg.asText());
            default -> throw new Unresolvable(where + ": " + name + " is not a condition function");
        };
    }

    private boolean operand(JsonNode a, String where) {
        if (a.isObject() && a.size() == 1) {
            String fn = a.fieldNames().next();
            return bool(fn, a.get(fn), where);
        }
        return a.asBoolean();
    }
}
