package com.omc.flywheel.local.cleanrooms;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.omc.flywheel.local.proxy.LoopbackHttpServer;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.services.glue.GlueClient;
import software.amazon.awssdk.services.glue.model.Column;
import software.amazon.awssdk.services.glue.model.EntityNotFoundException;
import software.amazon.awssdk.services.glue.model.Table;

/**
 * A stand-in for AWS Clean Rooms and AWS Entity Resolution, which moto does not emulate: an HTTP
 * service on a free loopback port that the real SDK clients reach through
 * {@code AWS_ENDPOINT_URL_CLEANROOMS} / {@code AWS_ENDPOINT_URL_ENTITYRESOLUTION} (or
 * {@code endpointOverride}). Requests are routed and validated from the official API models
 * ({@link ServiceModel}); answers are checked against the output shapes' required members. State is
 * in memory and resettable; lists page in small pages so paging is exercised; the real service's
 * errors are given where the real service gives them (ConflictException, ResourceNotFoundException,
 * ValidationException, ServiceQuotaExceededException at the association quota); and a chosen call
 * can be made to fail, to test what a step does when AWS fails part-way.
 *
 * <p>Privacy budget templates (Create/List/Get/DeletePrivacyBudgetTemplate) follow the model: a
 * template belongs to a membership's collaboration, is {@code DIFFERENTIAL_PRIVACY} (the
 * collaboration's one differential privacy budget) or {@code ACCESS_BUDGET} (its
 * {@code accessBudget.resourceArn} names one configured table association). An association, or its
 * analysis rule, that an ACCESS_BUDGET template budgets cannot be deleted: ConflictException with
 * reason SUBRESOURCES_EXIST, until the template is deleted (SPEC.md §6: templates block deletes).
 */
public final class CleanRoomsStandIn implements AutoCloseable {
    public static final String ACCOUNT = "123456789012";
    private static final String REGION = "us-east-1";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final Pattern SCOPE = Pattern.compile("Credential=[^/]+/[0-9]+/[^/]+/([^/]+)/aws4_request");
    private static final Set<String> READ_ONLY_PREFIXES = Set.of("Get", "List", "BatchGet");

    private LoopbackHttpServer server;
    private final Map<String, ServiceModel> models = new LinkedHashMap<>();
    private final Map<String, ModelValidator> validators = new LinkedHashMap<>();
    private final Map<String, ModelValidator> answerCheckers = new LinkedHashMap<>();
    private final GlueClient glue;

    // --- state (guarded by this) ---
    private final Map<String, ObjectNode> collaborations = new TreeMap<>();
    private final Map<String, ObjectNode> memberships = new TreeMap<>();
    private final Map<String, List<ObjectNode>> members = new TreeMap<>();
    private final Map<String, ObjectNode> configuredTables = new LinkedHashMap<>();
    private final Map<String, Map<String, ObjectNode>> tableRules = new TreeMap<>();
    private final Map<String, ObjectNode> associations = new LinkedHashMap<>();
    private final Map<String, Map<String, ObjectNode>> associationRules = new TreeMap<>();
    private final Map<String, ObjectNode> idNamespaceAssociations = new LinkedHashMap<>();
    private final Map<String, ObjectNode> privacyBudgetTemplates = new LinkedHashMap<>();
    private final Map<String, ObjectNode> idMappingTables = new LinkedHashMap<>();
    private final Map<String, ObjectNode> idNamespaces = new TreeMap<>();
    private final Map<String, ObjectNode> schemaMappings = new TreeMap<>();
    private final List<String> mutations = new ArrayList<>();
    private int pageSize = 3;
    private int associationQuota = 25;
    private int maxAllowedColumns = 100;
    private Fault fault;
    private long clock = 1_767_225_600L; // 2026-01-01T00:00:00Z; one second per change, so order is stable

    /** The next {@code nth} call matching {@code operation} ("*" for any mutating call) fails. */
    private static final class Fault {
        final String operation;
        int remaining;
        final int status;
        final String type;

        Fault(String operation, int nth, int status, String type) {
            this.operation = operation;
            this.remaining = nth;
            this.status = status;
            this.type = type;
        }
    }

    private CleanRoomsStandIn(GlueClient glue) {
        this.glue = glue;
        for (String service : List.of("cleanrooms", "entityresolution")) {
            ServiceModel m = ServiceModel.load(service);
            models.put(service, m);
            validators.put(service, new ModelValidator(m, true));
            answerCheckers.put(service, new ModelValidator(m, false));
        }
    }

    /**
     * Starts the stand-in. {@code glue} (may be null) is the catalog configured tables are checked
     * against, as the real service reads the Glue table: it must exist and hold every allowed column.
     */
    public static CleanRoomsStandIn start(GlueClient glue) {
        CleanRoomsStandIn standIn = new CleanRoomsStandIn(glue);
        standIn.server = LoopbackHttpServer.start("cleanrooms-standin", 8, standIn::handle);
        return standIn;
    }

    public String endpoint() {
        return server.endpoint();
    }

    public java.net.URI endpointUri() {
        return server.endpointUri();
    }

    @Override
    public void close() {
        server.close();
    }

    // ---------------------------------------------------------------- configuration and seeding

    /** Forgets everything: collaborations, tables, rules, associations, faults. */
    public synchronized void reset() {
        collaborations.clear();
        memberships.clear();
        members.clear();
        configuredTables.clear();
        tableRules.clear();
        associations.clear();
        associationRules.clear();
        idNamespaceAssociations.clear();
        privacyBudgetTemplates.clear();
        idMappingTables.clear();
        idNamespaces.clear();
        schemaMappings.clear();
        mutations.clear();
        fault = null;
        pageSize = 3;
        associationQuota = 25;
    }

    /** The ARN of a collaboration (its creator's account), for the local IAM check of calls naming it. */
    public synchronized java.util.Optional<String> collaborationArn(String collaborationId) {
        ObjectNode c = collaborations.get(collaborationId);
        return c == null ? java.util.Optional.empty() : java.util.Optional.of(c.get("arn").asText());
    }

    /** The ARN of the association a collaboration's schema comes from (its name is the association's). */
    public synchronized java.util.Optional<String> schemaAssociationArn(String collaborationId, String schemaName) {
        return associations.values().stream().filter(a -> a.get("name").asText().equals(schemaName))
                .map(a -> a.get("arn").asText()).findFirst();
    }

    public synchronized void pageSize(int size) {
        this.pageSize = size;
    }

    public synchronized void associationQuota(int quota) {
        this.associationQuota = quota;
    }

    /** The {@code nth} next call of {@code operation} (e.g. "CreateConfiguredTableAssociation", or "*" for any change)
    * fails. */
    public synchronized void failCall(String operation, int nth, int status, String errorType) {
        this.fault = new Fault(operation, nth, status, errorType);
    }

