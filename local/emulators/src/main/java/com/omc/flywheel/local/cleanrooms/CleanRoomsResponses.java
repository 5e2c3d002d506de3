package com.omc.flywheel.local.cleanrooms;

import static com.omc.flywheel.local.cleanrooms.JsonMembers.pick;
import static com.omc.flywheel.local.cleanrooms.JsonMembers.text;
import static com.omc.flywheel.local.cleanrooms.JsonMembers.wrap;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.function.UnaryOperator;

/**
 * The Clean Rooms operations (moto's {@code responses.py}): each takes the request (already
 * validated against the model), asks the backend, and answers in the output shape: Get/Create/Update
 * wrap the resource under the shape's member, List pages the summary members, Delete answers
 * nothing. Registered with the {@link OperationRouter} under the signing name {@code cleanrooms}.
 */
final class CleanRoomsResponses {
    static final String SERVICE = "cleanrooms";

    private final CleanRoomsBackend backend;
    private final PrivacyBudgetTemplates budgets;
    private final CollaborationSchemas schemas;
    private final IdMappingBackend idMapping;
    private final Pager pager;

    CleanRoomsResponses(CleanRoomsBackend backend, IdMappingBackend idMapping, Pager pager) {
        this.backend = backend;
        this.budgets = backend.privacyBudgets();
        this.schemas = new CollaborationSchemas(backend);
        this.idMapping = idMapping;
        this.pager = pager;
    }

    void addTo(OperationRouter router) {
        collaborations(router);
        configuredTables(router);
        associations(router);
        privacyBudgetTemplates(router);
        idMapping(router);
    }

    private static void add(OperationRouter router, String operation, UnaryOperator<ObjectNode> handler) {
        router.add(SERVICE, operation, handler);
    }

    private void collaborations(OperationRouter router) {
        add(router, "GetMembership", in -> wrap("membership", backend.membership(text(in, "membershipIdentifier"))));
        add(router, "ListMemberships", in -> pager.page(in, "membershipSummaries", backend.memberships().stream()
                .map(m -> pick(m, "id", "arn", "collaborationArn", "collaborationId", "collaborationCreatorAccountId",
                        "collaborationCreatorDisplayName", "collaborationName", "createTime", "updateTime", "status",
                        "memberAbilities", "paymentConfiguration")).toList()));
        add(router, "GetCollaboration", in -> wrap("collaboration",
                backend.collaboration(text(in, "collaborationIdentifier"))));
        add(router, "ListCollaborations", in -> pager.page(in, "collaborationList", backend.collaborations().stream()
                .map(c -> pick(c, "id", "arn", "name", "creatorAccountId", "creatorDisplayName", "createTime",
                        "updateTime", "memberStatus", "membershipId", "membershipArn", "analyticsEngine")).toList()));
        add(router, "ListMembers", in -> pager.page(in, "memberSummaries",
                backend.members(text(in, "collaborationIdentifier"))));
        add(router, "ListSchemas", in -> pager.page(in, "schemaSummaries",
                schemas.schemas(text(in, "collaborationIdentifier")).stream()
                        .map(s -> pick(s, "name", "type", "creatorAccountId", "createTime", "updateTime",
                                "collaborationId", "collaborationArn", "analysisRuleTypes", "analysisMethod",
                                "resourceArn")).toList()));
        add(router, "GetSchema", in -> wrap("schema", schemas.schema(text(in, "collaborationIdentifier"),
                text(in, "name"))));
        add(router, "GetSchemaAnalysisRule", in -> wrap("analysisRule", schemas.analysisRule(
                text(in, "collaborationIdentifier"), text(in, "name"), text(in, "type"))));
    }

    private void configuredTables(OperationRouter router) {
        add(router, "CreateConfiguredTable", in -> wrap("configuredTable", backend.createConfiguredTable(in)));
        add(router, "GetConfiguredTable", in -> wrap("configuredTable",
                backend.configuredTable(text(in, "configuredTableIdentifier"))));
        add(router, "ListConfiguredTables", in -> pager.page(in, "configuredTableSummaries",
                backend.configuredTables().stream().map(t -> pick(t, "id", "arn", "name", "createTime", "updateTime",
                        "analysisRuleTypes", "analysisMethod")).toList()));
        add(router, "DeleteConfiguredTable", in -> {
            backend.deleteConfiguredTable(text(in, "configuredTableIdentifier"));
            return null;
        });
        add(router, "CreateConfiguredTableAnalysisRule", in -> wrap("analysisRule", backend.createTableRule(in)));
        add(router, "GetConfiguredTableAnalysisRule", in -> wrap("analysisRule",
                backend.tableRule(text(in, "configuredTableIdentifier"), text(in, "analysisRuleType"))));
        add(router, "UpdateConfiguredTableAnalysisRule", in -> wrap("analysisRule", backend.updateTableRule(in)));
        add(router, "DeleteConfiguredTableAnalysisRule", in -> {
            backend.deleteTableRule(in);
            return null;
        });
    }

