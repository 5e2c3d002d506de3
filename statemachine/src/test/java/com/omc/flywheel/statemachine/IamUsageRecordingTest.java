package com.omc.flywheel.statemachine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.omc.flywheel.local.LocalCloud;
import com.omc.flywheel.local.fixtures.SampleEvents;
import com.omc.flywheel.local.iam.DeployedStack;
import com.omc.flywheel.local.iam.IamEnforcer;
import com.omc.flywheel.ops.iam.IamReportCommand;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * A real invocation under the local IAM check is recorded in this JVM's usage file
 * ({@code target/iam-usage/<pid>.jsonl}) with the role, the action, the resource and the statement and
 * pattern that allowed it; bin/flywheel iam-report reads that file and counts the grant as used; and
 * removing the statement the file names (from a copy of template.yaml) makes the same call AccessDenied,
 * naming the role and the action.
 */
class IamUsageRecordingTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ROLE = "CheckStatusFunctionRole";
    private static final String JOB =
            "arn:aws:glue:us-east-1:123456789012:job/etl-omc-flywheel-dev-addressable-split-and-part";

    @Test
    void anAllowedCallIsRecordedWithItsStatementAndRemovingThatStatementDeniesIt() throws Exception {
        LocalCloud cloud = StateMachineHarness.fresh();
        String event = SampleEvents.read("check-status-glue.json");
        HttpResponse<String> allowed = invoke(cloud, event);
        assertEquals(200, allowed.statusCode(), allowed.body());
        assertEquals(List.of(), cloud.iam().describeDenials());

        Path file = cloud.iam().usage().flush().orElseThrow();
        assertEquals(Path.of(System.getProperty("basedir"), "target", "iam-usage",
                ProcessHandle.current().pid() + ".jsonl"), file, "one usage file per test JVM, in the module's target");
        List<JsonNode> lines = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            lines.add(JSON.readTree(line));
        }
        // The file is the JVM's: the test classes that ran before this one in it have their calls there too.
        JsonNode use = lines.stream().filter(l -> l.path("type").asText().equals("use")
                        && l.path("role").asText().equals(ROLE) && l.path("action").asText().equals("glue:GetJobRun")
                        && l.path("resource").asText().equals(JOB))
                .findFirst().orElseThrow(() -> new AssertionError("no glue:GetJobRun of " + JOB + " by " + ROLE
                        + " in " + file));
        assertEquals("ReadDbRefreshJobRuns", use.path("sid").asText());
        assertEquals(JOB, use.path("pattern").asText());
        assertTrue(use.path("count").asInt() >= 1, use.toString());
        assertTrue(lines.stream().anyMatch(l -> l.path("type").asText().equals("grants")
                && l.path("role").asText().equals(ROLE)
                && l.path("statements").get(0).path("sid").asText().equals("ReadDbRefreshJobRuns")), "grants line");

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = IamReportCommand.run(new String[]{file.toString(), "--json"},
                new PrintStream(out, true, StandardCharsets.UTF_8), System.err);
        assertTrue(code == 0 || code == 1, "the report reads the file: exit " + code);
        JsonNode role = JSON.readTree(out.toString(StandardCharsets.UTF_8)).path("roles").path(ROLE);
        role.path("unused").forEach(u -> assertTrue(!(u.path("statement").asText().equals("ReadDbRefreshJobRuns")
                && u.path("action").asText().equals("glue:GetJobRun") && u.path("resource").asText().equals(JOB)),
                "the report counts the recorded grant as used: " + u));
        assertTrue(role.path("generatedPolicy").toString().contains("glue:GetJobRun"), role.toString());

        String sid = use.path("sid").asText();
        String template = Files.readString(SampleEvents.repoRoot().resolve("template.yaml"));
        Matcher statement = Pattern.compile("\\n( +)- Sid: " + sid + "\\n(?:\\1  .*\\n)+").matcher(template);
        assertTrue(statement.find(), "the statement the usage names is in template.yaml: " + sid);
        Path copy = Files.createTempDirectory("template-copy").resolve("template.yaml");
        // The role's only statement: its policy is left empty (Statement: []).
        Files.writeString(copy, statement.replaceFirst(" []\n"));
        cloud.iam().useStack(DeployedStack.read(copy, DeployedStack.LOCAL_PARAMETERS));
        try {
            HttpResponse<String> denied = invoke(cloud, event);
            assertEquals("Unhandled", denied.headers().firstValue("X-Amz-Function-Error").orElse(""), denied.body());
            List<IamEnforcer.Denial> denials = cloud.iam().denials();
            assertEquals(ROLE, denials.get(0).principal(), denials.toString());
            assertEquals("glue:GetJobRun", denials.get(0).action());
            assertTrue(denied.body().contains("glue:GetJobRun") && denied.body().contains(ROLE),
                    "the error names the action and the role: " + denied.body());
        } finally {
            cloud.iam().useStack(DeployedStack.local(SampleEvents.repoRoot().resolve("template.yaml")));
            cloud.iam().reset();
        }
    }

    private static HttpResponse<String> invoke(LocalCloud cloud, String event) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(cloud.endpoint() + "/2015-03-31/functions/"
                        + StateMachineHarness.name("check-status") + ":live/invocations"))
                .POST(HttpRequest.BodyPublishers.ofString(event)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
