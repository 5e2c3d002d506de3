package com.omc.flywheel.local.cleanrooms;

import static com.omc.flywheel.local.cleanrooms.CleanRoomsBackend.ACCOUNT;
import static com.omc.flywheel.local.cleanrooms.JsonMembers.NODES;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * A collaboration's schemas, derived (as the real service derives them) from the configured table
 * associations of its memberships: one TABLE schema per association, named as it is, with the
 * configured table's allowed columns; READY once the table has an analysis rule (a CUSTOM one with
 * analysis providers) and the association has its collaboration analysis rule, else NOT_READY
 * with the reasons. A schema's analysis rule is the table's, with the association's result
 * receivers consolidated into it. Read-only; guarded by the stand-in's lock.
 */
final class CollaborationSchemas {
    private final CleanRoomsBackend backend;

    CollaborationSchemas(CleanRoomsBackend backend) {
        this.backend = backend;
    }

    /** A schema per association of every membership in the collaboration, by name. */
    List<ObjectNode> schemas(String collabId) {
        backend.collaboration(collabId);
        List<ObjectNode> out = new ArrayList<>();
        backend.associations().stream().filter(a -> backend.membership(a.get("membershipId").asText())
                .get("collaborationId").asText().equals(collabId))
                .sorted(Comparator.comparing(a -> a.get("name").asText()))
                .forEach(a -> out.add(schema(collabId, a)));
        return out;
    }

    ObjectNode schema(String collabId, String name) {
        return schemas(collabId).stream().filter(s -> s.get("name").asText().equals(name)).findFirst()
                .orElseThrow(() -> ApiError.notFound("COLLABORATION", name));
    }

    private ObjectNode schema(String collabId, ObjectNode a) {
        ObjectNode ct = backend.configuredTable(a.get("configuredTableId").asText());
        ObjectNode s = NODES.objectNode();
        ArrayNode cols = s.putArray("columns");
        ct.get("allowedColumns").forEach(c -> cols.addObject().put("name", c.asText()).put("type", "string"));
        s.putArray("partitionKeys");
        ArrayNode types = s.putArray("analysisRuleTypes");
        Map<String, ObjectNode> tr = backend.tableRules(ct.get("id").asText());
        tr.keySet().forEach(types::add);
        s.put("analysisMethod", ct.get("analysisMethod").asText()).put("creatorAccountId", ACCOUNT)
                .put("name", a.get("name").asText()).put("collaborationId", collabId)
                .put("collaborationArn", backend.collaboration(collabId).get("arn").asText())
                .put("description", a.path("description").asText(""))
                .put("createTime", a.get("createTime").asLong())
                .put("updateTime", a.get("updateTime").asLong()).put("type", "TABLE")
                .put("resourceArn", ct.get("arn").asText());
        ObjectNode status = s.putArray("schemaStatusDetails").addObject();
        List<String> reasons = new ArrayList<>();
        if (tr.isEmpty()) {
            reasons.add("ANALYSIS_RULE_MISSING");
        } else if (tr.containsKey("CUSTOM") && tr.get("CUSTOM").path("policy").path("v1").path("custom")
                .path("allowedAnalysisProviders").isEmpty()) {
            reasons.add("ANALYSIS_PROVIDERS_NOT_CONFIGURED");
        }
        if (backend.associationRules(a.get("id").asText()).isEmpty()) {
            reasons.add("COLLABORATION_ANALYSIS_RULE_NOT_CONFIGURED");
        }
        status.put("status", reasons.isEmpty() ? "READY" : "NOT_READY").put("analysisType", "DIRECT_ANALYSIS");
        if (!tr.isEmpty()) {
            status.put("analysisRuleType", tr.keySet().iterator().next());
        }
        ArrayNode rs = status.putArray("reasons");
        reasons.forEach(r -> rs.addObject().put("code", r).put("message", r.toLowerCase().replace('_', ' ')));
        return s;
    }

    /** The schema's analysis rule of {@code type}: the table's policy, consolidated with the association's. */
    ObjectNode analysisRule(String collabId, String name, String type) {
        schema(collabId, name);
        ObjectNode a = backend.associationNamed(name).orElseThrow();
        ObjectNode tableRule = backend.tableRules(a.get("configuredTableId").asText()).get(type);
        if (tableRule == null) {
            throw ApiError.notFound("CONFIGURED_TABLE", name + "/" + type);
        }
        ObjectNode rule = NODES.objectNode();
        rule.put("collaborationId", collabId).put("type", type).put("name", name)
                .put("createTime", tableRule.get("createTime").asLong())
                .put("updateTime", tableRule.get("updateTime").asLong());
        rule.set("policy", tableRule.get("policy").deepCopy());
        ObjectNode assocRule = backend.associationRules(a.get("id").asText()).get(type);
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
}
