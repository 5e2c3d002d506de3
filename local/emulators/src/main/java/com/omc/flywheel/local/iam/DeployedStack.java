package com.omc.flywheel.local.iam;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.omc.flywheel.local.moto.MotoServer;
import com.omc.flywheel.shared.iam.PolicyEvaluator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * {@code template.yaml} as {@code sam deploy} would create it, read for what this machine must
 * enforce: each function's and state machine's role with its statements (every intrinsic resolved
 * for the local account, region and parameters), and each function's Timeout and MemorySize. It is
 * {@code local/scripts/iam_policies.py}'s output: the template through aws-sam-translator's own
 * transform, the same one cfn-lint runs.
 */
public final class DeployedStack {
    private static final ObjectMapper JSON = new ObjectMapper();
    /**
     * The parameters of the local stack: the sample lake's names, the stand-in's membership, and
     * today's Clean Rooms role (the sample events pass it, as production's associations use it).
     */
    public static final Map<String, String> LOCAL_PARAMETERS = Map.of(
            "Environment", "dev",
            "CleanRoomsRoleArn", "arn:aws:iam::123456789012:role/cleanrooms-glue-s3-access",
            "GlueDatabase", "omc_flywheel_dev",
            "DataBucketName", "omc-flywheel-data-us-east-1-dev",
            "AnalysisBucketName", "omc-flywheel-dev-analysis-data",
            "CleanRoomsMembershipId", "0b6e5a4c-6f2d-4a8e-9c1b-3d5f7e9a1c2b");
    private static final Map<Path, DeployedStack> CACHE = new ConcurrentHashMap<>();
    /** The parameters {@link #local} deploys with: {@link #LOCAL_PARAMETERS}, and local-run's --param over them. */
    private static volatile Map<String, String> localParameters = LOCAL_PARAMETERS;

    /** A function's settings that Lambda enforces. */
    public record FunctionSettings(String name, String folder, String role, int timeoutSeconds, int memoryMb) {
    }

    private final JsonNode doc;
    private final Map<String, List<PolicyEvaluator.Statement>> statements = new ConcurrentHashMap<>();

    private DeployedStack(JsonNode doc) {
        this.doc = doc;
    }

    /** The stack of {@code template} with the local parameters, read once per JVM and template. */
    public static DeployedStack local(Path template) {
        return CACHE.computeIfAbsent(template.toAbsolutePath().normalize(), t -> read(t, localParameters));
    }

    /**
     * Deploys this JVM's local stack with {@code overrides} over {@link #LOCAL_PARAMETERS}, as
     * {@code sam deploy --parameter-overrides} would ({@code local-run --param}): every {@link #local}
     * stack read after this, so the IAM check, the functions' environment and the stack local-run
     * registers all see them. Before the first {@link #local}: a stack read already stays as it is.
     */
    public static synchronized void deployLocallyWith(Map<String, String> overrides) {
        if (!CACHE.isEmpty()) {
            throw new IllegalStateException("the local stack was read already, with " + localParameters);
        }
        Map<String, String> all = new java.util.LinkedHashMap<>(LOCAL_PARAMETERS);
        all.putAll(overrides);
        localParameters = Map.copyOf(all);
    }

    /**
     * The parameters {@code template} declares, as {@code {Name: {allowedValues: [...], allowedPattern}}}
     * (each only when declared): what {@code local-run --param} may give.
     */
    public static JsonNode declaredParameters(Path template) {
        Path repo = com.omc.flywheel.local.fixtures.SampleEvents.repoRoot();
        return python(List.of(MotoServer.findOnPath("python3", "python3 with PyYAML is needed to read template.yaml"),
                repo.resolve("local/scripts/sam_template.py").toString(), "--parameters", template.toString()),
                template);
    }

    /** The stack of {@code template} with these parameters (read again when the template changes). */
    public static DeployedStack read(Path template, Map<String, String> parameters) {
        return new DeployedStack(python(command(template, parameters), template));
    }

