package com.omc.flywheel.local.iam;

import com.fasterxml.jackson.databind.JsonNode;
import com.omc.flywheel.local.cleanrooms.ServiceModel;
import com.omc.flywheel.local.proxy.AwsProxy;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What IAM authorizes for one AWS call: the action ({@code glue:GetTable}), and the ARN of every
 * resource type AWS's authorization reference names for it, built from the request the way AWS
 * builds it ({@code catalog}, {@code database/omc_flywheel_dev}, {@code table/omc_flywheel_dev/part_x}).
 * Resources that a call addresses by a pattern or does not name yet get a {@code *} where AWS does
 * (GetTables authorizes {@code table/<db>/*}; a create authorizes the new resource's {@code .../*}).
 * A call also carries what AWS authorizes beside it: passing a role to Clean Rooms is
 * {@code iam:PassRole} with {@code iam:PassedToService}; S3 and SNS use a customer managed KMS key as
 * the caller: an SSE-KMS write (the request's key, else the bucket's default encryption) is
 * {@code kms:GenerateDataKey} on it, a multipart one also {@code kms:Decrypt}, reading an SSE-KMS object
 * {@code kms:Decrypt}, and publishing to a topic with a {@code KmsMasterKeyId} both.
 *
 * <p>An operation this class cannot map throws {@link UnmappedOperationException}: an unmapped call
 * must fail the test that made it, never pass unchecked.
 */
public final class ApiActions {
    /** What IAM checks for one action: the resources (all must be allowed) and the condition keys. */
    public record Authorization(String action, List<String> resources, Map<String, String> context) {
    }

    /** A call the local IAM check cannot map to an action and its resources. */
    public static final class UnmappedOperationException extends RuntimeException {
        public UnmappedOperationException(String message) {
            super(message);
        }
    }

    /** Lookups only the emulators can answer (which association a Clean Rooms schema comes from). */
    public interface Lookups {
        Optional<String> collaborationArn(String collaborationId);

        Optional<String> schemaAssociationArn(String collaborationId, String schemaName);

        /** The customer managed key a topic's messages are encrypted with (its KmsMasterKeyId), as an ARN. */
        default Optional<String> topicKey(String topicArn) {
            return Optional.empty();
        }

        /** The customer managed key of a bucket's default encryption (SSE-KMS naming a key), as an ARN. */
        default Optional<String> bucketKey(String bucket) {
            return Optional.empty();
        }

        /** The customer managed key an object is stored under (SSE-KMS), as an ARN; empty when none or no object. */
        default Optional<String> objectKey(String bucket, String key) {
            return Optional.empty();
        }
    }

    private static final Map<String, ServiceModel> REST_MODELS = new ConcurrentHashMap<>();
    private final AuthorizationReference reference;
    private final String region;
    private final String account;
    private final Lookups lookups;
    /** Athena authorizes a query's calls on its workgroup, which only StartQueryExecution names. */
    private final Map<String, String> queryWorkgroups = new ConcurrentHashMap<>();

    public ApiActions(AuthorizationReference reference, String region, String account, Lookups lookups) {
        this.reference = reference;
        this.region = region;
        this.account = account;
        this.lookups = lookups;
    }

    /** Remembers the workgroup of a started Athena query (from StartQueryExecution's request and answer). */
    public void queryStarted(String queryExecutionId, String workgroup) {
        queryWorkgroups.put(queryExecutionId, workgroup);
    }

    /** The authorizations one call needs, the API's own action first. */
    public List<Authorization> authorizations(AwsProxy.Call call) {
        Request r = request(call);
        List<Authorization> out = new ArrayList<>();
        out.add(authorization(r, call));
        out.addAll(r.implied);
        return out;
    }

    /** The action and its variables, per protocol. */
    private Request request(AwsProxy.Call call) {
        return switch (call.service()) {
            case "glue" -> glue(call);
            case "athena" -> athena(call);
            case "dynamodb" -> dynamodb(call);
            case "states" -> states(call);
            case "s3" -> s3(call);
            case "sns" -> sns(call);
            case "cleanrooms", "entityresolution", "lambda" -> rest(call);
            default -> throw unmapped(call, "no IAM mapping for service " + call.service());
        };
    }

    private static final class Request {
        final String service;
        final String action;
        final Map<String, String> vars = new HashMap<>();
        final Map<String, String> context = new LinkedHashMap<>();
        final List<Authorization> implied = new ArrayList<>();
        /** Resource types this call does not address (e.g. a schema that no association backs). */
        final java.util.Set<String> absent = new java.util.HashSet<>();

        Request(String service, String action) {
            this.service = service;
            this.action = action;
        }

        Request var(String name, String value) {
            if (value != null && !value.isEmpty()) {
                vars.put(name, value);
            }
            return this;
        }
    }

    private Request glue(AwsProxy.Call call) {
        JsonNode b = call.json();
        Request r = new Request("glue", call.operation());
        switch (call.operation()) {
            case "GetJob", "StartJobRun", "GetJobRun", "GetJobRuns", "BatchStopJobRun", "GetJobBookmark" ->
                    r.var("JobName", text(b, "JobName"));
            case "GetDatabase" -> r.var("DatabaseName", text(b, "Name"));
            case "GetDatabases" -> r.var("DatabaseName", "*").var("TableName", "*");
            case "GetTables" -> r.var("DatabaseName", text(b, "DatabaseName")).var("TableName", "*");
            case "GetTable", "DeleteTable" -> r.var("DatabaseName", text(b, "DatabaseName"))
                    .var("TableName", text(b, "Name"));
            case "UpdateTable", "CreateTable" -> r.var("DatabaseName", text(b, "DatabaseName"))
                    .var("TableName", text(b.path("TableInput"), "Name"));
            case "GetPartitions", "GetPartition", "BatchGetPartition", "BatchCreatePartition", "CreatePartition",
                 "BatchDeletePartition", "DeletePartition", "UpdatePartition", "BatchUpdatePartition" ->
                    r.var("DatabaseName", text(b, "DatabaseName")).var("TableName", text(b, "TableName"));
            default -> throw unmapped(call, "no IAM mapping for glue:" + call.operation());
        }
        return r;
    }

    private Request athena(AwsProxy.Call call) {
        JsonNode b = call.json();
        Request r = new Request("athena", call.operation());
        switch (call.operation()) {
            case "StartQueryExecution" -> r.var("WorkGroupName", b.path("WorkGroup").asText("primary"));
            case "GetQueryExecution", "GetQueryResults", "StopQueryExecution" ->
                    r.var("WorkGroupName", queryWorkgroups.getOrDefault(text(b, "QueryExecutionId"), "primary"));
            case "BatchGetQueryExecution" -> {
                String wg = null;
                for (JsonNode id : b.path("QueryExecutionIds")) {
                    wg = queryWorkgroups.getOrDefault(id.asText(), "primary");
                }
                r.var("WorkGroupName", wg == null ? "primary" : wg);
            }
            default -> throw unmapped(call, "no IAM mapping for athena:" + call.operation());
        }
        return r;
    }

    private Request dynamodb(AwsProxy.Call call) {
        String table = text(call.json(), "TableName");
        if (table == null) {
            throw unmapped(call, "dynamodb:" + call.operation() + " without TableName");
        }
        return new Request("dynamodb", call.operation()).var("TableName", table);
    }

    private Request states(AwsProxy.Call call) {
        JsonNode b = call.json();
        Request r = new Request("states", call.operation());
        switch (call.operation()) {
            case "StartExecution", "DescribeStateMachine", "UpdateStateMachine", "DeleteStateMachine" ->
                    r.var("StateMachineName", last(text(b, "stateMachineArn"), ':'));
            case "ListExecutions" -> {
                // By state machine or by Map Run: the reference names both types; a call addresses one.
                if (text(b, "mapRunArn") != null) {
                    throw unmapped(call, "states:ListExecutions of a Map Run");
                }
                r.var("StateMachineName", last(text(b, "stateMachineArn"), ':'));
                r.absent.add("maprun");
            }
            case "DescribeExecution", "GetExecutionHistory", "RedriveExecution", "StopExecution" -> {
                String[] arn = String.valueOf(text(b, "executionArn")).split(":");
                if (arn.length < 8) {
                    throw unmapped(call, "states:" + call.operation() + " with executionArn "
                            + text(b, "executionArn"));
                }
                r.var("StateMachineName", arn[6]).var("ExecutionId", arn[7]);
                // DescribeExecution names both types in the reference; an ARN addresses one: a Standard
                // execution (arn:…:execution:…) or an Express one (arn:…:express:…).
                r.absent.add(arn[5].equals("express") ? "execution" : "express");
            }
            case "CreateStateMachine" -> r.var("StateMachineName", text(b, "name"));
            case "ListStateMachines" -> { }
            default -> throw unmapped(call, "no IAM mapping for states:" + call.operation());
        }
        return r;
    }

    private Request s3(AwsProxy.Call call) {
        String host = String.valueOf(call.header("host"));
        String path = URLDecoder.decode(call.path(), StandardCharsets.UTF_8);
        String bucket;
        String key;
        String hostName = host.contains(":") ? host.substring(0, host.indexOf(':')) : host;
        if (!hostName.equals("localhost") && !hostName.matches("[0-9.]+") && hostName.contains(".")) {
            bucket = hostName.substring(0, hostName.indexOf('.'));
            key = path.length() > 1 ? path.substring(1) : "";
        } else {
            String rest = path.startsWith("/") ? path.substring(1) : path;
            int slash = rest.indexOf('/');
            bucket = slash < 0 ? rest : rest.substring(0, slash);
            key = slash < 0 ? "" : rest.substring(slash + 1);
        }
        Map<String, String> q = query(call.query());
        String action = switch (call.method()) {
            case "GET" -> key.isEmpty() ? (q.containsKey("location") ? "GetBucketLocation" : "ListBucket")
                    : "GetObject";
            case "HEAD" -> key.isEmpty() ? "ListBucket" : "GetObject";
            case "PUT" -> key.isEmpty() ? "CreateBucket" : "PutObject";
            case "DELETE" -> key.isEmpty() ? "DeleteBucket" : "DeleteObject";
            case "POST" -> q.containsKey("delete") ? "DeleteObject" : "PutObject";
            default -> throw unmapped(call, "no IAM mapping for S3 " + call.method() + " " + call.path());
        };
        Request r = new Request("s3", action).var("BucketName", bucket);
        if (!key.isEmpty()) {
            r.var("ObjectName", key);
        }
        if (action.equals("ListBucket")) {
            r.context.put("s3:prefix", q.getOrDefault("prefix", ""));
            r.context.put("s3:delimiter", q.getOrDefault("delimiter", ""));
        }
        if (action.equals("PutObject") && !key.isEmpty()) {
            writeKey(call, bucket).ifPresent(k -> {
                r.implied.add(new Authorization("kms:GenerateDataKey", List.of(k), Map.of()));
                if (q.containsKey("uploads") || q.containsKey("uploadId")) {
                    // A multipart upload's parts are put together with the key: Decrypt as well.
                    r.implied.add(new Authorization("kms:Decrypt", List.of(k), Map.of()));
                }
            });
        } else if (call.method().equals("GET") && action.equals("GetObject")) {
            lookups.objectKey(bucket, key).ifPresent(k ->
                    r.implied.add(new Authorization("kms:Decrypt", List.of(k), Map.of())));
        }
        return r;
    }

    /**
     * The customer managed key S3 encrypts a write with: the request's SSE-KMS key, else, when the
     * request asks for no encryption, the bucket's default one. SSE-S3, and SSE-KMS with the AWS managed
     * {@code aws/s3} key (whose key policy admits the account's S3 callers), need no IAM grant.
     */
    private Optional<String> writeKey(AwsProxy.Call call, String bucket) {
        String kmsKey = call.header("x-amz-server-side-encryption-aws-kms-key-id");
        if (kmsKey != null) {
            return Optional.of(kmsKeyArn(kmsKey));
        }
        if (call.header("x-amz-server-side-encryption") != null || call.header("x-amz-copy-source") != null) {
            return Optional.empty();
        }
        return lookups.bucketKey(bucket).map(this::kmsKeyArn);
    }

    private Request sns(AwsProxy.Call call) {
        Map<String, String> form = query(new String(call.body(), StandardCharsets.UTF_8));
        String action = form.getOrDefault("Action", call.operation());
        String topicArn = form.getOrDefault("TopicArn", text(call.json(), "TopicArn"));
        if (topicArn == null) {
            throw unmapped(call, "no IAM mapping for sns:" + action + " without TopicArn");
        }
        String[] arn = topicArn.split(":");
        Request r = new Request("sns", action).var("TopicName", arn[5]).var("Region", arn[3]).var("Account", arn[4]);
        if (action.equals("Publish") || action.equals("PublishBatch")) {
            // SNS encrypts the message with the topic's key as the publisher.
            lookups.topicKey(topicArn).map(this::kmsKeyArn).ifPresent(k -> {
                r.implied.add(new Authorization("kms:GenerateDataKey", List.of(k), Map.of()));
                r.implied.add(new Authorization("kms:Decrypt", List.of(k), Map.of()));
            });
        }
        return r;
    }

    /** REST-JSON services, routed by the official model's HTTP bindings (botocore's service-2.json). */
    private Request rest(AwsProxy.Call call) {
        ServiceModel model = REST_MODELS.computeIfAbsent(call.service(), ServiceModel::load);
        ServiceModel.Match match = model.match(call.method(), call.path());
        if (match == null) {
            throw unmapped(call, "no " + call.service() + " operation at " + call.method() + " " + call.path());
        }
        Map<String, String> p = new HashMap<>();
        match.pathParameters().forEach((k, v) -> p.put(k, URLDecoder.decode(v, StandardCharsets.UTF_8)));
        JsonNode b = call.json();
        String op = match.operation().name();
        return switch (call.service()) {
            case "lambda" -> lambda(call, op, p);
            case "entityresolution" -> entityResolution(call, op, p);
            default -> cleanRooms(call, op, p, b);
        };
    }

    private Request lambda(AwsProxy.Call call, String op, Map<String, String> p) {
        if (!op.equals("Invoke")) {
            throw unmapped(call, "no IAM mapping for lambda:" + op);
        }
        String id = p.get("FunctionName");
        Map<String, String> q = query(call.query());
        String name;
        String qualifier = q.get("Qualifier");
        if (id.startsWith("arn:")) {
            String[] arn = id.split(":");
            name = arn[6];
            qualifier = arn.length > 7 ? arn[7] : qualifier;
        } else {
            String[] parts = id.split(":");
            name = parts[0];
            qualifier = parts.length > 1 ? parts[1] : qualifier;
        }
        return new Request("lambda", "InvokeFunction").var("FunctionName", qualifier == null ? name : name + ":"
                + qualifier);
    }

    private Request entityResolution(AwsProxy.Call call, String op, Map<String, String> p) {
        Request r = new Request("entityresolution", op);
        switch (op) {
            case "GetIdNamespace" -> r.var("IdNamespaceName", p.get("idNamespaceName"));
            case "GetSchemaMapping" -> r.var("SchemaName", p.get("schemaName"));
            case "ListIdNamespaces", "ListSchemaMappings", "AddPolicyStatement", "GetPolicy" -> { }
            default -> throw unmapped(call, "no IAM mapping for entityresolution:" + op);
        }
        return r;
    }

    private Request cleanRooms(AwsProxy.Call call, String op, Map<String, String> p, JsonNode b) {
        Request r = new Request("cleanrooms", op);
        String membership = id(p.get("membershipIdentifier"));
        String collaboration = id(p.get("collaborationIdentifier"));
        if (membership != null) {
            r.var("MembershipId", membership);
        }
        if (collaboration != null) {
            r.var("CollaborationId", collaboration);
            lookups.collaborationArn(collaboration).ifPresent(arn -> r.var("CollaborationAccount", arn.split(":")[4]));
        }
        String table = id(p.getOrDefault("configuredTableIdentifier", text(b, "configuredTableIdentifier")));
        String association = id(p.get("configuredTableAssociationIdentifier"));
        switch (op) {
            case "ListConfiguredTables", "ListCollaborations", "ListMemberships", "GetMembership", "GetCollaboration",
                 "ListMembers", "ListSchemas" -> { }
            case "ListConfiguredTableAssociations" -> r.var("ConfiguredTableAssociationId", "*");
            case "GetConfiguredTableAssociation", "DeleteConfiguredTableAssociation",
                    "UpdateConfiguredTableAssociation",
                 "GetConfiguredTableAssociationAnalysisRule", "CreateConfiguredTableAssociationAnalysisRule",
                 "UpdateConfiguredTableAssociationAnalysisRule", "DeleteConfiguredTableAssociationAnalysisRule" ->
                    r.var("ConfiguredTableAssociationId", association);
            case "CreateConfiguredTableAssociation" -> r.var("ConfiguredTableAssociationId", "*")
                    .var("ConfiguredTableId", table);
            case "ListConfiguredTableAnalysisRules", "GetConfiguredTable", "DeleteConfiguredTable",
                    "UpdateConfiguredTable",
                 "GetConfiguredTableAnalysisRule", "CreateConfiguredTableAnalysisRule",
                         "UpdateConfiguredTableAnalysisRule",
                 "DeleteConfiguredTableAnalysisRule" -> r.var("ConfiguredTableId", table);
            case "CreateConfiguredTable" -> r.var("ConfiguredTableId", "*");
            case "ListIdNamespaceAssociations", "CreateIdNamespaceAssociation" ->
                    r.var("IdNamespaceAssociationId", "*");
            case "GetIdNamespaceAssociation", "UpdateIdNamespaceAssociation", "DeleteIdNamespaceAssociation" ->
                    r.var("IdNamespaceAssociationId", id(p.get("idNamespaceAssociationIdentifier")));
            case "ListPrivacyBudgetTemplates", "CreatePrivacyBudgetTemplate" -> r.var("PrivacyBudgetTemplateId", "*");
            case "GetPrivacyBudgetTemplate", "UpdatePrivacyBudgetTemplate", "DeletePrivacyBudgetTemplate" ->
                    r.var("PrivacyBudgetTemplateId", id(p.get("privacyBudgetTemplateIdentifier")));
            case "ListIdMappingTables" -> r.var("IdMappingTableId", "*");
            case "GetIdMappingTable" -> r.var("IdMappingTableId", id(p.get("idMappingTableIdentifier")));
            case "GetSchema", "GetSchemaAnalysisRule" -> {
                String arn = lookups.schemaAssociationArn(collaboration, p.get("name")).orElse(null);
                if (arn == null) {
                    // No such schema: the service answers ResourceNotFound, authorized on the collaboration alone.
                    r.absent.add("configuredtableassociation");
                } else {
                    String[] parts = arn.split(":")[5].split("/");
                    r.var("MembershipId", parts[1]).var("ConfiguredTableAssociationId", parts[3]);
                }
            }
            case "TagResource", "UntagResource", "ListTagsForResource" -> {
                String arn = p.get("resourceArn");
                return new Request("cleanrooms", op).var("ExplicitArn", arn);
            }
            default -> throw unmapped(call, "no IAM mapping for cleanrooms:" + op);
        }
        if (op.equals("CreateIdNamespaceAssociation")) {
            // Clean Rooms reads the namespace and adds a statement to its resource policy with the caller's rights.
            String namespace = text(b.path("inputReferenceConfig"), "inputReferenceArn");
            if (namespace != null) {
                r.implied.add(new Authorization("entityresolution:GetIdNamespace", List.of(namespace), Map.of()));
            }
            r.implied.add(new Authorization("entityresolution:AddPolicyStatement", List.of("*"), Map.of()));
        }
        String role = text(b, "roleArn");
        if (role != null && (op.equals("CreateConfiguredTableAssociation")
                || op.equals("UpdateConfiguredTableAssociation")
                || op.equals("CreateIdMappingTable") || op.equals("CreateConfiguredAudienceModelAssociation"))) {
            r.implied.add(new Authorization("iam:PassRole", List.of(role),
                    Map.of("iam:PassedToService", "cleanrooms.amazonaws.com")));
        }
        return r;
    }

    /** The authorization of an action: the ARN of each required resource type, and of each optional one it names. */
    private Authorization authorization(Request r, AwsProxy.Call call) {
        Map<String, String> vars = r.vars;
        Map<String, String> context = r.context;
        AuthorizationReference.Action a = reference.action(r.service, r.action).orElseThrow(() -> unmapped(call,
                "AWS's authorization reference has no action " + r.service + ":" + r.action));
        if (vars.containsKey("ExplicitArn")) {
            return new Authorization(a.key(), List.of(vars.get("ExplicitArn")), context);
        }
        List<String> resources = new ArrayList<>();
        for (AuthorizationReference.ResourceType type : a.resourceTypes()) {
            if (r.absent.contains(type.name().toLowerCase(java.util.Locale.ROOT))) {
                continue;
            }
            String arn = arn(type.arnFormat(), vars);
            if (arn != null) {
                resources.add(arn);
            } else if (type.required()) {
                throw unmapped(call, a.key() + " requires resource type " + type.name() + " (" + type.arnFormat()
                        + ") and the request does not name it: extend ApiActions");
            }
        }
        if (resources.isEmpty()) {
            resources.add("*");
        }
        return new Authorization(a.key(), List.copyOf(resources), context);
    }

    /** The ARN from a format, or null when a variable of it is unknown. */
    private String arn(String format, Map<String, String> vars) {
        Map<String, String> all = new HashMap<>(vars);
        all.putIfAbsent("Partition", "aws");
        all.putIfAbsent("Region", region);
        all.putIfAbsent("Account", account);
        if (format.contains(":collaboration/") && vars.containsKey("CollaborationAccount")) {
            all.put("Account", vars.get("CollaborationAccount"));
        }
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < format.length()) {
            int start = format.indexOf("${", i);
            if (start < 0) {
                out.append(format, i, format.length());
                break;
            }
            int end = format.indexOf('}', start);
            out.append(format, i, start);
            String value = all.get(format.substring(start + 2, end));
            if (value == null) {
                return null;
            }
            out.append(value);
            i = end + 1;
        }
        return out.toString();
    }

    private String kmsKeyArn(String keyId) {
        return keyId.startsWith("arn:") ? keyId : keyId.startsWith("alias/")
                ? "arn:aws:kms:" + region + ":" + account + ":" + keyId : "arn:aws:kms:" + region + ":" + account
                        + ":key/" + keyId;
    }

    /** An identifier given as an id or as an ARN, as its id. */
    private static String id(String identifier) {
        if (identifier == null) {
            return null;
        }
        return identifier.startsWith("arn:") ? last(identifier, '/') : identifier;
    }

    private static String last(String s, char separator) {
        return s == null ? null : s.substring(s.lastIndexOf(separator) + 1);
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n == null ? null : n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static Map<String, String> query(String query) {
        Map<String, String> out = new HashMap<>();
        if (query == null || query.isEmpty()) {
            return out;
        }
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            out.put(k, v);
        }
        return out;
    }

    private static UnmappedOperationException unmapped(AwsProxy.Call call, String why) {
        return new UnmappedOperationException(why + " (call " + call.method() + " " + call.path() + ")");
    }
}
