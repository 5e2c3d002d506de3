package com.omc.flywheel.statemachine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.omc.flywheel.local.cleanrooms.ServiceModel;
import com.omc.flywheel.local.fixtures.ChildProcess;
import com.omc.flywheel.local.fixtures.SampleEvents;
import com.omc.flywheel.local.iam.DeployedStack;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every statemachine/*.asl.json is what statemachine/generate.py writes (its one definition of the
 * Glue job loop), passes asl-validator (installed from the npm registry by this test
 * when node_modules lacks it), and every Task retries transient errors with backoff and has a
 * timeout where it calls a Lambda.
 */
class AslDefinitionsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    static List<Path> definitions() throws Exception {
        try (Stream<Path> files = Files.list(SampleEvents.repoRoot().resolve("statemachine"))) {
            return files.filter(p -> p.getFileName().toString().endsWith(".asl.json")).sorted().toList();
        }
    }

    @Test
    void everyDefinitionPassesAslValidator() throws Exception {
        Path root = SampleEvents.repoRoot();
        Path validator = root.resolve("node_modules/.bin/asl-validator");
        if (!Files.isExecutable(validator)) {
            run(root, List.of(npm(), "ci", "--no-audit", "--no-fund"),
                    "npm ci (installs asl-validator from package-lock.json)");
        }
        List<Path> files = definitions();
        assertEquals(4, files.size(), files.toString());
        for (Path f : files) {
            run(root, List.of(validator.toString(), "--json-path", f.toString()), "asl-validator " + f.getFileName());
        }
    }

    /**
     * The Glue job loops (Start…, Check…, …Ended?, WaitFor…, the ceilings and the Retry around them)
     * are written by statemachine/generate.py from one definition; a hand edit of one copy, or a
     * change to the script that was not run, fails here.
     */
    @Test
    void committedDefinitionsAreTheGeneratorsOutput(@TempDir Path out) throws Exception {
        Path root = SampleEvents.repoRoot();
        String python = onPath("python3", "python3 was not found on PATH: install Python 3 (statemachine/generate.py, "
                + "which writes the job loops of statemachine/*.asl.json, needs only its standard library)");
        run(root, List.of(python, root.resolve("statemachine/generate.py").toString(), "--out", out.toString()),
                "python3 statemachine/generate.py --out " + out);
        List<String> differ = new ArrayList<>();
        for (Path committed : definitions()) {
            Path generated = out.resolve(committed.getFileName().toString());
            if (!Files.exists(generated)) {
                differ.add(committed.getFileName() + ": not written by the generator (add it to JOB_LOOPS in "
                        + "generate.py)");
                continue;
            }
            List<String> a = Files.readAllLines(committed, StandardCharsets.UTF_8);
            List<String> b = Files.readAllLines(generated, StandardCharsets.UTF_8);
            for (int i = 0; i < Math.max(a.size(), b.size()); i++) {
                String x = i < a.size() ? a.get(i) : "<end of file>";
                String y = i < b.size() ? b.get(i) : "<end of file>";
                if (!x.equals(y)) {
                    differ.add(committed.getFileName() + " line " + (i + 1) + ": committed '" + x.strip()
                            + "', generated '" + y.strip() + "'");
                    break;
                }
            }
            if (!Arrays.equals(Files.readAllBytes(committed), Files.readAllBytes(generated)) && a.equals(b)) {
                differ.add(committed.getFileName() + ": line endings or final newline differ");
            }
        }
        assertEquals(List.of(), differ, "statemachine/*.asl.json differ from what the generator writes: run "
                + "statemachine/generate.py (python3 statemachine/generate.py, from the repository root) and commit "
                        + "its "
                + "output; change a Glue job loop in generate.py, never in one .asl.json copy");
    }

    /**
     * A Lambda task waits a little longer than its function's Timeout in template.yaml, so a run
     * that Lambda stops surfaces as Sandbox.Timedout (and is retried), never cut short by the task.
     */
    @Test
    void everyLambdaTaskOutlastsItsFunctionsTimeout() throws Exception {
        DeployedStack stack = DeployedStack.local(SampleEvents.repoRoot().resolve("template.yaml"));
        List<String> problems = new ArrayList<>();
        int tasks = 0;
        for (Path f : definitions()) {
            for (JsonNode task : JSON.readTree(f.toFile()).findParents("Resource")) {
                String fn = task.path("Parameters").path("FunctionName").asText();
                if (!task.path("Resource").asText().contains("lambda") || !fn.startsWith("${")) {
                    continue;
                }
                tasks++;
                String folder = StateMachineHarness.FUNCTIONS.get(fn.substring(2, fn.length() - "Arn}".length()));
                int timeout = stack.function(folder).timeoutSeconds();
                if (task.path("TimeoutSeconds").asInt() <= timeout) {
                    problems.add(f.getFileName() + " " + fn + ": TimeoutSeconds " + task.path("TimeoutSeconds").asInt()
                            + " does not exceed the function's Timeout " + timeout);
                }
            }
        }
        assertTrue(tasks >= 20, "Lambda tasks read: " + tasks);
        assertEquals(List.of(), problems);
    }

    @Test
    void everyTaskRetriesTransientErrorsWithBackoffAndLambdaTasksHaveATimeout() throws Exception {
        for (Path f : definitions()) {
            List<String> problems = new ArrayList<>();
            check(JSON.readTree(f.toFile()).get("States"), false, problems);
            assertEquals(List.of(), problems, f.getFileName().toString());
        }
    }

    /**
     * An optimized DynamoDB integration fails with {@code DynamoDB.<the error the API answered>}: a Retry
     * or Catch naming an error the operation never answers (e.g. {@code DynamoDB.ThrottlingException} on
     * UpdateItem, which throttles with ProvisionedThroughputExceededException or RequestLimitExceeded)
     * never matches, so the step fails at the first throttle. Every name is checked against the
     * operation's errors in DynamoDB's own API model.
     */
    @Test
    void dynamoDbTasksRetryAndCatchOnlyErrorsTheirOperationAnswers() throws Exception {
        ServiceModel dynamodb = ServiceModel.load("dynamodb");
        List<String> problems = new ArrayList<>();
        for (Path f : definitions()) {
            JSON.readTree(f.toFile()).findParents("Resource").forEach(task -> {
                String resource = task.path("Resource").asText();
                if (!resource.startsWith("arn:aws:states:::dynamodb:")) {
                    return;
                }
                String op = resource.substring(resource.lastIndexOf(':') + 1);
                String operation = Character.toUpperCase(op.charAt(0)) + op.substring(1);
                List<String> answered = dynamodb.errors(operation);
                for (String field : List.of("Retry", "Catch")) {
                    task.path(field).forEach(rule -> rule.path("ErrorEquals").forEach(e -> {
                        String name = e.asText();
                        if (name.startsWith("DynamoDB.") && !name.equals("DynamoDB.AmazonDynamoDBException")
                                && !answered.contains(name.substring("DynamoDB.".length()))) {
                            problems.add(f.getFileName() + " " + operation + " " + field + " " + name
                                    + " (the operation answers " + answered + ")");
                        }
                    }));
                }
            });
        }
        assertEquals(List.of(), problems);
    }

    /**
     * Issue 14: no Catch leads to a Fail state. A catch-all that notifies and then fails makes the
     * Fail state the one that failed, so a redrive restarts there and fails again at once; the step
     * that failed must be the state that fails the execution (notify-failure, on the execution's
     * EventBridge status change, notifies). A Catch that recovers (a topic's own iteration in the
     * orchestrator's Map, a notification that could not be sent) is fine. So is a Catch of named
     * errors that ends in its step's own Fail state inside the step's branch, as a Glue job loop's
     * {@code <Step>Failed} does: the step is still the state that fails the execution, and the Fail
     * state tells the operator that a redrive would repeat the failure (refresh-er-table's failed
     * query: a redrive would poll the same query again), so a new execution resumes.
     */
    @Test
    void noCatchLeadsToAFailState() throws Exception {
        List<String> problems = new ArrayList<>();
        for (Path f : definitions()) {
            catchesIn(JSON.readTree(f.toFile()), f.getFileName().toString(), problems, true);
        }
        assertEquals(List.of(), problems);
        // The exception above, and nothing wider: named errors only, inside BuildErTable's branch.
        JsonNode er = JSON.readTree(SampleEvents.repoRoot().resolve("statemachine/db-refresh.asl.json").toFile())
                .path("States").path("BuildErTable").path("Branches").get(0).path("States").path("RefreshErTable")
                        .path("Catch");
        assertEquals(1, er.size());
        assertEquals("ErTableFailed", er.get(0).path("Next").asText());
        assertFalse(er.get(0).path("ErrorEquals").toString().contains("States."), er.toString());
        JsonNode refresh = JSON.readTree(SampleEvents.repoRoot().resolve("statemachine/db-refresh.asl.json").toFile());
        for (String gone : List.of("NotifyFailure", "RefreshFailed", "RecordSplitInputsFailure")) {
            assertFalse(refresh.path("States").has(gone), gone + " is back in db-refresh");
        }
    }

    private static void catchesIn(JsonNode machine, String file, List<String> problems, boolean topLevel) {
        JsonNode states = machine.get("States");
        for (Iterator<Map.Entry<String, JsonNode>> it = states.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            for (JsonNode c : e.getValue().path("Catch")) {
                boolean named = !c.path("ErrorEquals").toString().contains("States.");
                String next = c.path("Next").asText();
                java.util.Set<String> seen = new java.util.HashSet<>();
                while (next != null && seen.add(next) && states.has(next)) {
                    JsonNode s = states.get(next);
                    if (s.path("Type").asText().equals("Fail") && (topLevel || !named)) {
                        problems.add(file + " " + e.getKey() + ": its Catch leads to the Fail state " + next);
                        break;
                    }
                    next = s.has("Next") ? s.get("Next").asText() : s.has("Default") ? s.get("Default").asText() : null;
                }
            }
            e.getValue().path("Branches").forEach(b -> catchesIn(b, file, problems, false));
            if (e.getValue().has("ItemProcessor")) {
                catchesIn(e.getValue().get("ItemProcessor"), file, problems, false);
            }
        }
    }

    /**
     * @param caught true inside a Parallel or Map whose own Catch handles what its branches throw
     */
    private static void check(JsonNode states, boolean caught, List<String> problems) {
        for (Iterator<Map.Entry<String, JsonNode>> it = states.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode s = e.getValue();
            if (s.path("Type").asText().equals("Task")) {
                if (!s.has("Retry") || s.get("Retry").isEmpty()) {
                    problems.add(e.getKey() + ": no Retry");
                }
                // Every retrier backs off (generate.py's retry(): 2.0): BackoffRate
                // present and above 1.0 (ASL's default, when absent, is 2.0, but these files always say it;
                // 1.0 retries at a constant interval, which is no backoff).
                for (int i = 0; i < s.path("Retry").size(); i++) {
                    JsonNode rate = s.get("Retry").get(i).get("BackoffRate");
                    if (rate == null || !rate.isNumber() || rate.asDouble() <= 1.0) {
                        problems.add(e.getKey() + ": Retry[" + i + "] " + s.get("Retry").get(i).path("ErrorEquals")
                                + " without backoff (BackoffRate " + rate + ", must be above 1.0)");
                    }
                }
                if (s.path("Resource").asText().contains("lambda") && !s.has("TimeoutSeconds")) {
                    problems.add(e.getKey() + ": Lambda task without TimeoutSeconds");
                }
                // Every function is idempotent, so a run that Lambda or the task timeout stopped is retried.
                if (s.path("Resource").asText().contains("lambda")
                        && !s.path("Retry").toString().contains("\"Sandbox.Timedout\"")) {
                    problems.add(e.getKey() + ": Lambda task that does not retry Sandbox.Timedout / States.Timeout");
                }
            }
            boolean covers = caught || s.has("Catch");
            s.path("Branches").forEach(b -> check(b.get("States"), covers, problems));
            if (s.has("ItemProcessor")) {
                check(s.get("ItemProcessor").get("States"), covers, problems);
            }
        }
    }

    private static String npm() {
        return onPath("npm", "npm was not found on PATH: install Node.js 20 and npm (apt-get install nodejs npm) "
                + "so asl-validator can be installed");
    }

    private static String onPath(String program, String missing) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (new File(dir, program).canExecute()) {
                return new File(dir, program).getAbsolutePath();
            }
        }
        throw new AssertionError(missing);
    }

    private static void run(Path dir, List<String> command, String what) throws Exception {
        ChildProcess.Result r = ChildProcess.run(new ProcessBuilder(command).directory(dir.toFile())
                .redirectErrorStream(true), Duration.ofSeconds(300), what);
        assertEquals(0, r.exitCode(), what + ":\n" + r.stdout());
    }
}