    private void associations(OperationRouter router) {
        add(router, "CreateConfiguredTableAssociation", in -> wrap("configuredTableAssociation",
                backend.createAssociation(in)));
        add(router, "GetConfiguredTableAssociation", in -> wrap("configuredTableAssociation",
                backend.association(text(in, "membershipIdentifier"),
                        text(in, "configuredTableAssociationIdentifier"))));
        add(router, "ListConfiguredTableAssociations", in -> {
            String mid = text(in, "membershipIdentifier");
            backend.membership(mid);
            return pager.page(in, "configuredTableAssociationSummaries", backend.associations().stream()
                    .filter(a -> a.get("membershipId").asText().equals(mid))
                    .map(a -> pick(a, "configuredTableId", "membershipId", "membershipArn", "name", "createTime",
                            "updateTime", "id", "arn", "analysisRuleTypes")).toList());
        });
        add(router, "UpdateConfiguredTableAssociation", in -> wrap("configuredTableAssociation",
                backend.updateAssociation(in)));
        add(router, "DeleteConfiguredTableAssociation", in -> {
            backend.deleteAssociation(in);
            return null;
        });
        add(router, "CreateConfiguredTableAssociationAnalysisRule", in -> wrap("analysisRule",
                backend.createAssociationRule(in)));
        add(router, "GetConfiguredTableAssociationAnalysisRule", in -> wrap("analysisRule",
                backend.associationRule(text(in, "membershipIdentifier"),
                        text(in, "configuredTableAssociationIdentifier"), text(in, "analysisRuleType"))));
        add(router, "UpdateConfiguredTableAssociationAnalysisRule", in -> wrap("analysisRule",
                backend.updateAssociationRule(in)));
        add(router, "DeleteConfiguredTableAssociationAnalysisRule", in -> {
            backend.deleteAssociationRule(in);
            return null;
        });
    }

    private void privacyBudgetTemplates(OperationRouter router) {
        add(router, "CreatePrivacyBudgetTemplate", in -> wrap("privacyBudgetTemplate", budgets.create(in)));
        add(router, "ListPrivacyBudgetTemplates", in -> pager.page(in, "privacyBudgetTemplateSummaries",
                budgets.list(text(in, "membershipIdentifier")).stream()
                        .map(t -> pick(t, "id", "arn", "membershipId", "membershipArn", "collaborationId",
                                "collaborationArn", "privacyBudgetType", "createTime", "updateTime")).toList()));
        add(router, "GetPrivacyBudgetTemplate", in -> wrap("privacyBudgetTemplate",
                budgets.get(text(in, "membershipIdentifier"), text(in, "privacyBudgetTemplateIdentifier"))));
        add(router, "DeletePrivacyBudgetTemplate", in -> {
            budgets.delete(text(in, "membershipIdentifier"), text(in, "privacyBudgetTemplateIdentifier"));
            return null;
        });
    }

    private void idMapping(OperationRouter router) {
        add(router, "CreateIdNamespaceAssociation", in -> wrap("idNamespaceAssociation",
                idMapping.createIdNamespaceAssociation(in)));
        add(router, "ListIdNamespaceAssociations", in -> pager.page(in, "idNamespaceAssociationSummaries",
                idMapping.idNamespaceAssociations(text(in, "membershipIdentifier")).stream().map(a -> {
                    ObjectNode s = pick(a, "membershipId", "membershipArn", "collaborationArn", "collaborationId",
                            "createTime", "updateTime", "id", "arn", "inputReferenceConfig", "name", "description");
                    s.putObject("inputReferenceProperties").put("idNamespaceType",
                            a.get("inputReferenceProperties").get("idNamespaceType").asText());
                    return s;
                }).toList()));
        add(router, "GetIdNamespaceAssociation", in -> wrap("idNamespaceAssociation",
                idMapping.idNamespaceAssociation(text(in, "membershipIdentifier"),
                        text(in, "idNamespaceAssociationIdentifier"))));
        add(router, "ListIdMappingTables", in -> pager.page(in, "idMappingTableSummaries",
                idMapping.idMappingTables(text(in, "membershipIdentifier")).stream()
                        .map(t -> pick(t, "collaborationArn", "collaborationId", "membershipId", "membershipArn",
                                "createTime", "updateTime", "id", "arn", "description", "inputReferenceConfig",
                                "name")).toList()));
        add(router, "GetIdMappingTable", in -> wrap("idMappingTable", idMapping.idMappingTable(
                text(in, "membershipIdentifier"), text(in, "idMappingTableIdentifier"))));
    }
}
