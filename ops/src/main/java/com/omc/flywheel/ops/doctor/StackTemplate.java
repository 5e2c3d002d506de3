package com.omc.flywheel.ops.doctor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import software.amazon.awssdk.services.cloudformation.CloudFormationClient;
import software.amazon.awssdk.services.cloudformation.model.StackResourceSummary;
import software.amazon.awssdk.services.cloudformation.model.TemplateStage;

/**
 * The stack's processed template (SAM's transform applied) and a resolver of its intrinsic functions
 * in this stack's names, read once per doctor run: the roles' declared statements and the functions'
 * settings, as deployed.
 */
record StackTemplate(JsonNode template, TemplateResolver resolver) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The stack's template, or null when its processed template is not JSON. */
    static StackTemplate of(Account account) {
        return account.once("template", () -> {
            String body = account.client(CloudFormationClient.class, CloudFormationClient::builder)
                    .getTemplate(b -> b.stackName(account.stackName()).templateStage(TemplateStage.PROCESSED))
                    .templateBody();
            JsonNode template;
            try {
                template = JSON.readTree(body);
            } catch (IOException e) {
                return null;
            }
            Map<String, TemplateResolver.Resource> resources = new HashMap<>();
            for (StackResourceSummary r : account.allResources().values()) {
                resources.put(r.logicalResourceId(), new TemplateResolver.Resource(r.resourceType(),
                        r.physicalResourceId()));
            }
            // Only the stack's own values: a parameter it does not list resolves to the template's Default.
            return new StackTemplate(template, new TemplateResolver(template, account.stackId(), account.parameters(),
                    resources));
        });
    }

    /** A resource of the template ({@code MissingNode} when it has none of that logical id). */
    JsonNode resource(String logicalId) {
        return template.path("Resources").path(logicalId);
    }
}
