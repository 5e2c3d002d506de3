package com.omc.flywheel.local.iam;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.omc.flywheel.local.fixtures.SampleEvents;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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

    @Test
    void theRepositorysTemplateIsReadOnceAndTheKeptAnswerIsTheSame() {
        Path template = SampleEvents.repoRoot().resolve("template.yaml");
        DeployedStack first = DeployedStack.read(template, DeployedStack.LOCAL_PARAMETERS);
        try (var kept = Files.list(SampleEvents.repoRoot().resolve("target/template-scripts"))) {
            assertTrue(kept.anyMatch(f -> f.toString().endsWith(".json")), "an answer is kept");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        DeployedStack again = DeployedStack.read(template, DeployedStack.LOCAL_PARAMETERS);
        assertEquals(first.statementsOf("CheckStatusFunctionRole"), again.statementsOf("CheckStatusFunctionRole"));
        assertEquals(first.reasons("DbRefreshStateMachineMonthlyRole"),
                again.reasons("DbRefreshStateMachineMonthlyRole"));
    }
}