    /** Every change applied so far, in order: {@code "CreateConfiguredTable part_ibe_01"}. */
    public synchronized List<String> mutations() {
        return List.copyOf(mutations);
    }

    /** A collaboration member: account, name, abilities ({@code CAN_QUERY}, {@code CAN_RECEIVE_RESULTS}). */
    public record Member(String accountId, String displayName, List<String> abilities) {
    }

    /**
     * Creates a collaboration with these members and this account's ACTIVE membership in it; returns
     * the membership id. This account is the data provider (no abilities unless listed as a member).
     */
    public synchronized String collaboration(String name, List<Member> others, String resultBucket) {
        return collaboration(name, others, resultBucket, UUID.randomUUID().toString());
    }

    /** As {@link #collaboration(String, List, String)}, with a chosen membership id (sample events name one). */
    public synchronized String collaboration(String name, List<Member> others, String resultBucket,
            String membershipId) {
        String collabId = UUID.randomUUID().toString();
        String creator = others.isEmpty() ? ACCOUNT : others.get(0).accountId();
        long t = tick();
        ObjectNode c = NODES.objectNode();
        c.put("id", collabId).put("arn", arn("collaboration/" + collabId, creator)).put("name", name)
                .put("description", "stand-in collaboration").put("creatorAccountId", creator)
                .put("creatorDisplayName", others.isEmpty() ? "Data Provider" : others.get(0).displayName())
                .put("createTime", t).put("updateTime", t).put("memberStatus", "ACTIVE")
                .put("membershipId", membershipId).put("membershipArn", arn("membership/" + membershipId, ACCOUNT))
                .put("queryLogStatus", "ENABLED").put("analyticsEngine", "CLEAN_ROOMS_SQL");
        collaborations.put(collabId, c);
        ObjectNode m = NODES.objectNode();
        m.put("id", membershipId).put("arn", arn("membership/" + membershipId, ACCOUNT))
                .put("collaborationArn", c.get("arn").asText())
                .put("collaborationId", collabId).put("collaborationCreatorAccountId", creator)
                .put("collaborationCreatorDisplayName", c.get("creatorDisplayName").asText())
                        .put("collaborationName", name)
                .put("createTime", t).put("updateTime", t).put("status", "ACTIVE").put("queryLogStatus", "ENABLED");
        m.putArray("memberAbilities");
        m.putObject("paymentConfiguration").putObject("queryCompute").put("isResponsible", false);
        if (resultBucket != null) {
            ObjectNode s3 = m.putObject("defaultResultConfiguration").putObject("outputConfiguration").putObject("s3");
            s3.put("resultFormat", "CSV").put("bucket", resultBucket).put("keyPrefix", "cleanrooms-results/");
            ((ObjectNode) m.get("defaultResultConfiguration")).put("roleArn",
                    "arn:aws:iam::" + ACCOUNT + ":role/cleanrooms-results-writer");
        }
        memberships.put(membershipId, m);
        List<ObjectNode> list = new ArrayList<>();
        list.add(member(ACCOUNT, "Data Provider", List.of(), membershipId, t));
        for (Member o : others) {
            list.add(member(o.accountId(), o.displayName(), o.abilities(), null, t));
        }
        members.put(collabId, list);
        return membershipId;
    }

    private ObjectNode member(String account, String name, List<String> abilities, String membershipId, long t) {
        ObjectNode n = NODES.objectNode();
        n.put("accountId", account).put("status", "ACTIVE").put("displayName", name).put("createTime", t)
                .put("updateTime", t);
        ArrayNode a = n.putArray("abilities");
        abilities.forEach(a::add);
        if (membershipId != null) {
            n.put("membershipId", membershipId).put("membershipArn", arn("membership/" + membershipId, account));
        }
        n.putObject("paymentConfiguration").putObject("queryCompute")
                .put("isResponsible", abilities.contains("CAN_QUERY"));
        return n;
    }

    /** An Entity Resolution ID namespace (GetIdNamespace's answer, as JSON with the model's member names). */
    public synchronized void idNamespace(String name, ObjectNode definition) {
        long t = tick();
        ObjectNode n = definition.deepCopy();
        n.put("idNamespaceName", name).put("idNamespaceArn", "arn:aws:entityresolution:" + REGION + ":" + ACCOUNT
                + ":idnamespace/" + name).put("createdAt", t).put("updatedAt", t);
        idNamespaces.put(name, n);
    }

    /** An Entity Resolution schema mapping (GetSchemaMapping's answer members). */
    public synchronized void schemaMapping(String name, ArrayNode mappedInputFields) {
        long t = tick();
        ObjectNode n = NODES.objectNode();
        n.put("schemaName", name).put("schemaArn", "arn:aws:entityresolution:" + REGION + ":" + ACCOUNT
                + ":schemamapping/" + name)
                .put("createdAt", t).put("updatedAt", t).put("hasWorkflows", true)
                        .set("mappedInputFields", mappedInputFields);
        schemaMappings.put(name, n);
    }

    /** An ID mapping table in a membership, sourced from two ID namespace associations. */
    public synchronized String idMappingTable(String membershipId, String name, String inputReferenceArn,
                                              String sourceAssociationId, String targetAssociationId) {
        ObjectNode m = membership(membershipId);
        String id = UUID.randomUUID().toString();
        long t = tick();
        ObjectNode n = NODES.objectNode();
        n.put("id", id).put("arn", m.get("arn").asText() + "/idmappingtable/" + id).put("membershipId", membershipId)
                .put("membershipArn", m.get("arn").asText()).put("collaborationId", m.get("collaborationId").asText())
                .put("collaborationArn", m.get("collaborationArn").asText()).put("name", name)
                .put("description", "ID mapping table " + name).put("createTime", t).put("updateTime", t);
        n.putObject("inputReferenceConfig").put("inputReferenceArn", inputReferenceArn)
                .put("manageResourcePolicies", true);
        ArrayNode sources = n.putObject("inputReferenceProperties").putArray("idMappingTableInputSource");
        sources.addObject().put("idNamespaceAssociationId", sourceAssociationId).put("type", "SOURCE");
        sources.addObject().put("idNamespaceAssociationId", targetAssociationId).put("type", "TARGET");
        idMappingTables.put(id, n);
        return id;
    }

