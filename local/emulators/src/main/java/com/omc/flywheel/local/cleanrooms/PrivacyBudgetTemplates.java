package com.omc.flywheel.local.cleanrooms;

import static com.omc.flywheel.local.cleanrooms.JsonMembers.NODES;
import static com.omc.flywheel.local.cleanrooms.JsonMembers.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Privacy budget templates, as the model has them: a template belongs to a membership's
 * collaboration and is {@code DIFFERENTIAL_PRIVACY} (the collaboration's one differential privacy
 * budget: "Each collaboration can have only one privacy budget template") or {@code ACCESS_BUDGET}
 * (its {@code accessBudget.resourceArn} names one configured table association of the membership,
 * one template per association). An association, or its analysis rule, that an ACCESS_BUDGET
 * template budgets cannot be deleted: ConflictException SUBRESOURCES_EXIST until the template is
 * deleted (docs/today.md: templates block deletes). Guarded by the stand-in's lock.
 */
final class PrivacyBudgetTemplates {
    private final CleanRoomsBackend backend;
    private final ChangeClock clock;
    private final Map<String, ObjectNode> templates = new LinkedHashMap<>();

    PrivacyBudgetTemplates(CleanRoomsBackend backend, ChangeClock clock) {
        this.backend = backend;
        this.clock = clock;
    }

    void reset() {
        templates.clear();
    }

    ObjectNode create(ObjectNode in) {
        String mid = text(in, "membershipIdentifier");
        ObjectNode m = backend.membership(mid);
        String collabId = m.get("collaborationId").asText();
        String type = text(in, "privacyBudgetType");
        JsonNode parameters = in.get("parameters");
        String member = type.equals("ACCESS_BUDGET") ? "accessBudget" : "differentialPrivacy";
        if (!parameters.has(member)) {
            throw ApiError.validation("parameters must hold " + member + " for a " + type + " privacy budget template");
        }
        List<ObjectNode> inCollaboration = templates.values().stream()
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
            ObjectNode budgeted = backend.associations().stream().filter(a -> a.get("arn").asText().equals(target)
                    && a.get("membershipId").asText().equals(mid)).findFirst()
                    .orElseThrow(() -> ApiError.notFound("CONFIGURED_TABLE_ASSOCIATION", target));
            for (ObjectNode t : inCollaboration) {
                if (target.equals(budgetedArn(t))) {
                    throw ApiError.conflict("CONFIGURED_TABLE_ASSOCIATION", budgeted.get("id").asText(),
                            "ALREADY_EXISTS", "association " + budgeted.get("name").asText()
                                    + " already has a data access budget (template " + t.get("id").asText() + ")");
                }
            }
        }
        String id = UUID.randomUUID().toString();
        long t = clock.tick();
        ObjectNode template = NODES.objectNode();
        // The ARN AWS gives (Service Authorization Reference: membership/${MembershipId}/privacybudgettemplate/${Id}).
        template.put("id", id).put("arn", m.get("arn").asText() + "/privacybudgettemplate/" + id)
                .put("membershipId", mid)
                .put("membershipArn", m.get("arn").asText()).put("collaborationId", collabId)
                .put("collaborationArn", m.get("collaborationArn").asText()).put("createTime", t).put("updateTime", t)
                .put("privacyBudgetType", type).put("autoRefresh", in.path("autoRefresh").asText("NONE"));
        template.set("parameters", parameters.deepCopy());
        templates.put(id, template);
        return template;
    }

    /** The templates of the membership's collaboration. */
    List<ObjectNode> list(String membershipId) {
        String collabId = backend.membership(membershipId).get("collaborationId").asText();
        return templates.values().stream().filter(t -> t.get("collaborationId").asText().equals(collabId)).toList();
    }

    /** A template of the membership's collaboration (the model: "in the collaboration that this membership
     * belongs to"). */
    ObjectNode get(String membershipId, String id) {
        String collabId = backend.membership(membershipId).get("collaborationId").asText();
        ObjectNode t = templates.get(id);
        if (t == null || !t.get("collaborationId").asText().equals(collabId)) {
            throw ApiError.notFound("MEMBERSHIP", id);
        }
        return t;
    }

    void delete(String membershipId, String id) {
        templates.remove(get(membershipId, id).get("id").asText());
    }

    /** An association an ACCESS_BUDGET privacy budget template budgets cannot lose its rule or be deleted. */
    void refuseWhileBudgeted(ObjectNode association, String what) {
        String arn = association.get("arn").asText();
        for (ObjectNode t : templates.values()) {
            if (arn.equals(budgetedArn(t))) {
                throw ApiError.conflict("CONFIGURED_TABLE_ASSOCIATION", association.get("id").asText(),
                        "SUBRESOURCES_EXIST",
                        what + " cannot be deleted: privacy budget template " + t.get("id").asText()
                                + " (ACCESS_BUDGET) budgets the association; delete the template first");
            }
        }
    }

    /** The association an ACCESS_BUDGET template budgets, or null. */
    private static String budgetedArn(ObjectNode template) {
        return template.path("parameters").path("accessBudget").path("resourceArn").asText(null);
    }
}
