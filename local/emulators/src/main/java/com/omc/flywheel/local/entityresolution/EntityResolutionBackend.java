package com.omc.flywheel.local.entityresolution;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.omc.flywheel.local.cleanrooms.ApiError;
import com.omc.flywheel.local.cleanrooms.ChangeClock;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The Entity Resolution resources of this account (moto's {@code models.py}): ID namespaces and
 * schema mappings, each kept as its Get answer (the model's member names). Both are seeded, as
 * the stand-in has no Create operations for them; a missing one is ResourceNotFoundException.
 * Guarded by the Clean Rooms stand-in's lock (one stand-in serves both services).
 */
public final class EntityResolutionBackend {
    private final ChangeClock clock;
    private final String arnPrefix;
    private final Map<String, ObjectNode> idNamespaces = new TreeMap<>();
    private final Map<String, ObjectNode> schemaMappings = new TreeMap<>();
    /** Resource policies by the resource's ARN (an ID namespace's, written by hand or by Clean Rooms). */
    private final Map<String, String> policies = new TreeMap<>();

    public EntityResolutionBackend(ChangeClock clock, String account, String region) {
        this.clock = clock;
        this.arnPrefix = "arn:aws:entityresolution:" + region + ":" + account + ":";
    }

    public void reset() {
        idNamespaces.clear();
        schemaMappings.clear();
        policies.clear();
    }

    /** Seeds an ID namespace: {@code definition} holds GetIdNamespace's members but name, ARN and times. */
    public void seedIdNamespace(String name, ObjectNode definition) {
        long t = clock.tick();
        ObjectNode n = definition.deepCopy();
        n.put("idNamespaceName", name).put("idNamespaceArn", arnPrefix + "idnamespace/" + name).put("createdAt", t)
                .put("updatedAt", t);
        idNamespaces.put(name, n);
    }

    /** Seeds a schema mapping with these input fields (GetSchemaMapping's {@code mappedInputFields}). */
    public void seedSchemaMapping(String name, ArrayNode mappedInputFields) {
        long t = clock.tick();
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("schemaName", name).put("schemaArn", arnPrefix + "schemamapping/" + name)
                .put("createdAt", t).put("updatedAt", t).put("hasWorkflows", true)
                .set("mappedInputFields", mappedInputFields);
        schemaMappings.put(name, n);
    }

    /** Seeds the resource policy of an ID namespace (by name), as PutPolicy would leave it. */
    public void seedPolicy(String idNamespace, String policy) {
        policies.put(idNamespace(idNamespace).path("idNamespaceArn").asText(), policy);
    }

    /** GetPolicy: the ARN, a token, and the policy when the resource has one; an unknown resource is not found. */
    ObjectNode policy(String arn) {
        if (!arn.contains(":idnamespace/")) {
            throw ApiError.erNotFound("Resource " + arn + " not found");
        }
        idNamespace(arn);
        ObjectNode out = JsonNodeFactory.instance.objectNode().put("arn", arn)
                .put("token", Integer.toHexString(policies.getOrDefault(arn, "").hashCode()));
        if (policies.containsKey(arn)) {
            out.put("policy", policies.get(arn));
        }
        return out;
    }

    /** An ID namespace by name or ARN. */
    ObjectNode idNamespace(String nameOrArn) {
        String name = nameOrArn.contains("/") ? nameOrArn.substring(nameOrArn.lastIndexOf('/') + 1) : nameOrArn;
        ObjectNode n = idNamespaces.get(name);
        if (n == null) {
            throw ApiError.erNotFound("IdNamespace " + nameOrArn + " not found");
        }
        return n;
    }

    /** An ID namespace's type (SOURCE or TARGET; SOURCE when it has none), if the namespace exists. */
    public Optional<String> namespaceType(String name) {
        return Optional.ofNullable(idNamespaces.get(name)).map(n -> n.path("type").asText("SOURCE"));
    }

    Collection<ObjectNode> idNamespaces() {
        return idNamespaces.values();
    }

    ObjectNode schemaMapping(String name) {
        ObjectNode n = schemaMappings.get(name);
        if (n == null) {
            throw ApiError.erNotFound("SchemaMapping " + name + " not found");
        }
        return n;
    }

    Collection<ObjectNode> schemaMappings() {
        return schemaMappings.values();
    }
}
