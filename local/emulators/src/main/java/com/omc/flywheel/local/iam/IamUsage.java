package com.omc.flywheel.local.iam;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.omc.flywheel.shared.iam.PolicyEvaluator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the local IAM check allowed, for {@code bin/flywheel iam-report}: each distinct use (the role,
 * the action, the resource, and the statements with the resource pattern that allowed it) counted in
 * memory, and every statement the stack gives each role (its grants, with the reason comment
 * {@code template.yaml} writes for it), so the report can name unused grants from the file alone.
 * {@link #flush()} appends them to a JSON-lines file: a {@code run} line, a {@code grants} line per role
 * (once per file, again only when a test's changed template gives the role other statements), and a
 * {@code use} line per distinct use with its {@code count}. Nothing is written per call.
 */
public final class IamUsage {
    /** The version of the lines' shape; iam-report refuses another. */
    public static final int FORMAT = 1;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One distinct allowed authorization. */
    record Use(String role, String action, String resource, List<PolicyEvaluator.Grant> allowedBy) {
    }

    private final Map<Use, Long> uses = new ConcurrentHashMap<>();
    /** Grants lines by their text (role and statements), each with whether this file has it already. */
    private final Map<String, Boolean> grants = new LinkedHashMap<>();
    private volatile Path file;

    /**
     * Where the Maven tests of a module write (one file per JVM, so forked JVMs never share one):
     * {@code -Dflywheel.iam.usage=FILE} or a folder (then {@code <pid>.jsonl} in it); else, under Maven's
     * Surefire or Failsafe (which set {@code basedir}), {@code <module>/target/iam-usage/<pid>.jsonl};
     * else nowhere.
     */
    public static Optional<Path> defaultFile() {
        String given = System.getProperty("flywheel.iam.usage");
        String pid = ProcessHandle.current().pid() + ".jsonl";
        if (given != null && !given.isBlank()) {
            Path p = Path.of(given);
            return Optional.of(Files.isDirectory(p) || given.endsWith("/") ? p.resolve(pid) : p);
        }
        String basedir = System.getProperty("basedir");
        return basedir == null ? Optional.empty() : Optional.of(Path.of(basedir, "target", "iam-usage", pid));
    }

    /** Writes to {@code target} from now on, which starts empty: a file holds one run. */
    public void writeTo(Path target) {
        try {
            Files.deleteIfExists(target);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the IAM usage file " + target, e);
        }
        synchronized (grants) {
            grants.replaceAll((k, v) -> false);
        }
        this.file = target;
    }

    /** The file usage goes to, if any. */
    public Optional<Path> file() {
        return Optional.ofNullable(file);
    }

    /** Notes every role's statements in {@code stack} (written with the next flush unless already written). */
    void grantsOf(DeployedStack stack) {
        for (String role : stack.roles()) {
            String line = grantsLine(stack, role).toString();
            synchronized (grants) {
                grants.putIfAbsent(line, false);
            }
        }
    }

    /** Counts one allowed authorization. */
    void allowed(String role, String action, String resource, List<PolicyEvaluator.Grant> allowedBy) {
        uses.merge(new Use(role, action, resource, allowedBy), 1L, Long::sum);
    }

    /**
     * Appends what is not written yet to the file (nothing without one), and forgets the uses it wrote.
     *
     * @return the file, when there is one
     */
    public synchronized Optional<Path> flush() {
        Path target = file;
        if (target == null) {
            return Optional.empty();
        }
        List<String> lines = new ArrayList<>();
        synchronized (grants) {
            grants.forEach((line, written) -> {
                if (!written) {
                    lines.add(line);
                }
            });
            grants.replaceAll((k, v) -> true);
        }
        for (Use use : List.copyOf(uses.keySet())) {
            Long count = uses.remove(use);
            if (count != null) {
                lines.add(useLine(use, count).toString());
            }
        }
        if (lines.isEmpty()) {
            return Optional.of(target);
        }
        ObjectNode run = JSON.createObjectNode().put("type", "run").put("format", FORMAT)
                .put("pid", ProcessHandle.current().pid()).put("writtenAt", Instant.now().toString());
        lines.add(0, run.toString());
        try {
            if (target.getParent() != null) {
                Files.createDirectories(target.getParent());
            }
            try (Writer w = Files.newBufferedWriter(target, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND)) {
                for (String line : lines) {
                    w.write(line);
                    w.write('\n');
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the IAM usage file " + target, e);
        }
        return Optional.of(target);
    }

    private static ObjectNode grantsLine(DeployedStack stack, String role) {
        JsonNode node = stack.role(role);
        Map<String, String> reasons = stack.reasons(role);
        ObjectNode line = JSON.createObjectNode().put("type", "grants").put("role", role)
                .put("roleArn", node.path("arn").asText(""));
        ArrayNode statements = line.putArray("statements");
        List<PolicyEvaluator.Statement> parsed = stack.statementsOf(role);
        for (int i = 0; i < parsed.size(); i++) {
            PolicyEvaluator.Statement s = parsed.get(i);
            String name = PolicyEvaluator.name(s.sid(), i);
            ObjectNode out = statements.addObject().put("statement", i);
            if (!s.sid().isEmpty()) {
                out.put("sid", s.sid());
            }
            out.put("effect", s.allow() ? "Allow" : "Deny");
            list(out, "actions", s.actions());
            list(out, "notActions", s.notActions());
            list(out, "resources", s.resources());
            list(out, "notResources", s.notResources());
            if (s.condition() != null && !s.condition().isNull()) {
                out.set("condition", s.condition());
            }
            if (reasons.containsKey(name)) {
                out.put("reason", reasons.get(name));
            }
        }
        line.set("managedPolicies", node.path("managedPolicies").deepCopy());
        return line;
    }

    private static void list(ObjectNode out, String field, List<String> values) {
        if (!values.isEmpty()) {
            ArrayNode a = out.putArray(field);
            values.forEach(a::add);
        }
    }

    private static ObjectNode useLine(Use use, long count) {
        PolicyEvaluator.Grant first = use.allowedBy().get(0);
        ObjectNode line = JSON.createObjectNode().put("type", "use").put("role", use.role())
                .put("action", use.action()).put("resource", use.resource());
        grant(line, first);
        if (use.allowedBy().size() > 1) {
            ArrayNode also = line.putArray("alsoAllowedBy");
            use.allowedBy().subList(1, use.allowedBy().size()).forEach(g -> grant(also.addObject(), g));
        }
        return line.put("count", count);
    }

    private static void grant(ObjectNode out, PolicyEvaluator.Grant g) {
        if (!g.sid().isEmpty()) {
            out.put("sid", g.sid());
        }
        out.put("statement", g.statement()).put("pattern", g.pattern());
    }
}
