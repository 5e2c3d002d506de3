package com.omc.flywheel.local.iam;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.omc.flywheel.local.fixtures.SampleEvents;
import com.omc.flywheel.shared.iam.PolicyEvaluator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The usage file: every role's grants once (with the reason comments of template.yaml), each distinct
 * allowed authorization once with its count and the statement that allowed it, appended per flush.
 */
class IamUsageTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String JOB =
            "arn:aws:glue:us-east-1:123456789012:job/etl-omc-flywheel-dev-addressable-split-and-part";

    @TempDir
    Path dir;

    @Test
    void writesEachRolesGrantsWithTheirReasonsAndCountsEachDistinctUse() throws Exception {
        String template = Files.readString(SampleEvents.repoRoot().resolve("template.yaml"));
        String marked = template.replaceFirst("\\n            - Sid: SeeOtherRuns\\n",
                "\n            # unused here because: a test of the reason comments\n"
                        + "            # (continued on a second line).\n"
                        + "            - Sid: SeeOtherRuns\n");
        assertFalse(marked.equals(template), "the comment was placed");
        Path copy = dir.resolve("template.yaml");
        Files.writeString(copy, marked);
        DeployedStack stack = DeployedStack.read(copy, DeployedStack.LOCAL_PARAMETERS);
        List<PolicyEvaluator.Statement> statements = stack.statementsOf("CheckStatusFunctionRole");

        IamUsage usage = new IamUsage();
        usage.grantsOf(stack);
        Path file = dir.resolve("usage/iam-usage.jsonl");
        usage.writeTo(file);
        for (int i = 0; i < 3; i++) {
            var verdict = PolicyEvaluator.authorize(statements, "glue:GetJobRun", JOB, Map.of());
            usage.allowed("CheckStatusFunctionRole", "glue:GetJobRun", JOB, verdict.allowedBy());
        }
        usage.flush();

        List<JsonNode> lines = read(file);
        assertEquals("run", lines.get(0).path("type").asText());
        assertEquals(IamUsage.FORMAT, lines.get(0).path("format").asInt());
        List<JsonNode> grants = lines.stream().filter(l -> l.path("type").asText().equals("grants")).toList();
        assertEquals(stack.roles().size(), grants.size(), "one grants line per role");
        JsonNode checkStatus = grants.stream().filter(g -> g.path("role").asText().equals("CheckStatusFunctionRole"))
                .findFirst().orElseThrow();
        JsonNode first = checkStatus.path("statements").get(0);
        assertEquals("ReadDbRefreshJobRuns", first.path("sid").asText());
        assertTrue(first.path("actions").toString().contains("glue:GetJobRun"), first.toString());
        assertTrue(first.path("resources").toString().contains(JOB), first.toString());
        assertFalse(first.has("reason"), first.toString());
        JsonNode resolveSnapshot = grants.stream()
                .filter(g -> g.path("role").asText().equals("ResolveSnapshotFunctionRole")).findFirst().orElseThrow();
        assertFalse(resolveSnapshot.path("statements").get(0).has("reason"), resolveSnapshot.toString());
        assertEquals("SeeOtherRuns", resolveSnapshot.path("statements").get(1).path("sid").asText());
        assertEquals("unused here because: a test of the reason comments (continued on a second line).",
                resolveSnapshot.path("statements").get(1).path("reason").asText());

        List<JsonNode> uses = lines.stream().filter(l -> l.path("type").asText().equals("use")).toList();
        assertEquals(1, uses.size(), uses.toString());
        JsonNode use = uses.get(0);
        assertEquals("CheckStatusFunctionRole", use.path("role").asText());
        assertEquals("glue:GetJobRun", use.path("action").asText());
        assertEquals(JOB, use.path("resource").asText());
        assertEquals("ReadDbRefreshJobRuns", use.path("sid").asText());
        assertEquals(0, use.path("statement").asInt());
        assertEquals(JOB, use.path("pattern").asText());
        assertEquals(3, use.path("count").asInt());

        usage.allowed("CheckStatusFunctionRole", "glue:GetJobRun", JOB,
                PolicyEvaluator.authorize(statements, "glue:GetJobRun", JOB, Map.of()).allowedBy());
        usage.flush();
        List<JsonNode> appended = read(file).subList(lines.size(), read(file).size());
        assertEquals(List.of("run", "use"), appended.stream().map(l -> l.path("type").asText()).toList(),
                "a second flush appends the new use only, not the grants again");
        assertEquals(1, appended.get(1).path("count").asInt());

        usage.writeTo(file);
        assertFalse(Files.exists(file), "a new run starts its file empty");
        usage.flush();
        assertEquals(stack.roles().size(), read(file).stream().filter(l -> l.path("type").asText().equals("grants"))
                .count(), "a new file gets the grants again");
    }

    private static List<JsonNode> read(Path file) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            out.add(JSON.readTree(line));
        }
        return out;
    }
}
