package com.omc.flywheel.local.iam;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.omc.flywheel.local.fixtures.SampleEvents;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The template's reading through aws-sam-translator is kept under the command and the content of the
 * files it names: a changed script, template or parameter is read again, never answered from before.
 */
class KeptTemplateAnswersTest {
    @TempDir
    Path repo;

    @Test
    void theKeyFollowsTheContentOfTheNamedFilesAndEveryArgument() throws Exception {
        Path script = Files.writeString(repo.resolve("iam_policies.py"), "print('{}')");
        Path template = Files.writeString(repo.resolve("template.yaml"), "Resources: {}\n");
        List<String> command = List.of("python3", script.toString(), template.toString(), "--param", "Environment=dev");
        Path first = DeployedStack.keptAnswer(command, repo);

        assertEquals(repo.resolve("target/template-scripts"), first.getParent());
        assertEquals(first, DeployedStack.keptAnswer(List.copyOf(command), repo), "the same command, the same files");
        assertNotEquals(first, DeployedStack.keptAnswer(List.of("python3", script.toString(), template.toString(),
                "--param", "Environment=prod"), repo), "another parameter");

        Files.writeString(template, "Resources: {Topic: {Type: AWS::SNS::Topic}}\n");
        Path changedTemplate = DeployedStack.keptAnswer(command, repo);
        assertNotEquals(first, changedTemplate, "the template's content changed at the same path");

        Files.writeString(script, "print('{\"roles\": {}}')");
        assertNotEquals(changedTemplate, DeployedStack.keptAnswer(command, repo), "the script changed");
    }

    /**
     * The repository's template with parameters no other test reads it with: the first read runs the
     * script and keeps its answer under that command; the next read answers from the kept file (here
     * replaced by a marker, so the answer can only have come from it), whatever the parameters' order.
     */
    @Test
    void theRepositorysTemplateIsReadOnceThenFromTheKeptAnswer() throws Exception {
        Path root = SampleEvents.repoRoot();
        Path template = root.resolve("template.yaml");
        Map<String, String> parameters = new LinkedHashMap<>(DeployedStack.LOCAL_PARAMETERS);
        parameters.put("GlueDatabase", "kept_answers_test");
        Path kept = DeployedStack.keptAnswer(DeployedStack.command(template, parameters), root);
        Files.deleteIfExists(kept);
        try {
            DeployedStack first = DeployedStack.read(template, parameters);
            assertTrue(Files.isRegularFile(kept), "the answer is kept at " + kept);
            assertFalse(first.statementsOf("CheckStatusFunctionRole").isEmpty());

            Files.writeString(kept, "{\"roles\": {\"MarkerRole\": {\"statements\": [], "
                    + "\"reasons\": {\"#0\": \"read from the kept answer\"}}}}");
            List<String> names = new ArrayList<>(parameters.keySet());
            Collections.reverse(names);
            Map<String, String> reversed = new LinkedHashMap<>();
            names.forEach(k -> reversed.put(k, parameters.get(k)));
            assertEquals(Map.of("#0", "read from the kept answer"),
                    DeployedStack.read(template, reversed).reasons("MarkerRole"));
        } finally {
            Files.deleteIfExists(kept);
        }
    }
}
