package com.omc.flywheel.statemachine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.omc.flywheel.ops.doctor.AthenaResultWriters;
import com.omc.flywheel.ops.doctor.TemplateResolver;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code doctor} reads a deployed stack's roles from its processed template (after the SAM transform,
 * with its intrinsic functions still in it) and resolves them itself. Here the real template.yaml goes
 * through the SAM transform, and the Java resolver must give every role's policies exactly as the
 * local IAM check's resolver ({@code local/scripts/iam_policies.py}) gives them, for the local
 * parameters and for the ones that turn the conditional statements on.
 */
class DoctorTemplateResolverTest {
    private static final String STACK_ID = "arn:aws:cloudformation:us-east-1:123456789012:stack/omc-flywheel-local/1";

    @ParameterizedTest
    @ValueSource(strings = {"local parameters", "Lake Formation grants, report and topic keys, ID namespace"})
    void everyRolesPoliciesResolveAsTheLocalIamCheckResolvesThem(String parameters) {
        Map<String, String> extra = parameters.startsWith("local") ? Map.of() : Map.of(
                "LakeFormationGrants", "true",
                "ReportKmsKeyArn", "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
                "TopicKmsKeyId", "arn:aws:kms:us-east-1:123456789012:key/abcd1234-12ab-34cd-56ef-1234567890ab",
                "IdNamespaceArn", "arn:aws:entityresolution:us-east-1:123456789012:idnamespace/acx-ids");
        JsonNode template = TemplateOperabilityTest.transformed(extra);
        TemplateResolver resolver = resolver(template);

        int roles = 0;
        for (Map.Entry<String, JsonNode> role : TemplateOperabilityTest.resources(template, "AWS::IAM::Role")
                .entrySet()) {
            JsonNode python = role.getValue().path("Resolved");
            assertTrue(python.isObject(), role.getKey() + ": the local IAM check resolves every role");
            JsonNode properties = role.getValue().path("Properties");
            for (String property : List.of("Policies", "ManagedPolicyArns")) {
                if (properties.has(property)) {
                    assertEquals(python.path(property), resolver.resolve(properties.path(property)),
                            role.getKey() + "." + property + " with " + parameters);
                }
            }
            roles++;
        }
        assertTrue(roles >= 15, "the template's roles were compared: " + roles);
    }

    /** The resolver doctor makes for a stack deployed from {@code template}. */
    private static TemplateResolver resolver(JsonNode template) {
        Map<String, TemplateResolver.Resource> resources = new HashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = template.path("Resources").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> r = it.next();
            if (r.getValue().path("Deployed").asBoolean() && r.getValue().has("Ref")) {
                resources.put(r.getKey(), new TemplateResolver.Resource(r.getValue().path("Type").asText(),
                        r.getValue().path("Ref").asText()));
            }
        }
        Map<String, String> values = new HashMap<>();
        template.path("ParameterValues").fields().forEachRemaining(e -> values.put(e.getKey(),
                e.getValue().isArray() ? join(e.getValue()) : e.getValue().asText()));
        return new TemplateResolver(template, STACK_ID, values, resources);
    }

    /**
     * doctor's athena.results.write finds where each function tells Athena to write in the processed
     * template: the function of each role, and its ATHENA_RESULTS resolved.
     */
    @Test
    void theFunctionsResultsLocationsAreFoundInTheProcessedTemplate() {
        JsonNode template = TemplateOperabilityTest.transformed(Map.of());
        Map<String, String> results = AthenaResultWriters.functionResults(template, resolver(template));
        String bucket = template.path("ParameterValues").path("AnalysisBucketName").asText();
        assertEquals("s3://" + bucket + "/query-results/msck/", results.get("MsckRepairFunctionRole"),
                results.toString());
        assertEquals("s3://" + bucket + "/query-results/monitor/", results.get("BuildReportFunctionRole"),
                results.toString());
        assertEquals("", results.get("RefreshErTableFunctionRole"), "its location is in the refresh's input");
    }

    private static String join(JsonNode list) {
        StringBuilder out = new StringBuilder();
        list.forEach(v -> out.append(out.length() == 0 ? "" : ",").append(v.asText()));
        return out.toString();
    }
}