    // ---------------------------------------------------------------- HTTP

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            String path = exchange.getRequestURI().getRawPath();
            if (path.equals("/_standin/reset") && method.equals("POST")) {
                reset();
                send(exchange, 200, NODES.objectNode().put("status", "reset"), null);
                return;
            }
            byte[] raw = exchange.getRequestBody().readAllBytes();
            String service = service(exchange, method, path);
            ServiceModel model = models.get(service);
            ServiceModel.Match match = model == null ? null : model.match(method, path);
            if (match == null) {
                send(exchange, 404, NODES.objectNode().put("message", "the stand-in has no operation for " + method
                        + " "
                        + path), "UnknownOperationException");
                return;
            }
            ServiceModel.Operation op = match.operation();
            try {
                ObjectNode input = input(model, op, match.pathParameters(), exchange.getRequestURI().getRawQuery(),
                        raw);
                if (op.inputShape() != null) {
                    List<ModelValidator.Violation> violations =
                            validators.get(service).validate(op.inputShape(), input);
                    if (!violations.isEmpty()) {
                        ApiError e = ApiError.validation(violations.size() + " validation error(s) detected: "
                                + violations.get(0).name() + ": " + violations.get(0).message());
                        ArrayNode fields = e.body.putArray("fieldList");
                        violations.forEach(v -> fields.addObject().put("name", v.name()).put("message", v.message()));
                        throw e;
                    }
                }
                ObjectNode output = dispatch(op.name(), input);
                if (op.outputShape() != null && output != null) {
                    List<ModelValidator.Violation> bad = answerCheckers.get(service).validate(op.outputShape(), output);
                    if (!bad.isEmpty()) {
                        throw new ApiError(500, "InternalServerException", "stand-in bug: " + op.name()
                                + " answer breaks the model: " + bad);
                    }
                }
                if (op.successCode() == 204 || output == null) {
                    exchange.sendResponseHeaders(op.successCode(), -1);
                } else {
                    send(exchange, op.successCode(), output, null);
                }
            } catch (ApiError e) {
                send(exchange, e.status, e.body, e.type);
            }
        } catch (RuntimeException e) {
            e.printStackTrace();
            throw e;
        }
    }

    private String service(HttpExchange exchange, String method, String path) {
        String auth = exchange.getRequestHeaders().getFirst("Authorization");
        if (auth != null) {
            Matcher m = SCOPE.matcher(auth);
            if (m.find() && models.containsKey(m.group(1))) {
                return m.group(1);
            }
        }
        for (Map.Entry<String, ServiceModel> e : models.entrySet()) {
            if (e.getValue().match(method, path) != null) {
                return e.getKey();
            }
        }
        return null;
    }

    /** The operation's input as one object: path labels, query parameters and body members. */
    private static ObjectNode input(ServiceModel model, ServiceModel.Operation op, Map<String, String> pathParams,
                                    String rawQuery, byte[] body) {
        ObjectNode input;
        try {
            input = body.length == 0 ? NODES.objectNode() : (ObjectNode) JSON.readTree(body);
        } catch (IOException | ClassCastException e) {
            throw ApiError.validation("the request body is not a JSON object");
        }
        if (op.inputShape() == null) {
            return input;
        }
        Map<String, String> query = new TreeMap<>();
        if (rawQuery != null) {
            for (String pair : rawQuery.split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    query.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = model.shape(op.inputShape()).path("members")
                .fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> m = it.next();
            String location = m.getValue().path("location").asText("");
            String wireName = m.getValue().path("locationName").asText(m.getKey());
            String value = location.equals("uri") ? pathParams.get(wireName)
                    : location.equals("querystring") ? query.get(wireName) : null;
            if (value != null) {
                String type = model.shape(m.getValue().get("shape").asText()).path("type").asText();
                if (type.equals("integer") || type.equals("long")) {
                    try {
                        input.put(m.getKey(), Long.parseLong(value));
                    } catch (NumberFormatException e) {
                        throw ApiError.validation(m.getKey() + " must be a whole number");
                    }
                } else {
                    input.put(m.getKey(), value);
                }
            }
        }
        return input;
    }

    private static void send(HttpExchange exchange, int status, JsonNode body, String errorType) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        if (errorType != null) {
            exchange.getResponseHeaders().set("x-amzn-ErrorType", errorType);
            ((ObjectNode) body).put("__type", errorType);
            bytes = JSON.writeValueAsBytes(body);
        }
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    // ---------------------------------------------------------------- operations

    private synchronized ObjectNode dispatch(String op, ObjectNode in) {
        boolean mutating = READ_ONLY_PREFIXES.stream().noneMatch(op::startsWith);
        if (fault != null && (fault.operation.equals(op) || (fault.operation.equals("*") && mutating))) {
            if (--fault.remaining == 0) {
                Fault f = fault;
                fault = null;
                throw new ApiError(f.status, f.type, "injected fault on " + op);
            }
        }
        ObjectNode out = switch (op) {
            case "GetMembership" -> wrap("membership", membership(text(in, "membershipIdentifier")));
            case "ListMemberships" -> page(in, "membershipSummaries", memberships.values().stream()
                    .map(m -> pick(m, "id", "arn", "collaborationArn", "collaborationId",
                            "collaborationCreatorAccountId",
                            "collaborationCreatorDisplayName", "collaborationName", "createTime", "updateTime",
                                    "status",
                            "memberAbilities", "paymentConfiguration")).toList());
            case "GetCollaboration" -> wrap("collaboration", collaboration(text(in, "collaborationIdentifier")));
            case "ListCollaborations" -> page(in, "collaborationList", collaborations.values().stream()
                    .map(c -> pick(c, "id", "arn", "name", "creatorAccountId", "creatorDisplayName", "createTime",
                            "updateTime", "memberStatus", "membershipId", "membershipArn", "analyticsEngine"))
                                    .toList());
            case "ListMembers" -> {
                collaboration(text(in, "collaborationIdentifier"));
                yield page(in, "memberSummaries", members.get(text(in, "collaborationIdentifier")));
            }
            case "CreateConfiguredTable" -> createConfiguredTable(in);
            case "GetConfiguredTable" -> wrap("configuredTable",
                    configuredTable(text(in, "configuredTableIdentifier")));
            case "ListConfiguredTables" -> page(in, "configuredTableSummaries", configuredTables.values().stream()
                    .map(t -> pick(t, "id", "arn", "name", "createTime", "updateTime", "analysisRuleTypes",
                            "analysisMethod"))
                    .toList());
            case "DeleteConfiguredTable" -> deleteConfiguredTable(text(in, "configuredTableIdentifier"));
            case "CreateConfiguredTableAnalysisRule" -> createTableRule(in);
            case "GetConfiguredTableAnalysisRule" -> wrap("analysisRule",
                    tableRule(text(in, "configuredTableIdentifier"),
                    text(in, "analysisRuleType")));
            case "UpdateConfiguredTableAnalysisRule" -> updateTableRule(in);
            case "DeleteConfiguredTableAnalysisRule" -> deleteTableRule(in);
            case "CreateConfiguredTableAssociation" -> createAssociation(in);
            case "GetConfiguredTableAssociation" -> wrap("configuredTableAssociation",
                    association(text(in, "membershipIdentifier"), text(in, "configuredTableAssociationIdentifier")));
            case "ListConfiguredTableAssociations" -> {
                String mid = text(in, "membershipIdentifier");
                membership(mid);
                yield page(in, "configuredTableAssociationSummaries", associations.values().stream()
                        .filter(a -> a.get("membershipId").asText().equals(mid))
                        .map(a -> pick(a, "configuredTableId", "membershipId", "membershipArn", "name", "createTime",
                                "updateTime", "id", "arn", "analysisRuleTypes")).toList());
            }
            case "UpdateConfiguredTableAssociation" -> updateAssociation(in);
            case "DeleteConfiguredTableAssociation" -> deleteAssociation(in);
            case "CreateConfiguredTableAssociationAnalysisRule" -> createAssociationRule(in);
            case "GetConfiguredTableAssociationAnalysisRule" -> wrap("analysisRule", associationRule(
                    text(in, "membershipIdentifier"), text(in, "configuredTableAssociationIdentifier"),
                            text(in, "analysisRuleType")));
            case "UpdateConfiguredTableAssociationAnalysisRule" -> updateAssociationRule(in);
            case "DeleteConfiguredTableAssociationAnalysisRule" -> deleteAssociationRule(in);
            case "CreatePrivacyBudgetTemplate" -> createPrivacyBudgetTemplate(in);
            case "ListPrivacyBudgetTemplates" -> {
                String collabId = membership(text(in, "membershipIdentifier")).get("collaborationId").asText();
                yield page(in, "privacyBudgetTemplateSummaries", privacyBudgetTemplates.values().stream()
                        .filter(t -> t.get("collaborationId").asText().equals(collabId))
                        .map(t -> pick(t, "id", "arn", "membershipId", "membershipArn", "collaborationId",
                                "collaborationArn",
                                "privacyBudgetType", "createTime", "updateTime")).toList());
            }
            case "GetPrivacyBudgetTemplate" -> wrap("privacyBudgetTemplate", privacyBudgetTemplate(
                    text(in, "membershipIdentifier"), text(in, "privacyBudgetTemplateIdentifier")));
            case "DeletePrivacyBudgetTemplate" -> {
                ObjectNode t = privacyBudgetTemplate(text(in, "membershipIdentifier"),
                        text(in, "privacyBudgetTemplateIdentifier"));
                privacyBudgetTemplates.remove(t.get("id").asText());
                yield null;
            }
            case "ListSchemas" -> page(in, "schemaSummaries", schemas(text(in, "collaborationIdentifier")).stream()
                    .map(s -> pick(s, "name", "type", "creatorAccountId", "createTime", "updateTime", "collaborationId",
                            "collaborationArn", "analysisRuleTypes", "analysisMethod", "resourceArn")).toList());
            case "GetSchema" -> wrap("schema", schema(text(in, "collaborationIdentifier"), text(in, "name")));
            case "GetSchemaAnalysisRule" -> wrap("analysisRule", schemaAnalysisRule(text(in, "collaborationIdentifier"),
                    text(in, "name"), text(in, "type")));
            case "CreateIdNamespaceAssociation" -> createIdNamespaceAssociation(in);
            case "ListIdNamespaceAssociations" -> {
                String mid = text(in, "membershipIdentifier");
                membership(mid);
                yield page(in, "idNamespaceAssociationSummaries", idNamespaceAssociations.values().stream()
                        .filter(a -> a.get("membershipId").asText().equals(mid)).map(a -> {
                            ObjectNode s = pick(a, "membershipId", "membershipArn", "collaborationArn",
                                    "collaborationId",
                                    "createTime", "updateTime", "id", "arn", "inputReferenceConfig", "name",
                                            "description");
                            s.putObject("inputReferenceProperties").put("idNamespaceType",
                                    a.get("inputReferenceProperties").get("idNamespaceType").asText());
                            return s;
                        }).toList());
            }
            case "GetIdNamespaceAssociation" -> {
                ObjectNode a = idNamespaceAssociations.get(text(in, "idNamespaceAssociationIdentifier"));
                if (a == null || !a.get("membershipId").asText().equals(text(in, "membershipIdentifier"))) {
                    throw ApiError.notFound("MEMBERSHIP", text(in, "idNamespaceAssociationIdentifier"));
                }
                yield wrap("idNamespaceAssociation", a);
            }
            case "ListIdMappingTables" -> {
                String mid = text(in, "membershipIdentifier");
                membership(mid);
                yield page(in, "idMappingTableSummaries", idMappingTables.values().stream()
                        .filter(t -> t.get("membershipId").asText().equals(mid))
                        .map(t -> pick(t, "collaborationArn", "collaborationId", "membershipId", "membershipArn",
                                "createTime", "updateTime", "id", "arn", "description", "inputReferenceConfig", "name"))
                        .toList());
            }
            case "GetIdMappingTable" -> {
                ObjectNode t = idMappingTables.get(text(in, "idMappingTableIdentifier"));
                if (t == null || !t.get("membershipId").asText().equals(text(in, "membershipIdentifier"))) {
                    throw ApiError.notFound("MEMBERSHIP", text(in, "idMappingTableIdentifier"));
                }
                yield wrap("idMappingTable", t);
            }
            // Entity Resolution
            case "GetIdNamespace" -> {
                String name = text(in, "idNamespaceName");
                ObjectNode n = idNamespaces.get(name.contains("/") ? name.substring(name.lastIndexOf('/') + 1) : name);
                if (n == null) {
                    throw ApiError.erNotFound("IdNamespace " + name + " not found");
                }
                yield n.deepCopy();
            }
            case "ListIdNamespaces" -> page(in, "idNamespaceSummaries", idNamespaces.values().stream().map(n -> {
                ObjectNode s = pick(n, "idNamespaceName", "idNamespaceArn", "description", "type", "createdAt",
                        "updatedAt");
                if (n.has("idMappingWorkflowProperties")) {
                    s.putArray("idMappingWorkflowProperties").addObject().put("idMappingType",
                            n.get("idMappingWorkflowProperties").get(0).get("idMappingType").asText());
                }
                return s;
            }).toList());
            case "GetSchemaMapping" -> {
                ObjectNode n = schemaMappings.get(text(in, "schemaName"));
                if (n == null) {
                    throw ApiError.erNotFound("SchemaMapping " + text(in, "schemaName") + " not found");
                }
                yield n.deepCopy();
            }
            case "ListSchemaMappings" -> page(in, "schemaList", schemaMappings.values().stream()
                    .map(n -> pick(n, "schemaName", "schemaArn", "createdAt", "updatedAt", "hasWorkflows")).toList());
            default -> throw new ApiError(501, "NotImplementedException", "the stand-in does not implement " + op);
        };
        if (mutating) {
            mutations.add(op + " " + describe(in));
        }
        return out;
    }

    private static String describe(ObjectNode in) {
        for (String k : List.of("name", "configuredTableAssociationIdentifier", "configuredTableIdentifier",
                "privacyBudgetTemplateIdentifier")) {
            if (in.has(k)) {
                return in.get(k).asText();
            }
        }
        return "";
    }

    private ObjectNode createConfiguredTable(ObjectNode in) {
        String name = text(in, "name");
        for (ObjectNode t : configuredTables.values()) {
            if (t.get("name").asText().equals(name)) {
                throw ApiError.conflict("CONFIGURED_TABLE", t.get("id").asText(), "ALREADY_EXISTS",
                        "a configured table named " + name + " already exists");
            }
        }
        JsonNode ref = in.get("tableReference");
        if (!ref.has("glue")) {
            throw ApiError.validation("the stand-in supports Glue table references only");
        }
        JsonNode columns = in.get("allowedColumns");
        if (columns.size() > maxAllowedColumns) {
            throw ApiError.validation("allowedColumns has " + columns.size()
                    + " columns; a configured table allows at most "
                    + maxAllowedColumns);
        }
        Set<String> seen = new HashSet<>();
        for (JsonNode c : columns) {
            if (!seen.add(c.asText())) {
                throw ApiError.validation("allowedColumns lists " + c.asText() + " twice");
            }
        }
        if (glue != null) {
            String db = ref.get("glue").get("databaseName").asText();
            String tn = ref.get("glue").get("tableName").asText();
            Table table;
            try {
                table = glue.getTable(b -> b.databaseName(db).name(tn)).table();
            } catch (EntityNotFoundException e) {
                throw ApiError.validation("Glue table " + db + "." + tn + " does not exist");
            }
            Set<String> known = new HashSet<>();
            table.storageDescriptor().columns().stream().map(Column::name).forEach(known::add);
            table.partitionKeys().stream().map(Column::name).forEach(known::add);
            for (JsonNode c : columns) {
                if (!known.contains(c.asText())) {
                    throw ApiError.validation("column " + c.asText() + " is not in Glue table " + db + "." + tn);
                }
            }
        }
        String id = UUID.randomUUID().toString();
        long t = tick();
        ObjectNode ct = NODES.objectNode();
        ct.put("id", id).put("arn", arn("configuredtable/" + id, ACCOUNT)).put("name", name);
        if (in.has("description")) {
            ct.put("description", in.get("description").asText());
        }
        ct.set("tableReference", ref.deepCopy());
        ct.put("createTime", t).put("updateTime", t);
        ct.putArray("analysisRuleTypes");
        ct.put("analysisMethod", text(in, "analysisMethod"));
        ct.set("allowedColumns", columns.deepCopy());
        configuredTables.put(id, ct);
        return wrap("configuredTable", ct);
    }

    private ObjectNode deleteConfiguredTable(String id) {
        configuredTable(id);
        if (associations.values().stream().anyMatch(a -> a.get("configuredTableId").asText().equals(id))) {
            throw ApiError.conflict("CONFIGURED_TABLE", id, "SUBRESOURCES_EXIST",
                    "configured table " + id + " is still associated with a membership; delete its associations first");
        }
        if (!tableRules.getOrDefault(id, Map.of()).isEmpty()) {
            throw ApiError.conflict("CONFIGURED_TABLE", id, "SUBRESOURCES_EXIST",
                    "configured table " + id + " still has analysis rules; delete them first");
        }
        configuredTables.remove(id);
        return null;
    }

    private ObjectNode createTableRule(ObjectNode in) {
        String id = text(in, "configuredTableIdentifier");
        ObjectNode ct = configuredTable(id);
        String type = text(in, "analysisRuleType");
        requirePolicyType(in.get("analysisRulePolicy"), type);
        Map<String, ObjectNode> rules = tableRules.computeIfAbsent(id, k -> new TreeMap<>());
        if (rules.containsKey(type)) {
            throw ApiError.conflict("CONFIGURED_TABLE", id, "ALREADY_EXISTS", "configured table " + id
                    + " already has a "
                    + type + " analysis rule");
        }
        long t = tick();
        ObjectNode rule = NODES.objectNode();
        rule.put("configuredTableId", id).put("configuredTableArn", ct.get("arn").asText());
        rule.set("policy", in.get("analysisRulePolicy").deepCopy());
        rule.put("type", type).put("createTime", t).put("updateTime", t);
        rules.put(type, rule);
        ArrayNode types = ct.putArray("analysisRuleTypes");
        rules.keySet().forEach(types::add);
        return wrap("analysisRule", rule);
    }

    private ObjectNode updateTableRule(ObjectNode in) {
        ObjectNode rule = tableRule(text(in, "configuredTableIdentifier"), text(in, "analysisRuleType"));
        requirePolicyType(in.get("analysisRulePolicy"), text(in, "analysisRuleType"));
        rule.set("policy", in.get("analysisRulePolicy").deepCopy());
        rule.put("updateTime", tick());
        return wrap("analysisRule", rule);
    }

    private ObjectNode deleteTableRule(ObjectNode in) {
        String id = text(in, "configuredTableIdentifier");
        tableRule(id, text(in, "analysisRuleType"));
        if (associations.values().stream().anyMatch(a -> a.get("configuredTableId").asText().equals(id))) {
            throw ApiError.conflict("CONFIGURED_TABLE", id, "SUBRESOURCES_EXIST", "configured table " + id
                    + " is associated: delete the association before its analysis rule");
        }
        tableRules.get(id).remove(text(in, "analysisRuleType"));
        ArrayNode types = configuredTables.get(id).putArray("analysisRuleTypes");
        tableRules.get(id).keySet().forEach(types::add);
        return null;
    }

    private ObjectNode createAssociation(ObjectNode in) {
        String mid = text(in, "membershipIdentifier");
        ObjectNode m = membership(mid);
        String ctId = text(in, "configuredTableIdentifier");
        ObjectNode ct = configuredTable(ctId);
        String name = text(in, "name");
        List<ObjectNode> mine = associations.values().stream().filter(a -> a.get("membershipId").asText().equals(mid))
                .toList();
        for (ObjectNode a : mine) {
            if (a.get("name").asText().equals(name)) {
                throw ApiError.conflict("CONFIGURED_TABLE_ASSOCIATION", a.get("id").asText(), "ALREADY_EXISTS",
                        "an association named " + name + " already exists in membership " + mid);
            }
            if (a.get("configuredTableId").asText().equals(ctId)) {
                throw ApiError.conflict("CONFIGURED_TABLE_ASSOCIATION", a.get("id").asText(), "ALREADY_EXISTS",
                        "configured table " + ctId + " is already associated with membership " + mid + " as "
                                + a.get("name").asText());
            }
        }
        if (mine.size() >= associationQuota) {
            ApiError e = new ApiError(402, "ServiceQuotaExceededException", "membership " + mid + " already has "
                    + mine.size() + " configured table associations, the quota");
            e.body.put("quotaName", "Configured table associations per membership")
                    .put("quotaValue", (double) associationQuota);
            throw e;
        }
        String id = UUID.randomUUID().toString();
        long t = tick();
        ObjectNode a = NODES.objectNode();
        // The ARN AWS gives (Service Authorization Reference:
        // membership/${MembershipId}/configuredtableassociation/${Id}).
        a.put("arn", arn("membership/" + mid + "/configuredtableassociation/" + id, ACCOUNT)).put("id", id)
                .put("configuredTableId", ctId).put("configuredTableArn", ct.get("arn").asText())
                .put("membershipId", mid).put("membershipArn", m.get("arn").asText())
                        .put("roleArn", text(in, "roleArn"))
                .put("name", name);
        if (in.has("description")) {
            a.put("description", in.get("description").asText());
        }
        a.putArray("analysisRuleTypes");
        a.put("createTime", t).put("updateTime", t);
        associations.put(id, a);
        return wrap("configuredTableAssociation", a);
    }

    private ObjectNode updateAssociation(ObjectNode in) {
        ObjectNode a = association(text(in, "membershipIdentifier"), text(in, "configuredTableAssociationIdentifier"));
        for (String member : List.of("roleArn", "description")) {
            if (in.hasNonNull(member)) {
                a.put(member, in.get(member).asText());
            }
        }
        a.put("updateTime", tick());
        return wrap("configuredTableAssociation", a);
    }

    private ObjectNode deleteAssociation(ObjectNode in) {
        ObjectNode a = association(text(in, "membershipIdentifier"), text(in, "configuredTableAssociationIdentifier"));
        String id = a.get("id").asText();
        refuseWhileBudgeted(a, "association " + a.get("name").asText());
        if (!associationRules.getOrDefault(id, Map.of()).isEmpty()) {
            throw ApiError.conflict("CONFIGURED_TABLE_ASSOCIATION", id, "SUBRESOURCES_EXIST",
                    "association " + a.get("name").asText() + " still has an analysis rule; delete it first");
        }
        associations.remove(id);
        return null;
    }

    private ObjectNode createAssociationRule(ObjectNode in) {
        String mid = text(in, "membershipIdentifier");
        ObjectNode a = association(mid, text(in, "configuredTableAssociationIdentifier"));
        String type = text(in, "analysisRuleType");
        requirePolicyType(in.get("analysisRulePolicy"), type);
        requireReceivers(mid, in.get("analysisRulePolicy"), type);
        Map<String, ObjectNode> rules = associationRules.computeIfAbsent(a.get("id").asText(), k -> new TreeMap<>());
        if (rules.containsKey(type)) {
            throw ApiError.conflict("CONFIGURED_TABLE_ASSOCIATION", a.get("id").asText(), "ALREADY_EXISTS",
                    "association " + a.get("name").asText() + " already has a " + type + " analysis rule");
        }
        long t = tick();
        ObjectNode rule = NODES.objectNode();
        rule.put("membershipIdentifier", mid).put("configuredTableAssociationId", a.get("id").asText())
                .put("configuredTableAssociationArn", a.get("arn").asText());
        rule.set("policy", in.get("analysisRulePolicy").deepCopy());
        rule.put("type", type).put("createTime", t).put("updateTime", t);
        rules.put(type, rule);
        ArrayNode types = a.putArray("analysisRuleTypes");
        rules.keySet().forEach(types::add);
        return wrap("analysisRule", rule);
    }

    private ObjectNode updateAssociationRule(ObjectNode in) {
        String mid = text(in, "membershipIdentifier");
        ObjectNode rule = associationRule(mid, text(in, "configuredTableAssociationIdentifier"),
                text(in, "analysisRuleType"));
        requirePolicyType(in.get("analysisRulePolicy"), text(in, "analysisRuleType"));
        requireReceivers(mid, in.get("analysisRulePolicy"), text(in, "analysisRuleType"));
        rule.set("policy", in.get("analysisRulePolicy").deepCopy());
        rule.put("updateTime", tick());
        return wrap("analysisRule", rule);
    }

    private ObjectNode deleteAssociationRule(ObjectNode in) {
        ObjectNode assoc = association(text(in, "membershipIdentifier"),
                text(in, "configuredTableAssociationIdentifier"));
        String assocId = assoc.get("id").asText();
        associationRule(text(in, "membershipIdentifier"), assocId, text(in, "analysisRuleType"));
        refuseWhileBudgeted(assoc, "the analysis rule of association " + assoc.get("name").asText());
        associationRules.get(assocId).remove(text(in, "analysisRuleType"));
        ArrayNode types = associations.get(assocId).putArray("analysisRuleTypes");
        associationRules.get(assocId).keySet().forEach(types::add);
        return null;
    }

    /** An association an ACCESS_BUDGET privacy budget template budgets cannot lose its rule or be deleted. */
    private void refuseWhileBudgeted(ObjectNode association, String what) {
        String arn = association.get("arn").asText();
        for (ObjectNode t : privacyBudgetTemplates.values()) {
            if (arn.equals(t.path("parameters").path("accessBudget").path("resourceArn").asText(null))) {
                throw ApiError.conflict("CONFIGURED_TABLE_ASSOCIATION", association.get("id").asText(),
                        "SUBRESOURCES_EXIST",
                        what + " cannot be deleted: privacy budget template " + t.get("id").asText()
                                + " (ACCESS_BUDGET) budgets the association; delete the template first");
            }
        }
    }

    private ObjectNode createPrivacyBudgetTemplate(ObjectNode in) {
        String mid = text(in, "membershipIdentifier");
        ObjectNode m = membership(mid);
        String collabId = m.get("collaborationId").asText();
        String type = text(in, "privacyBudgetType");
        JsonNode parameters = in.get("parameters");
        String member = type.equals("ACCESS_BUDGET") ? "accessBudget" : "differentialPrivacy";
        if (!parameters.has(member)) {
            throw ApiError.validation("parameters must hold " + member + " for a " + type + " privacy budget template");
        }
        List<ObjectNode> inCollaboration = privacyBudgetTemplates.values().stream()
                .filter(t -> t.get("collaborationId").asText().equals(collabId)).toList();
        if (type.equals("DIFFERENTIAL_PRIVACY")) {
            // CreatePrivacyBudgetTemplate: "Each collaboration can have only one privacy budget template."
            for (ObjectNode t : inCollaboration) {
                if (t.get("privacyBudgetType").asText().equals(type)) {
                    throw ApiError.conflict("COLLABORATION", collabId, "ALREADY_EXISTS", "collaboration " + collabId
                            + " already has a differential privacy budget template (" + t.get("id").asText()
                            + "); update it instead");
                }
            }
        } else {
            String target = parameters.get("accessBudget").get("resourceArn").asText();
            ObjectNode budgeted = associations.values().stream().filter(a -> a.get("arn").asText().equals(target)
                    && a.get("membershipId").asText().equals(mid)).findFirst()
                    .orElseThrow(() -> ApiError.notFound("CONFIGURED_TABLE_ASSOCIATION", target));
            for (ObjectNode t : inCollaboration) {
                if (target.equals(t.path("parameters").path("accessBudget").path("resourceArn").asText(null))) {
                    throw ApiError.conflict("CONFIGURED_TABLE_ASSOCIATION", budgeted.get("id").asText(),
                            "ALREADY_EXISTS",
                            "association " + budgeted.get("name").asText()
                                    + " already has a data access budget (template "
                                    + t.get("id").asText() + ")");
                }
            }
        }
        String id = UUID.randomUUID().toString();
        long t = tick();
        ObjectNode template = NODES.objectNode();
        // The ARN AWS gives (Service Authorization Reference: membership/${MembershipId}/privacybudgettemplate/${Id}).
        template.put("id", id).put("arn", m.get("arn").asText() + "/privacybudgettemplate/" + id)
                .put("membershipId", mid)
                .put("membershipArn", m.get("arn").asText()).put("collaborationId", collabId)
                .put("collaborationArn", m.get("collaborationArn").asText()).put("createTime", t).put("updateTime", t)
                .put("privacyBudgetType", type).put("autoRefresh", in.path("autoRefresh").asText("NONE"));
        template.set("parameters", parameters.deepCopy());
        privacyBudgetTemplates.put(id, template);
        return wrap("privacyBudgetTemplate", template);
    }

    /** A template of the membership's collaboration (the model: "in the collaboration that this membership belongs
    * to"). */
    private ObjectNode privacyBudgetTemplate(String membershipId, String id) {
        String collabId = membership(membershipId).get("collaborationId").asText();
        ObjectNode t = privacyBudgetTemplates.get(id);
        if (t == null || !t.get("collaborationId").asText().equals(collabId)) {
            throw ApiError.notFound("MEMBERSHIP", id);
        }
        return t;
    }

    /** Result receivers must be members of the collaboration that can receive results. */
    private void requireReceivers(String membershipId, JsonNode policy, String type) {
        JsonNode receivers = policy.path("v1").path(type.toLowerCase()).path("allowedResultReceivers");
        String collabId = memberships.get(membershipId).get("collaborationId").asText();
        for (JsonNode r : receivers) {
            boolean ok = members.get(collabId).stream().anyMatch(m -> m.get("accountId").asText().equals(r.asText())
                    && m.get("abilities").toString().contains("CAN_RECEIVE_RESULTS"));
            if (!ok) {
                throw ApiError.validation("allowedResultReceivers: " + r.asText()
                        + " is not a member of the collaboration that can receive results");
            }
        }
    }

    private static void requirePolicyType(JsonNode policy, String type) {
        if (!policy.path("v1").has(type.toLowerCase())) {
            throw ApiError.validation("analysisRulePolicy must be a v1." + type.toLowerCase() + " policy for a " + type
                    + " rule");
        }
    }

    private ObjectNode createIdNamespaceAssociation(ObjectNode in) {
        String mid = text(in, "membershipIdentifier");
        ObjectNode m = membership(mid);
        String name = text(in, "name");
        for (ObjectNode a : idNamespaceAssociations.values()) {
            if (a.get("membershipId").asText().equals(mid) && a.get("name").asText().equals(name)) {
                throw ApiError.conflict("MEMBERSHIP", a.get("id").asText(), "ALREADY_EXISTS",
                        "an ID namespace association named " + name + " already exists");
            }
        }
        String ref = in.get("inputReferenceConfig").get("inputReferenceArn").asText();
        ObjectNode ns = idNamespaces.get(ref.substring(ref.lastIndexOf('/') + 1));
        String id = UUID.randomUUID().toString();
        long t = tick();
        ObjectNode a = NODES.objectNode();
        a.put("id", id).put("arn", m.get("arn").asText() + "/idnamespaceassociation/" + id).put("membershipId", mid)
                .put("membershipArn", m.get("arn").asText()).put("collaborationId", m.get("collaborationId").asText())
                .put("collaborationArn", m.get("collaborationArn").asText()).put("name", name);
        if (in.has("description")) {
            a.put("description", in.get("description").asText());
        }
        a.put("createTime", t).put("updateTime", t);
        a.set("inputReferenceConfig", in.get("inputReferenceConfig").deepCopy());
        ObjectNode props = a.putObject("inputReferenceProperties");
        props.put("idNamespaceType", ns == null ? "SOURCE" : ns.path("type").asText("SOURCE"));
        props.putArray("idMappingWorkflowsSupported").addObject().put("idMappingType", "RULE_BASED");
        if (in.has("idMappingConfig")) {
            a.set("idMappingConfig", in.get("idMappingConfig").deepCopy());
        }
        idNamespaceAssociations.put(id, a);
        return wrap("idNamespaceAssociation", a);
    }

    /** A schema per association of every membership in the collaboration. */
    private List<ObjectNode> schemas(String collabId) {
        collaboration(collabId);
        List<ObjectNode> out = new ArrayList<>();
        associations.values().stream().filter(a -> memberships.get(a.get("membershipId").asText())
                .get("collaborationId")
                .asText().equals(collabId)).sorted(Comparator.comparing(a -> a.get("name").asText())).forEach(a -> {
                    ObjectNode ct = configuredTables.get(a.get("configuredTableId").asText());
                    ObjectNode s = NODES.objectNode();
                    ArrayNode cols = s.putArray("columns");
                    ct.get("allowedColumns").forEach(c -> cols.addObject().put("name", c.asText())
                            .put("type", "string"));
                    s.putArray("partitionKeys");
                    ArrayNode types = s.putArray("analysisRuleTypes");
                    tableRules.getOrDefault(ct.get("id").asText(), Map.of()).keySet().forEach(types::add);
                    s.put("analysisMethod", ct.get("analysisMethod").asText()).put("creatorAccountId", ACCOUNT)
                            .put("name", a.get("name").asText()).put("collaborationId", collabId)
                            .put("collaborationArn", collaborations.get(collabId).get("arn").asText())
                            .put("description", a.path("description").asText(""))
                                    .put("createTime", a.get("createTime").asLong())
                            .put("updateTime", a.get("updateTime").asLong()).put("type", "TABLE")
                            .put("resourceArn", ct.get("arn").asText());
                    ObjectNode status = s.putArray("schemaStatusDetails").addObject();
                    List<String> reasons = new ArrayList<>();
                    Map<String, ObjectNode> tr = tableRules.getOrDefault(ct.get("id").asText(), Map.of());
                    if (tr.isEmpty()) {
                        reasons.add("ANALYSIS_RULE_MISSING");
                    } else if (tr.containsKey("CUSTOM") && tr.get("CUSTOM").path("policy").path("v1").path("custom")
                            .path("allowedAnalysisProviders").isEmpty()) {
                        reasons.add("ANALYSIS_PROVIDERS_NOT_CONFIGURED");
                    }
                    if (associationRules.getOrDefault(a.get("id").asText(), Map.of()).isEmpty()) {
                        reasons.add("COLLABORATION_ANALYSIS_RULE_NOT_CONFIGURED");
                    }
                    status.put("status", reasons.isEmpty() ? "READY" : "NOT_READY")
                            .put("analysisType", "DIRECT_ANALYSIS");
                    if (!tr.isEmpty()) {
                        status.put("analysisRuleType", tr.keySet().iterator().next());
                    }
                    ArrayNode rs = status.putArray("reasons");
                    reasons.forEach(r -> rs.addObject().put("code", r)
                            .put("message", r.toLowerCase().replace('_', ' ')));
                    out.add(s);
                });
        return out;
    }

    private ObjectNode schema(String collabId, String name) {
        return schemas(collabId).stream().filter(s -> s.get("name").asText().equals(name)).findFirst()
                .orElseThrow(() -> ApiError.notFound("COLLABORATION", name));
    }

    private ObjectNode schemaAnalysisRule(String collabId, String name, String type) {
        schema(collabId, name);
        ObjectNode a = associations.values().stream().filter(x -> x.get("name").asText().equals(name)).findFirst()
                .orElseThrow();
        ObjectNode tableRule = tableRules.getOrDefault(a.get("configuredTableId").asText(), Map.of()).get(type);
        if (tableRule == null) {
            throw ApiError.notFound("CONFIGURED_TABLE", name + "/" + type);
        }
        ObjectNode rule = NODES.objectNode();
        rule.put("collaborationId", collabId).put("type", type).put("name", name)
                .put("createTime", tableRule.get("createTime").asLong())
                        .put("updateTime", tableRule.get("updateTime").asLong());
        rule.set("policy", tableRule.get("policy").deepCopy());
        ObjectNode assocRule = associationRules.getOrDefault(a.get("id").asText(), Map.of()).get(type);
        ObjectNode consolidated = tableRule.get("policy").get("v1").get(type.toLowerCase()).deepCopy();
        if (assocRule != null) {
            rule.set("collaborationPolicy", assocRule.get("policy").deepCopy());
            JsonNode receivers = assocRule.get("policy").get("v1").get(type.toLowerCase())
                    .get("allowedResultReceivers");
            if (receivers != null) {
                consolidated.set("allowedResultReceivers", receivers.deepCopy());
            }
        }
        rule.putObject("consolidatedPolicy").putObject("v1").set(type.toLowerCase(), consolidated);
        return rule;
    }

    // ---------------------------------------------------------------- look-ups and helpers

    private ObjectNode membership(String id) {
        ObjectNode m = memberships.get(id);
        if (m == null) {
            throw ApiError.notFound("MEMBERSHIP", id);
        }
        return m;
    }

    private ObjectNode collaboration(String id) {
        ObjectNode c = collaborations.get(id);
        if (c == null) {
            throw ApiError.notFound("COLLABORATION", id);
        }
        return c;
    }

    private ObjectNode configuredTable(String id) {
        ObjectNode t = configuredTables.get(id);
        if (t == null) {
            throw ApiError.notFound("CONFIGURED_TABLE", id);
        }
        return t;
    }

    private ObjectNode tableRule(String id, String type) {
        configuredTable(id);
        ObjectNode r = tableRules.getOrDefault(id, Map.of()).get(type);
        if (r == null) {
            throw ApiError.notFound("CONFIGURED_TABLE", id + "/analysisRule/" + type);
        }
        return r;
    }

    private ObjectNode association(String membershipId, String id) {
        membership(membershipId);
        ObjectNode a = associations.get(id);
        if (a == null || !a.get("membershipId").asText().equals(membershipId)) {
            throw ApiError.notFound("CONFIGURED_TABLE_ASSOCIATION", id);
        }
        return a;
    }

    private ObjectNode associationRule(String membershipId, String associationId, String type) {
        association(membershipId, associationId);
        ObjectNode r = associationRules.getOrDefault(associationId, Map.of()).get(type);
        if (r == null) {
            throw ApiError.notFound("CONFIGURED_TABLE_ASSOCIATION", associationId + "/analysisRule/" + type);
        }
        return r;
    }

    /** One page of {@code items} (at most the stand-in's page size) with an opaque offset token. */
    private ObjectNode page(ObjectNode in, String listName, List<ObjectNode> items) {
        int offset = 0;
        if (in.hasNonNull("nextToken") && !in.get("nextToken").asText().isEmpty()) {
            try {
                offset = Integer.parseInt(new String(Base64.getUrlDecoder().decode(in.get("nextToken").asText()),
                        StandardCharsets.UTF_8).substring("offset:".length()));
            } catch (RuntimeException e) {
                throw ApiError.validation("nextToken is not a token this service issued");
            }
        }
        int size = Math.min(pageSize, in.path("maxResults").asInt(Integer.MAX_VALUE));
        ObjectNode out = NODES.objectNode();
        ArrayNode list = out.putArray(listName);
        for (int i = offset; i < Math.min(items.size(), offset + size); i++) {
            list.add(items.get(i).deepCopy());
        }
        if (offset + size < items.size()) {
            out.put("nextToken", Base64.getUrlEncoder().withoutPadding().encodeToString(("offset:" + (offset + size))
                    .getBytes(StandardCharsets.UTF_8)));
        }
        return out;
    }

    private static ObjectNode pick(ObjectNode from, String... names) {
        ObjectNode out = NODES.objectNode();
        for (String n : names) {
            if (from.has(n)) {
                out.set(n, from.get(n).deepCopy());
            }
        }
        return out;
    }

    private static ObjectNode wrap(String name, ObjectNode value) {
        ObjectNode out = NODES.objectNode();
        out.set(name, value.deepCopy());
        return out;
    }

    private static String text(ObjectNode in, String name) {
        JsonNode v = in.get(name);
        return v == null ? null : v.asText();
    }

    private long tick() {
        return ++clock;
    }

    private static String arn(String resource, String account) {
        return "arn:aws:cleanrooms:" + REGION + ":" + account + ":" + resource;
    }
}
