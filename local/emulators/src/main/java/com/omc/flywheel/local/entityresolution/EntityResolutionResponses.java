package com.omc.flywheel.local.entityresolution;

import static com.omc.flywheel.local.cleanrooms.JsonMembers.pick;
import static com.omc.flywheel.local.cleanrooms.JsonMembers.text;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.omc.flywheel.local.cleanrooms.OperationRouter;
import com.omc.flywheel.local.cleanrooms.Pager;

/**
 * The Entity Resolution operations (moto's {@code responses.py}): GetIdNamespace (by name or ARN),
 * ListIdNamespaces, GetSchemaMapping, ListSchemaMappings, GetPolicy (a resource's policy), answered in
 * the model's output shapes
 * (a Get answers the resource's members at the top level; a List pages the summary members).
 * Registered with the {@link OperationRouter} under the signing name {@code entityresolution}.
 */
public final class EntityResolutionResponses {
    public static final String SERVICE = "entityresolution";

    private final EntityResolutionBackend backend;
    private final Pager pager;

    public EntityResolutionResponses(EntityResolutionBackend backend, Pager pager) {
        this.backend = backend;
        this.pager = pager;
    }

    public void addTo(OperationRouter router) {
        router.add(SERVICE, "GetIdNamespace", in -> backend.idNamespace(text(in, "idNamespaceName")).deepCopy());
        router.add(SERVICE, "ListIdNamespaces", in -> pager.page(in, "idNamespaceSummaries",
                backend.idNamespaces().stream().map(EntityResolutionResponses::idNamespaceSummary).toList()));
        router.add(SERVICE, "GetPolicy", in -> backend.policy(text(in, "arn")));
        router.add(SERVICE, "GetSchemaMapping", in -> backend.schemaMapping(text(in, "schemaName")).deepCopy());
        router.add(SERVICE, "ListSchemaMappings", in -> pager.page(in, "schemaList", backend.schemaMappings().stream()
                .map(n -> pick(n, "schemaName", "schemaArn", "createdAt", "updatedAt", "hasWorkflows")).toList()));
    }

    private static ObjectNode idNamespaceSummary(ObjectNode n) {
        ObjectNode s = pick(n, "idNamespaceName", "idNamespaceArn", "description", "type", "createdAt", "updatedAt");
        if (n.has("idMappingWorkflowProperties")) {
            s.putArray("idMappingWorkflowProperties").addObject().put("idMappingType",
                    n.get("idMappingWorkflowProperties").get(0).get("idMappingType").asText());
        }
        return s;
    }
}
