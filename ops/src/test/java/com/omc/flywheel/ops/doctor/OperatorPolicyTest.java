package com.omc.flywheel.ops.doctor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The read-only IAM policy docs/operating.md gives the operator who runs doctor allows every call
 * doctor's code makes, and nothing else. The calls are read from the sources of this package: every
 * method of an AWS SDK client doctor makes ({@code XxxClient.class}) whose name the sources call, put
 * into its IAM action (the operation's name, or S3's own action for it). A call added to doctor without
 * the policy, a client added without its IAM prefix here, or an action left in the policy that doctor
 * no longer calls, fails this test.
 */
class OperatorPolicyTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String HEADING = "## The operator's IAM policy for doctor";
    /** Each client's IAM service prefix. */
    private static final Map<String, String> PREFIX = Map.ofEntries(Map.entry("AthenaClient", "athena"),
            Map.entry("CleanRoomsClient", "cleanrooms"), Map.entry("CloudFormationClient", "cloudformation"),
            Map.entry("DynamoDbClient", "dynamodb"), Map.entry("EntityResolutionClient", "entityresolution"),
            Map.entry("EventBridgeClient", "events"), Map.entry("GlueClient", "glue"), Map.entry("IamClient", "iam"),
            Map.entry("KmsClient", "kms"), Map.entry("LakeFormationClient", "lakeformation"),
            Map.entry("S3Client", "s3"), Map.entry("SchedulerClient", "scheduler"),
            Map.entry("ServiceQuotasClient", "servicequotas"), Map.entry("SfnClient", "states"),
            Map.entry("SnsClient", "sns"));
    /** The S3 operations whose IAM action is not their name (AWS's S3 actions reference). */
    private static final Map<String, String> S3_ACTIONS = Map.of("HeadBucket", "ListBucket",
            "ListObjectsV2", "ListBucket", "HeadObject", "GetObject",
            "GetBucketEncryption", "GetEncryptionConfiguration", "GetPublicAccessBlock", "GetBucketPublicAccessBlock",
            "GetBucketNotificationConfiguration", "GetBucketNotification");
    private static final Pattern CLIENT = Pattern.compile("\\b(\\w+Client)\\.class");
    private static final Pattern IMPORT = Pattern.compile(
            "import (software\\.amazon\\.awssdk\\.services\\.[\\w.]+Client);");
    private static final Pattern CALL = Pattern.compile("\\.(\\w+)\\(");
    private static final Pattern VARIABLE = Pattern.compile("\\b(\\w+Client) (\\w+)\\s*[=,;)]");
    private static final Pattern HELPER = Pattern.compile("\\b(\\w+Client) (\\w+)\\(");

    static Path repo() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.exists(p.resolve("docs/operating.md"))) {
                return p;
            }
        }
        throw new AssertionError("no docs/operating.md above " + Path.of("").toAbsolutePath());
    }

    /**
     * The IAM actions doctor's code calls, each with the calls that need it. A call's client is its
     * receiver's: a variable or parameter of a client type, {@code account.client(XClient.class, …)}, or a
     * method that returns a client; a call whose receiver is none of these counts for every client doctor
     * makes that has an operation of that name (more than it calls, never less).
     */
    static Map<String, Set<String>> calledActions() throws Exception {
        Path dir = repo().resolve("ops/src/main/java/com/omc/flywheel/ops/doctor");
        Map<String, String> sources = new TreeMap<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                sources.put(f.getFileName().toString(), Files.readString(f, StandardCharsets.UTF_8));
            }
        }
        Map<String, Class<?>> clients = new TreeMap<>();
        Map<String, String> helpers = new TreeMap<>();
        for (String source : sources.values()) {
            Map<String, String> imported = new TreeMap<>();
            Matcher i = IMPORT.matcher(source);
            while (i.find()) {
                imported.put(i.group(1).substring(i.group(1).lastIndexOf('.') + 1), i.group(1));
            }
            Matcher c = CLIENT.matcher(source);
            while (c.find()) {
                if (imported.containsKey(c.group(1))) {
                    clients.put(c.group(1), Class.forName(imported.get(c.group(1))));
                }
            }
            Matcher h = HELPER.matcher(source);
            while (h.find()) {
                helpers.put(h.group(2), h.group(1));
            }
        }
        assertTrue(clients.size() > 10, "doctor's clients not found in " + dir + ": " + clients);
        Map<String, Set<String>> out = new TreeMap<>();
        for (Map.Entry<String, String> file : sources.entrySet()) {
            String source = file.getValue();
            Map<String, String> variables = new TreeMap<>();
            Matcher v = VARIABLE.matcher(source);
            while (v.find()) {
                variables.put(v.group(2), v.group(1));
            }
            Matcher m = CALL.matcher(source);
            while (m.find()) {
                String receiver = receiver(source, m.start(), variables, helpers);
                for (Map.Entry<String, Class<?>> client : clients.entrySet()) {
                    if (receiver != null && !receiver.equals(client.getKey())) {
                        continue;
                    }
                    String prefix = PREFIX.get(client.getKey());
                    assertTrue(prefix != null, "doctor makes a " + client.getKey() + ": add its IAM prefix to this "
                            + "test and its actions to the policy in docs/operating.md");
                    for (Method method : client.getValue().getMethods()) {
                        if (method.getName().equals(m.group(1)) && operation(method)) {
                            String op = method.getName().replaceFirst("Paginator$", "");
                            op = Character.toUpperCase(op.charAt(0)) + op.substring(1);
                            String action = prefix + ":" + (prefix.equals("s3") ? S3_ACTIONS.getOrDefault(op, op) : op);
                            out.computeIfAbsent(action, a -> new TreeSet<>()).add(file.getKey() + ": "
                                    + (receiver == null ? "?" : client.getKey()) + "." + method.getName());
                        }
                    }
                }
            }
        }
        return out;
    }

    /** The client type of the call's receiver (the text before the dot at {@code dot}), or null. */
    private static String receiver(String source, int dot, Map<String, String> variables,
                                   Map<String, String> helpers) {
        int end = dot;
        while (end > 0 && Character.isWhitespace(source.charAt(end - 1))) {
            end--;
        }
        if (end > 0 && source.charAt(end - 1) == ')') {
            int depth = 0;
            int open = end - 1;
            for (; open >= 0; open--) {
                char ch = source.charAt(open);
                depth += ch == ')' ? 1 : ch == '(' ? -1 : 0;
                if (depth == 0) {
                    break;
                }
            }
            String name = identifierBefore(source, open);
            if (name.equals("client")) {
                Matcher c = CLIENT.matcher(source.substring(open, end));
                return c.lookingAt() || c.find() ? c.group(1) : null;
            }
            return helpers.get(name);
        }
        return variables.get(identifierBefore(source, end));
    }

    private static String identifierBefore(String source, int at) {
        int start = at;
        while (start > 0 && Character.isJavaIdentifierPart(source.charAt(start - 1))) {
            start--;
        }
        return source.substring(start, at);
    }

    /** An operation of the client: one argument, its request or a consumer of the request's builder. */
    private static boolean operation(Method method) {
        if (method.getParameterCount() != 1) {
            return false;
        }
        String type = method.getGenericParameterTypes()[0].getTypeName();
        return type.endsWith("Request") || type.endsWith("Request$Builder>");
    }

    /** The policy's Allow statements, from the first {@code json} block under the heading. */
    static JsonNode policy() throws IOException {
        String doc = Files.readString(repo().resolve("docs/operating.md"), StandardCharsets.UTF_8);
        int at = doc.indexOf("\n" + HEADING + "\n");
        assertTrue(at >= 0, "docs/operating.md has no heading '" + HEADING + "'");
        int start = doc.indexOf("```json\n", at);
        int end = doc.indexOf("\n```", start + 1);
        assertTrue(start > 0 && end > start, "no ```json block under '" + HEADING + "'");
        return JSON.readTree(doc.substring(start + "```json\n".length(), end));
    }

    private static boolean matches(String pattern, String action) {
        String regex = ("\\Q" + pattern.toLowerCase(Locale.ROOT) + "\\E").replace("*", "\\E.*\\Q")
                .replace("?", "\\E.\\Q");
        return action.toLowerCase(Locale.ROOT).matches(regex);
    }

    @Test
    void thePolicyAllowsEveryCallDoctorMakesAndNothingElse() throws Exception {
        Map<String, Set<String>> called = calledActions();
        List<String> granted = new ArrayList<>();
        for (JsonNode s : policy().path("Statement")) {
            assertEquals("Allow", s.path("Effect").asText(), s.toString());
            assertTrue(s.has("Resource") && !s.has("NotAction") && !s.has("NotResource"), s.toString());
            s.path("Action").forEach(a -> granted.add(a.asText()));
        }
        List<String> missing = called.keySet().stream().filter(a -> granted.stream().noneMatch(g -> matches(g, a)))
                .map(a -> a + " (" + String.join(", ", called.get(a)) + ")").toList();
        assertEquals(List.of(), missing, "doctor calls these; add them to the policy in docs/operating.md");
        List<String> unused = granted.stream().filter(g -> called.keySet().stream().noneMatch(a -> matches(g, a)))
                .toList();
        assertEquals(List.of(), unused, "the policy in docs/operating.md allows what doctor never calls");
    }

    @Test
    void thePolicyOnlyReads() throws Exception {
        for (JsonNode s : policy().path("Statement")) {
            for (JsonNode a : s.path("Action")) {
                String verb = a.asText().substring(a.asText().indexOf(':') + 1);
                assertTrue(verb.matches("(Get|List|Describe)[A-Za-z]+|Scan") && !verb.contains("*"),
                        a.asText() + " is not a read, or a wildcard: doctor is read-only");
            }
        }
    }

    @Test
    void theCallsFoundIncludeTheOnesEachCheckMakes() throws Exception {
        // A guard on the derivation itself: calls known to be made by the checks, through paginators and
        // S3's renamed actions.
        Set<String> called = calledActions().keySet();
        for (String action : List.of("cloudformation:DescribeStacks", "cloudformation:GetTemplate",
                "iam:ListRolePolicies", "iam:GetPolicyVersion", "glue:GetTables", "s3:ListBucket", "s3:GetObject",
                "s3:GetEncryptionConfiguration", "athena:GetWorkGroup", "cleanrooms:GetConfiguredTableAssociation",
                "servicequotas:ListServiceQuotas", "states:ListExecutions")) {
            assertTrue(called.contains(action), action + " not among " + called);
        }
    }
}
