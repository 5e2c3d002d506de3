package com.omc.flywheel.local.cleanrooms;

import static com.omc.flywheel.local.cleanrooms.JsonMembers.NODES;
import static com.omc.flywheel.local.cleanrooms.JsonMembers.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;

/**
 * The Clean Rooms resources of this account and their invariants (moto's {@code models.py}):
 * collaborations with their members and this account's memberships (seeded by {@link CollaborationSeeder}),
 * configured tables and their analysis rules, configured table associations
 * and theirs. Each resource is kept as the JSON of its model shape. The real service's refusals:
 * ConflictException ALREADY_EXISTS for a second table / association / rule of the same name or type,
 * SUBRESOURCES_EXIST for deleting what is still associated, ruled or budgeted
 * ({@link PrivacyBudgetTemplates}); ServiceQuotaExceededException at the association quota;
 * ValidationException for policies of the wrong type, unknown result receivers, and Glue tables
 * without the allowed columns. Guarded by the stand-in's lock.
 */
final class CleanRoomsBackend {
    static final String ACCOUNT = "123456789012";
    static final String REGION = "us-east-1";
    static final int DEFAULT_ASSOCIATION_QUOTA = 25;
    private static final int MAX_ALLOWED_COLUMNS = 100;

    private final ChangeClock clock;
    private final GlueCatalogCheck glue;
    private final PrivacyBudgetTemplates privacyBudgets;
    private final Map<String, ObjectNode> collaborations = new TreeMap<>();
    private final Map<String, ObjectNode> memberships = new TreeMap<>();
    private final Map<String, List<ObjectNode>> members = new TreeMap<>();
    private final Map<String, ObjectNode> configuredTables = new LinkedHashMap<>();
    private final Map<String, Map<String, ObjectNode>> tableRules = new TreeMap<>();
    private final Map<String, ObjectNode> associations = new LinkedHashMap<>();
    private final Map<String, Map<String, ObjectNode>> associationRules = new TreeMap<>();
    private int associationQuota = DEFAULT_ASSOCIATION_QUOTA;

    CleanRoomsBackend(ChangeClock clock, GlueCatalogCheck glue) {
        this.clock = clock;
        this.glue = glue;
        this.privacyBudgets = new PrivacyBudgetTemplates(this, clock);
    }

    /** Forgets every resource (privacy budget templates too) and restores the association quota. */
    void reset() {
        collaborations.clear();
        memberships.clear();
        members.clear();
        configuredTables.clear();
        tableRules.clear();
        associations.clear();
        associationRules.clear();
        privacyBudgets.reset();
        associationQuota = DEFAULT_ASSOCIATION_QUOTA;
    }

    void associationQuota(int quota) {
        this.associationQuota = quota;
    }

    PrivacyBudgetTemplates privacyBudgets() {
        return privacyBudgets;
    }

    static String arn(String resource, String account) {
        return "arn:aws:cleanrooms:" + REGION + ":" + account + ":" + resource;
    }

    // ---------------------------------------------------------------- collaborations (seeded)

    /** Adds a seeded collaboration ({@link CollaborationSeeder}), this account's membership and its members. */
    void addCollaboration(ObjectNode collaboration, ObjectNode membership, List<ObjectNode> collaborationMembers) {
        collaborations.put(collaboration.get("id").asText(), collaboration);
        memberships.put(membership.get("id").asText(), membership);
        members.put(collaboration.get("id").asText(), collaborationMembers);
    }

    /** A collaboration, if it exists. */
    Optional<ObjectNode> findCollaboration(String id) {
        return Optional.ofNullable(collaborations.get(id));
    }

    Collection<ObjectNode> collaborations() {
        return collaborations.values();
    }

    Collection<ObjectNode> memberships() {
        return memberships.values();
    }

    /** The members of a collaboration that exists. */
    List<ObjectNode> members(String collaborationId) {
        collaboration(collaborationId);
        return members.get(collaborationId);
    }

    // ---------------------------------------------------------------- configured tables and their rules