    /** The iam_policies.py command {@link #read} runs. */
    static List<String> command(Path template, Map<String, String> parameters) {
        Path repo = com.omc.flywheel.local.fixtures.SampleEvents.repoRoot();
        List<String> command = new ArrayList<>(List.of(MotoServer.findOnPath("python3",
                "python3 (with aws-sam-translator, which cfn-lint brings) is needed to read template.yaml"),
                repo.resolve("local/scripts/iam_policies.py").toString(), template.toString(),
                "--region", MotoServer.REGION, "--account", MotoServer.ACCOUNT_ID));
        // In name order: the same parameters are the same command (Map.of's order changes from JVM to JVM).
        new java.util.TreeMap<>(parameters).forEach((k, v) -> command.addAll(List.of("--param", k + "=" + v)));
        return command;
    }

    /**
     * What the Python command prints to standard output, as JSON. The answer is kept in
     * {@code target/template-scripts/} of the repository under the SHA-256 of the command and of the
     * content of every file it names (script, template), when the template is the repository's own:
     * the same command on the same files gives the same answer, and the test JVMs, local-runs and
     * invokes of a build read it through aws-sam-translator once instead of each time (half a second
     * of CPU each). After upgrading aws-sam-translator: {@code rm -r target/template-scripts}.
     */
    private static JsonNode python(List<String> command, Path template) {
        Path repo = com.omc.flywheel.local.fixtures.SampleEvents.repoRoot();
        // Only the repository's own template: a test's changed copy is read each time, as written.
        Path kept = template.toAbsolutePath().normalize().equals(repo.resolve("template.yaml").toAbsolutePath()
                .normalize()) ? keptAnswer(command, repo) : null;
        try {
            if (kept != null && Files.isRegularFile(kept)) {
                return JSON.readTree(kept.toFile());
            }
            Path errors = Files.createTempFile("iam-policies", ".err");
            Process p = new ProcessBuilder(command).redirectError(errors.toFile()).start();
            byte[] out = p.getInputStream().readAllBytes();
            boolean done = p.waitFor(60, TimeUnit.SECONDS);
            String err = Files.readString(errors, StandardCharsets.UTF_8);
            Files.deleteIfExists(errors);
            if (!done || p.exitValue() != 0) {
                throw new IllegalStateException("cannot read " + template + " ("
                        + String.join(" ", command)
                        + "): " + err);
            }
            JsonNode answer = JSON.readTree(out);
            if (kept == null) {
                return answer;
            }
            // Another JVM may write the same answer at once: each writes its own file, then one rename wins.
            Files.createDirectories(kept.getParent());
            Path partial = Files.createTempFile(kept.getParent(), kept.getFileName().toString(), ".partial");
            Files.write(partial, out);
            Files.move(partial, kept, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return answer;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Where the answer to {@code command} is kept: named by the command and the files it names. */
    static Path keptAnswer(List<String> command, Path repo) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (String arg : command) {
                sha.update(arg.getBytes(StandardCharsets.UTF_8));
                sha.update((byte) 0);
                Path file = Path.of(arg);
                if (Files.isRegularFile(file)) {
                    sha.update(Files.readAllBytes(file));
                    sha.update((byte) 0);
                }
            }
            return repo.resolve("target").resolve("template-scripts")
                    .resolve(HexFormat.of().formatHex(sha.digest()) + ".json");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * What a script of {@code local/scripts} prints about {@code template} (its first argument after the
     * script), as JSON; for the repository's template kept as {@link #python} says.
     */
    public static JsonNode scriptOutput(List<String> command, Path template) {
        return python(command, template);
    }

    /** The statements of a role (its logical id), allow and deny. */
    public List<PolicyEvaluator.Statement> statementsOf(String role) {
        return statements.computeIfAbsent(role, r -> {
            JsonNode node = doc.path("roles").get(r);
            if (node == null) {
                throw new IllegalStateException("the template deploys no role " + r);
            }
            List<PolicyEvaluator.Statement> out = new ArrayList<>();
            node.path("statements").forEach(s -> out.add(PolicyEvaluator.Statement.of(s)));
            return List.copyOf(out);
        });
    }

    /**
     * The reason comments {@code template.yaml} writes for the role's statements (by Sid, or
     * {@code #index} without one): {@code used by AWS on our behalf: ...} or {@code unused here because: ...}.
     */
    public Map<String, String> reasons(String role) {
        Map<String, String> out = new java.util.LinkedHashMap<>();
        doc.path("roles").path(role).path("reasons").fields()
                .forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
        return out;
    }

    /** The stack's name here ({@code omc-flywheel-local}): the prefix of the roles it names. */
    public String stackName() {
        return doc.path("stackName").asText("omc-flywheel-local");
    }

    /** Every parameter's value as CloudFormation lists it (a list joined with commas). */
    public Map<String, String> parameters() {
        Map<String, String> out = new java.util.LinkedHashMap<>();
        doc.path("parameters").fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().isArray()
                ? String.join(",", iterable(e.getValue().elements()).stream().map(JsonNode::asText).toList())
                : e.getValue().asText()));
        return out;
    }

    /** The stack's outputs as DescribeStacks lists them (those with a local value). */
    public Map<String, String> outputs() {
        Map<String, String> out = new java.util.LinkedHashMap<>();
        doc.path("outputs").fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
        return out;
    }

    /** The EventBridge rules the stack deploys: logical id to {name, state, eventPattern}. */
    public JsonNode rules() {
        return doc.path("rules");
    }

    /** A role as deployed: {arn, assumedBy, statements, managedPolicies}. */
    public JsonNode role(String logicalId) {
        return doc.path("roles").path(logicalId);
    }

    /** Every role the template deploys (logical ids). */
    public List<String> roles() {
        return iterable(doc.path("roles").fieldNames());
    }

    public String roleArn(String role) {
        return doc.path("roles").path(role).path("arn").asText(role);
    }

    /** The role of the function deployed from {@code functions/<folder>}. */
    public String roleOfFunction(String folder) {
        return function(folder).role();
    }

    /** The role of the state machine deployed as {@code name}. */
    public String roleOfStateMachine(String name) {
        JsonNode sm = doc.path("stateMachines").get(name);
        if (sm == null) {
            throw new IllegalStateException("the template deploys no state machine named " + name + " (it deploys "
                    + iterable(doc.path("stateMachines").fieldNames()) + ")");
        }
        return sm.path("role").asText();
    }

    /** The settings of the function deployed from {@code functions/<folder>}. */
    public FunctionSettings function(String folder) {
        JsonNode f = functionNode(folder);
        return new FunctionSettings(f.path("name").asText(), folder, f.path("role").asText(),
                f.path("timeout").asInt(3), f.path("memorySize").asInt(128));
    }

    /**
     * The environment variables of the function deployed from {@code functions/<folder>}, as the
     * template resolves them with this stack's parameters (a variable without a local value is absent).
     */
    public Map<String, String> environment(String folder) {
        Map<String, String> out = new java.util.LinkedHashMap<>();
        functionNode(folder).path("environment").fields()
                .forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
        return out;
    }

    private JsonNode functionNode(String folder) {
        for (var it = doc.path("functions").fields(); it.hasNext(); ) {
            var e = it.next();
            if (e.getValue().path("codeUri").asText().equals("functions/" + folder)) {
                return ((com.fasterxml.jackson.databind.node.ObjectNode) e.getValue().deepCopy()).put("name",
                        e.getKey());
            }
        }
        throw new IllegalStateException("the template deploys no function from functions/" + folder);
    }

    private static <T> List<T> iterable(java.util.Iterator<T> it) {
        List<T> out = new ArrayList<>();
        it.forEachRemaining(out::add);
        return out;
    }
}
