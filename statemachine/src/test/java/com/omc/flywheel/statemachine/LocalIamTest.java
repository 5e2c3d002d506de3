package com.omc.flywheel.statemachine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.omc.flywheel.local.LocalCloud;
import com.omc.flywheel.local.fixtures.SampleEvents;
import com.omc.flywheel.local.iam.DeployedStack;
import com.omc.flywheel.local.iam.IamEnforcer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The local IAM check can fail: with one statement removed from a copy of template.yaml, the
 * function's call is denied, naming the action and the resource; with the template as it is, the
 * same invocation is authorized. (Every other test of this module fails on any denial: LocalIamCheck.)
 */
class LocalIamTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Test
    void removingTheStatementThatGrantsACallDeniesIt() throws Exception {
        LocalCloud cloud = StateMachineHarness.fresh();
        String event = SampleEvents.read("check-status-glue.json");

        HttpResponse<String> allowed = invoke(cloud, "check-status", event);
        assertEquals(List.of(), cloud.iam().describeDenials(), "the template as it is grants check-status its calls");
        assertTrue(cloud.iam().checked().getOrDefault("CheckStatusFunctionRole", 0) > 0,
                "check-status' calls were authorized as its role: " + cloud.iam().checked());
        assertEquals(200, allowed.statusCode(), allowed.body());
        assertFalse(allowed.body().contains("AccessDenied"), "authorized, the call reaches Glue: " + allowed.body());

        String template = Files.readString(SampleEvents.repoRoot().resolve("template.yaml"));
        String without = Pattern.compile("\\n            - Sid: ReadDbRefreshJobRuns\\n(?:              .*\\n|         "
                + "       .*\\n)+")
                .matcher(template).replaceFirst(" []\n"); // check-status' only statement: an empty policy
        assertTrue(!without.equals(template) && !without.contains("ReadDbRefreshJobRuns"), "the statement was removed");
        Path copy = Files.createTempDirectory("template-copy").resolve("template.yaml");
        Files.writeString(copy, without);
        cloud.iam().useStack(DeployedStack.read(copy, DeployedStack.LOCAL_PARAMETERS));
        try {
            HttpResponse<String> denied = invoke(cloud, "check-status", event);
            assertEquals("Unhandled", denied.headers().firstValue("X-Amz-Function-Error").orElse(""), denied.body());
            List<IamEnforcer.Denial> denials = cloud.iam().denials();
            assertEquals(1, denials.size(), denials.toString());
            assertEquals("glue:GetJobRun", denials.get(0).action());
            assertEquals("arn:aws:glue:us-east-1:123456789012:job/etl-omc-flywheel-dev-addressable-split-and-part",
                    denials.get(0).resource());
            assertEquals("CheckStatusFunctionRole", denials.get(0).principal());
            assertTrue(denied.body().contains("glue:GetJobRun"), "the function's error names the denied action: "
                    + denied.body());
        } finally {
            cloud.iam().useStack(DeployedStack.local(SampleEvents.repoRoot().resolve("template.yaml")));
            cloud.iam().reset();
        }
    }

    private static HttpResponse<String> invoke(LocalCloud cloud, String function, String event) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(cloud.endpoint() + "/2015-03-31/functions/"
                        + StateMachineHarness.name(function) + ":live/invocations"))
                .POST(HttpRequest.BodyPublishers.ofString(event)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