    ObjectNode createConfiguredTable(ObjectNode in) {
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
        if (columns.size() > MAX_ALLOWED_COLUMNS) {
            throw ApiError.validation("allowedColumns has " + columns.size()
                    + " columns; a configured table allows at most " + MAX_ALLOWED_COLUMNS);
        }
        Set<String> seen = new HashSet<>();
        for (JsonNode c : columns) {
            if (!seen.add(c.asText())) {
                throw ApiError.validation("allowedColumns lists " + c.asText() + " twice");
            }
        }
        glue.requireColumns(ref.get("glue"), columns);
        String id = UUID.randomUUID().toString();
        long t = clock.tick();
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
        return ct;
    }

    void deleteConfiguredTable(String id) {
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
    }

    Collection<ObjectNode> configuredTables() {
        return configuredTables.values();
    }

    ObjectNode createTableRule(ObjectNode in) {
        String id = text(in, "configuredTableIdentifier");
        ObjectNode ct = configuredTable(id);
        String type = text(in, "analysisRuleType");
        requirePolicyType(in.get("analysisRulePolicy"), type);
        Map<String, ObjectNode> rules = tableRules.computeIfAbsent(id, k -> new TreeMap<>());
        if (rules.containsKey(type)) {
            throw ApiError.conflict("CONFIGURED_TABLE", id, "ALREADY_EXISTS", "configured table " + id
                    + " already has a " + type + " analysis rule");
        }
        long t = clock.tick();
        ObjectNode rule = NODES.objectNode();
        rule.put("configuredTableId", id).put("configuredTableArn", ct.get("arn").asText());
        rule.set("policy", in.get("analysisRulePolicy").deepCopy());
        rule.put("type", type).put("createTime", t).put("updateTime", t);
        rules.put(type, rule);
        ArrayNode types = ct.putArray("analysisRuleTypes");
        rules.keySet().forEach(types::add);
        return rule;
    }

    ObjectNode updateTableRule(ObjectNode in) {
        ObjectNode rule = tableRule(text(in, "configuredTableIdentifier"), text(in, "analysisRuleType"));
        requirePolicyType(in.get("analysisRulePolicy"), text(in, "analysisRuleType"));
        rule.set("policy", in.get("analysisRulePolicy").deepCopy());
        rule.put("updateTime", clock.tick());
        return rule;
    }

    void deleteTableRule(ObjectNode in) {
        String id = text(in, "configuredTableIdentifier");
        tableRule(id, text(in, "analysisRuleType"));
        if (associations.values().stream().anyMatch(a -> a.get("configuredTableId").asText().equals(id))) {
            throw ApiError.conflict("CONFIGURED_TABLE", id, "SUBRESOURCES_EXIST", "configured table " + id
                    + " is associated: delete the association before its analysis rule");
        }
        tableRules.get(id).remove(text(in, "analysisRuleType"));
        ArrayNode types = configuredTables.get(id).putArray("analysisRuleTypes");
        tableRules.get(id).keySet().forEach(types::add);
    }

    /** A configured table's analysis rules by type (none: empty). */
    Map<String, ObjectNode> tableRules(String configuredTableId) {
        return tableRules.getOrDefault(configuredTableId, Map.of());
    }

    // ---------------------------------------------------------------- associations and their rules

    ObjectNode createAssociation(ObjectNode in) {
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
        long t = clock.tick();
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
        return a;
    }

    ObjectNode updateAssociation(ObjectNode in) {
        ObjectNode a = association(text(in, "membershipIdentifier"), text(in, "configuredTableAssociationIdentifier"));
        for (String member : List.of("roleArn", "description")) {
            if (in.hasNonNull(member)) {
                a.put(member, in.get(member).asText());
            }
        }
        a.put("updateTime", clock.tick());
        return a;
    }

    void deleteAssociation(ObjectNode in) {
        ObjectNode a = association(text(in, "membershipIdentifier"), text(in, "configuredTableAssociationIdentifier"));
        String id = a.get("id").asText();
        privacyBudgets.refuseWhileBudgeted(a, "association " + a.get("name").asText());
        if (!associationRules.getOrDefault(id, Map.of()).isEmpty()) {
            throw ApiError.conflict("CONFIGURED_TABLE_ASSOCIATION", id, "SUBRESOURCES_EXIST",
                    "association " + a.get("name").asText() + " still has an analysis rule; delete it first");
        }
        associations.remove(id);
    }

