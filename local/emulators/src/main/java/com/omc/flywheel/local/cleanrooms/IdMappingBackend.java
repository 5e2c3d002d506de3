package com.omc.flywheel.local.cleanrooms;

import static com.omc.flywheel.local.cleanrooms.JsonMembers.NODES;
import static com.omc.flywheel.local.cleanrooms.JsonMembers.text;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;

/**
 * Entity resolution inside a collaboration, Clean Rooms' side of it: ID namespace associations (an
 * Entity Resolution ID namespace associated with a membership; its type, SOURCE or TARGET, read
 * from the namespace as the real service reads it) and ID mapping tables (seeded: made from two
 * associations, SOURCE and TARGET). Both belong to one membership; one of another membership is
 * not found. Guarded by the stand-in's lock.
 */
final class IdMappingBackend {
    private final CleanRoomsBackend backend;
    private final ChangeClock clock;
    private final Function<String, Optional<String>> namespaceType;
    private final Map<String, ObjectNode> idNamespaceAssociations = new LinkedHashMap<>();
    private final Map<String, ObjectNode> idMappingTables = new LinkedHashMap<>();

    /** @param namespaceType an Entity Resolution ID namespace's type by name, if it exists */
    IdMappingBackend(CleanRoomsBackend backend, ChangeClock clock, Function<String, Optional<String>> namespaceType) {
        this.backend = backend;
        this.clock = clock;
        this.namespaceType = namespaceType;
    }

    void reset() {
        idNamespaceAssociations.clear();
        idMappingTables.clear();
    }

    ObjectNode createIdNamespaceAssociation(ObjectNode in) {
        String mid = text(in, "membershipIdentifier");
        ObjectNode m = backend.membership(mid);
        String name = text(in, "name");
        for (ObjectNode a : idNamespaceAssociations.values()) {
            if (a.get("membershipId").asText().equals(mid) && a.get("name").asText().equals(name)) {
                throw ApiError.conflict("MEMBERSHIP", a.get("id").asText(), "ALREADY_EXISTS",
                        "an ID namespace association named " + name + " already exists");
            }
        }
        String ref = in.get("inputReferenceConfig").get("inputReferenceArn").asText();
        String type = namespaceType.apply(ref.substring(ref.lastIndexOf('/') + 1)).orElse("SOURCE");
        String id = UUID.randomUUID().toString();
        long t = clock.tick();
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
        props.put("idNamespaceType", type);
        props.putArray("idMappingWorkflowsSupported").addObject().put("idMappingType", "RULE_BASED");
        if (in.has("idMappingConfig")) {
            a.set("idMappingConfig", in.get("idMappingConfig").deepCopy());
        }
        idNamespaceAssociations.put(id, a);
        return a;
    }

    /** The ID namespace associations of a membership that exists. */
    List<ObjectNode> idNamespaceAssociations(String membershipId) {
        backend.membership(membershipId);
        return idNamespaceAssociations.values().stream()
                .filter(a -> a.get("membershipId").asText().equals(membershipId)).toList();
    }

    ObjectNode idNamespaceAssociation(String membershipId, String id) {
        ObjectNode a = idNamespaceAssociations.get(id);
        if (a == null || !a.get("membershipId").asText().equals(membershipId)) {
            throw ApiError.notFound("MEMBERSHIP", id);
        }
        return a;
    }

    /** Seeds an ID mapping table in a membership, sourced from two ID namespace associations; returns its id. */
    String seedIdMappingTable(String membershipId, String name, String inputReferenceArn, String sourceAssociationId,
                              String targetAssociationId) {
        ObjectNode m = backend.membership(membershipId);
        String id = UUID.randomUUID().toString();
        long t = clock.tick();
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

    /** The ID mapping tables of a membership that exists. */
    List<ObjectNode> idMappingTables(String membershipId) {
        backend.membership(membershipId);
        return idMappingTables.values().stream().filter(t -> t.get("membershipId").asText().equals(membershipId))
                .toList();
    }

    ObjectNode idMappingTable(String membershipId, String id) {
        ObjectNode t = idMappingTables.get(id);
        if (t == null || !t.get("membershipId").asText().equals(membershipId)) {
            throw ApiError.notFound("MEMBERSHIP", id);
        }
        return t;
    }
}