    Collection<ObjectNode> associations() {
        return associations.values();
    }

    /** The first association (of any membership) with this name: a collaboration schema's source. */
    Optional<ObjectNode> associationNamed(String name) {
        return associations.values().stream().filter(a -> a.get("name").asText().equals(name)).findFirst();
    }

    ObjectNode createAssociationRule(ObjectNode in) {
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
        long t = clock.tick();
        ObjectNode rule = NODES.objectNode();
        rule.put("membershipIdentifier", mid).put("configuredTableAssociationId", a.get("id").asText())
                .put("configuredTableAssociationArn", a.get("arn").asText());
        rule.set("policy", in.get("analysisRulePolicy").deepCopy());
        rule.put("type", type).put("createTime", t).put("updateTime", t);
        rules.put(type, rule);
        ArrayNode types = a.putArray("analysisRuleTypes");
        rules.keySet().forEach(types::add);
        return rule;
    }

    ObjectNode updateAssociationRule(ObjectNode in) {
        String mid = text(in, "membershipIdentifier");
        ObjectNode rule = associationRule(mid, text(in, "configuredTableAssociationIdentifier"),
                text(in, "analysisRuleType"));
        requirePolicyType(in.get("analysisRulePolicy"), text(in, "analysisRuleType"));
        requireReceivers(mid, in.get("analysisRulePolicy"), text(in, "analysisRuleType"));
        rule.set("policy", in.get("analysisRulePolicy").deepCopy());
        rule.put("updateTime", clock.tick());
        return rule;
    }

    void deleteAssociationRule(ObjectNode in) {
        ObjectNode assoc = association(text(in, "membershipIdentifier"),
                text(in, "configuredTableAssociationIdentifier"));
        String assocId = assoc.get("id").asText();
        associationRule(text(in, "membershipIdentifier"), assocId, text(in, "analysisRuleType"));
        privacyBudgets.refuseWhileBudgeted(assoc, "the analysis rule of association " + assoc.get("name").asText());
        associationRules.get(assocId).remove(text(in, "analysisRuleType"));
        ArrayNode types = associations.get(assocId).putArray("analysisRuleTypes");
        associationRules.get(assocId).keySet().forEach(types::add);
    }

    /** An association's analysis rules by type (none: empty). */
    Map<String, ObjectNode> associationRules(String associationId) {
        return associationRules.getOrDefault(associationId, Map.of());
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

    // ---------------------------------------------------------------- look-ups: ResourceNotFoundException

    ObjectNode membership(String id) {
        ObjectNode m = memberships.get(id);
        if (m == null) {
            throw ApiError.notFound("MEMBERSHIP", id);
        }
        return m;
    }

    ObjectNode collaboration(String id) {
        ObjectNode c = collaborations.get(id);
        if (c == null) {
            throw ApiError.notFound("COLLABORATION", id);
        }
        return c;
    }

    ObjectNode configuredTable(String id) {
        ObjectNode t = configuredTables.get(id);
        if (t == null) {
            throw ApiError.notFound("CONFIGURED_TABLE", id);
        }
        return t;
    }

    ObjectNode tableRule(String id, String type) {
        configuredTable(id);
        ObjectNode r = tableRules.getOrDefault(id, Map.of()).get(type);
        if (r == null) {
            throw ApiError.notFound("CONFIGURED_TABLE", id + "/analysisRule/" + type);
        }
        return r;
    }

    /** An association of this membership (one of another membership is not found). */
    ObjectNode association(String membershipId, String id) {
        membership(membershipId);
        ObjectNode a = associations.get(id);
        if (a == null || !a.get("membershipId").asText().equals(membershipId)) {
            throw ApiError.notFound("CONFIGURED_TABLE_ASSOCIATION", id);
        }
        return a;
    }

    ObjectNode associationRule(String membershipId, String associationId, String type) {
        association(membershipId, associationId);
        ObjectNode r = associationRules.getOrDefault(associationId, Map.of()).get(type);
        if (r == null) {
            throw ApiError.notFound("CONFIGURED_TABLE_ASSOCIATION", associationId + "/analysisRule/" + type);
        }
        return r;
    }
}
