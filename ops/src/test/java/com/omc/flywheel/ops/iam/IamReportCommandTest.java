package com.omc.flywheel.ops.iam;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bin/flywheel iam-report on usage files written as the local IAM check writes them: merging, unused
 * grants and their reasons, wider than used, the generated policy (never wider than the template),
 * the diff, and the exit codes.
 */
class IamReportCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String RUN =
            "{\"type\":\"run\",\"format\":1,\"pid\":1,\"writtenAt\":\"2026-12-06T00:00:00Z\"}";
    private static final String TABLES = "arn:aws:glue:us-east-1:1:table/db/*";
    private static final String DB = "arn:aws:glue:us-east-1:1:database/db";
    private static final String NS = "arn:aws:entityresolution:us-east-1:1:idnamespace/*";

    @TempDir
    Path dir;

    /** The repair role: a read statement with an action wildcard, a namespace read, and a grant nobody uses. */
    private static String grants(String extraResource, String reason) {
        return "{\"type\":\"grants\",\"role\":\"RepairRole\",\"roleArn\":\"arn:aws:iam::1:role/r\",\"statements\":["
                + "{\"statement\":0,\"sid\":\"ReadTheCatalog\",\"effect\":\"Allow\",\"actions\":[\"glue:Get*\"],"
                + "\"resources\":[\"" + DB + "\",\"" + TABLES + "\"" + extraResource + "]},"
                + "{\"statement\":1,\"sid\":\"ReadTheNamespace\",\"effect\":\"Allow\","
                + "\"actions\":[\"entityresolution:GetIdNamespace\"],\"resources\":[\"" + NS + "\"]},"
                + "{\"statement\":2,\"sid\":\"PassTheRole\",\"effect\":\"Allow\",\"actions\":[\"iam:PassRole\"],"
                + "\"resources\":[\"arn:aws:iam::1:role/cr\"],\"condition\":{\"StringEquals\":"
                + "{\"iam:PassedToService\":\"cleanrooms.amazonaws.com\"}}"
                + (reason == null ? "" : ",\"reason\":\"" + reason + "\"") + "}],"
                + "\"managedPolicies\":[\"arn:aws:iam::aws:policy/AWSXrayWriteOnlyAccess\"]}";
    }

    private static String use(String action, String resource, String sid, int statement, String pattern, int count) {
        return "{\"type\":\"use\",\"role\":\"RepairRole\",\"action\":\"" + action + "\",\"resource\":\"" + resource
                + "\",\"sid\":\"" + sid + "\",\"statement\":" + statement + ",\"pattern\":\"" + pattern
                + "\",\"count\":" + count + "}";
    }

    private Path file(String name, String... lines) throws Exception {
        Path f = dir.resolve(name);
        Files.createDirectories(f.getParent());
        Files.writeString(f, String.join("\n", lines) + "\n");
        return f;
    }

    private record Result(int code, String out, String err) {
        JsonNode json() throws Exception {
            return JSON.readTree(out);
        }
    }

    private static Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = IamReportCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private Path[] twoRuns(String reason) throws Exception {
        Path a = file("a/iam-usage.jsonl", RUN, grants("", reason),
                use("glue:GetTable", "arn:aws:glue:us-east-1:1:table/db/part_a", "ReadTheCatalog", 0, TABLES, 4),
                use("entityresolution:GetIdNamespace", "arn:aws:entityresolution:us-east-1:1:idnamespace/ns",
                        "ReadTheNamespace", 1, NS, 1));
        // A second run (another parameter set): one more resource for the catalog statement.
        Path b = file("b/1234.jsonl", RUN, grants(",\"arn:aws:glue:us-east-1:1:catalog\"", reason),
                use("glue:GetTable", "arn:aws:glue:us-east-1:1:table/db/part_a", "ReadTheCatalog", 0, TABLES, 2),
                use("glue:GetTables", TABLES, "ReadTheCatalog", 0, TABLES, 1),
                use("glue:GetDatabase", DB, "ReadTheCatalog", 0, DB, 3),
                use("entityresolution:GetIdNamespace", "arn:aws:entityresolution:us-east-1:1:idnamespace/ns",
                        "ReadTheNamespace", 1, NS, 1));
        return new Path[]{a, b};
    }

    @Test
    void mergesFilesAndListsUnusedGrantsWiderOnesTheGeneratedPolicyAndTheDiff() throws Exception {
        Path[] runs = twoRuns(null);
        Result r = run(runs[0].toString(), dir.resolve("b").toString(), "--json");
        assertEquals(1, r.code(), "PassTheRole is unused and has no reason: " + r.out() + r.err());
        JsonNode report = r.json();
        assertEquals(2, report.path("files").size());
        assertEquals(12, report.path("calls").asInt(), "counts summed over the files");
        assertEquals(4, report.path("distinctUses").asInt(), "the same use in two files is one");
        JsonNode role = report.path("roles").path("RepairRole");

        Set<String> unused = new TreeSet<>();
        role.path("unused").forEach(u -> unused.add(u.path("statement").asText() + " " + u.path("action").asText()
                + " " + u.path("resource").asText()));
        assertEquals(Set.of("PassTheRole iam:PassRole arn:aws:iam::1:role/cr",
                "ReadTheCatalog glue:Get* arn:aws:glue:us-east-1:1:catalog"), unused,
                "the merged grants (the catalog from the second file only) minus the used ones");
        assertEquals(2, report.path("unusedWithoutReason").asInt());

        List<String> wider = new ArrayList<>();
        role.path("widerThanUsed").forEach(w -> wider.add(w.path("statement").asText() + " " + w.path("kind").asText()
                + " " + w.path("granted").asText() + " -> " + w.path("used") + " in " + w.path("runs") + " runs"));
        assertEquals(List.of(
                "ReadTheCatalog action glue:Get* -> [\"glue:GetDatabase\",\"glue:GetTable\",\"glue:GetTables\"] "
                        + "in 2 runs",
                "ReadTheNamespace resource " + NS + " -> [\"arn:aws:entityresolution:us-east-1:1:idnamespace/ns\"] "
                        + "in 2 runs"),
                wider,
                "table/db/* named two resources (a table and table/db/* itself): not wider than used");

        JsonNode generated = role.path("generatedPolicy").path("Statement");
        assertEquals("{\"Sid\":\"ReadTheCatalog\",\"Effect\":\"Allow\",\"Action\":[\"glue:GetDatabase\"],"
                + "\"Resource\":[\"" + DB + "\"]}", generated.get(0).toString());
        assertEquals("{\"Sid\":\"ReadTheCatalog2\",\"Effect\":\"Allow\",\"Action\":[\"glue:GetTable\","
                + "\"glue:GetTables\"],\"Resource\":[\"" + TABLES + "\"]}", generated.get(1).toString());
        assertEquals("ReadTheNamespace", generated.get(2).path("Sid").asText());
        assertEquals(3, generated.size(), "no statement for the unused PassTheRole");
        assertEquals(3, role.path("templateSize").path("statements").asInt());
        assertEquals(3, role.path("generatedSize").path("statements").asInt());
        assertEquals(4, role.path("generatedSize").path("grants").asInt());

        List<String> removed = new ArrayList<>();
        role.path("diff").path("removed").forEach(u -> removed.add(u.path("action").asText() + " "
                + u.path("resource").asText()));
        assertTrue(removed.contains("glue:Get* " + TABLES) && removed.contains("iam:PassRole arn:aws:iam::1:role/cr"),
                removed.toString());
        assertEquals(3, role.path("diff").path("added").size(), "the exact actions that replace glue:Get*");

        Result text = run(runs[0].toString(), runs[1].toString());
        assertEquals(1, text.code());
        assertTrue(text.out().contains("PassTheRole  iam:PassRole  on arn:aws:iam::1:role/cr  -- NO REASON WRITTEN"),
                text.out());
        assertTrue(text.out().contains("ReadTheNamespace  " + NS + "  used only for "
                + "arn:aws:entityresolution:us-east-1:1:idnamespace/ns (entityresolution:GetIdNamespace; in 2 runs)"),
                text.out());
        assertTrue(text.out().contains("- ReadTheCatalog  glue:Get*  on " + TABLES), text.out());
        assertTrue(text.out().contains("+ ReadTheCatalog  glue:GetTables  on " + TABLES), text.out());
        assertTrue(text.out().contains("2 unused grants, 2 without a written reason"), text.out());
    }

    @Test
    void theGeneratedPolicyIsNeverWiderThanTheTemplate() throws Exception {
        Path[] runs = twoRuns(null);
        IamReport report = IamReport.of(UsageFiles.read(List.of(runs[0].toString(), runs[1].toString())));
        IamReport.RoleReport role = report.roles().get(0);
        var statements = report.usage().roles().get("RepairRole");
        for (GeneratedPolicy.Unit u : role.generated().units()) {
            UsageFiles.Statement s = statements.get(u.statement());
            assertTrue(s.resources().contains(u.resource()), u.toString());
            assertTrue(s.actions().stream().anyMatch(a -> GeneratedPolicy.matches(a, u.action(), true)), u.toString());
            assertTrue(!u.action().contains("*"), "exact actions only: " + u);
        }
        assertTrue(role.generated().size().characters() < role.template().size().characters());
        // A use the template's statement does not grant cannot become part of a generated policy.
        UsageFiles.Use foreign = new UsageFiles.Use("RepairRole", "glue:DeleteTable", TABLES,
                new UsageFiles.Allowed("ReadTheCatalog", TABLES), List.of(), 1, Set.of(0));
        IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> GeneratedPolicy.of(statements, List.of(foreign)));
        assertTrue(e.getMessage().contains("glue:DeleteTable"), e.getMessage());
    }

    @Test
    void exitsZeroWhenEveryUnusedGrantHasAReason() throws Exception {
        Path only = file("explained.jsonl", RUN, grants("", "used by AWS on our behalf: Clean Rooms assumes it"),
                use("glue:GetTable", "arn:aws:glue:us-east-1:1:table/db/part_a", "ReadTheCatalog", 0, TABLES, 1),
                use("glue:GetDatabase", DB, "ReadTheCatalog", 0, DB, 1),
                use("entityresolution:GetIdNamespace", "arn:aws:entityresolution:us-east-1:1:idnamespace/ns",
                        "ReadTheNamespace", 1, NS, 1));
        Result r = run(only.toString(), "--json");
        assertEquals(0, r.code(), r.out());
        JsonNode unused = r.json().path("roles").path("RepairRole").path("unused");
        assertEquals(1, unused.size());
        assertEquals("used by AWS on our behalf: Clean Rooms assumes it", unused.get(0).path("reason").asText());
        assertTrue(run(only.toString()).out().contains("idnamespace/ns (entityresolution:GetIdNamespace; in 1 run: "
                + "a name made at run time looks the same)"), "one run cannot tell a stack's name from a run's");
    }

    @Test
    void aUseAlsoAllowedByAnotherStatementIsSaidSo() throws Exception {
        String both = "{\"type\":\"use\",\"role\":\"RepairRole\",\"action\":\"glue:GetDatabase\",\"resource\":\""
                + DB + "\",\"sid\":\"ReadTheCatalog\",\"statement\":0,\"pattern\":\"" + DB + "\",\"alsoAllowedBy\":"
                + "[{\"sid\":\"ReadTheNamespace\",\"statement\":1,\"pattern\":\"" + NS + "\"}],\"count\":1}";
        Result r = run(file("also.jsonl", RUN, grants("", null), both).toString(), "--json");
        JsonNode also = r.json().path("roles").path("RepairRole").path("alsoAllowedElsewhere");
        assertEquals(1, also.size(), also.toString());
        assertEquals("ReadTheCatalog", also.get(0).path("statement").asText());
        assertEquals("[\"ReadTheNamespace\"]", also.get(0).path("alsoAllowedBy").toString());
    }

    @Test
    void badFilesAndArgumentsExitTwoSayingWhatIsWrong() throws Exception {
        assertBad(run(), "give the usage files");
        assertBad(run("--verbose", "x"), "unknown option --verbose");
        assertBad(run(dir.resolve("missing.jsonl").toString()), "missing.jsonl: no such file or folder");
        Files.createDirectories(dir.resolve("none"));
        assertBad(run(dir.resolve("none").toString()), "a folder with no *.jsonl usage file");
        assertBad(run(file("empty.jsonl", "").toString()), "empty.jsonl: empty");
        assertBad(run(file("text.jsonl", RUN, "not json").toString()), "text.jsonl:2: not JSON");
        assertBad(run(file("kind.jsonl", RUN, "{\"type\":\"call\"}").toString()), "unknown line type 'call'");
        assertBad(run(file("norun.jsonl", grants("", null)).toString()), "norun.jsonl:1: a grants line before any run");
        assertBad(run(file("v2.jsonl", RUN.replace("\"format\":1", "\"format\":2")).toString()),
                "usage format 2, this iam-report reads format 1");
        assertBad(run(file("orphan.jsonl", RUN, use("glue:GetDatabase", DB, "ReadTheCatalog", 0, DB, 1)).toString()),
                "a use by role RepairRole (glue:GetDatabase), but no file gives that role's grants");
        assertBad(run(file("nosid.jsonl", RUN, grants("", null), use("glue:GetDatabase", DB, "Gone", 7, DB, 1))
                .toString()), "allowed by statement Gone, which no grants line gives that role");
        assertBad(run(file("nocount.jsonl", RUN, grants("", null), use("glue:GetDatabase", DB, "ReadTheCatalog", 0,
                DB, 0)).toString()), "nocount.jsonl:3: a use line without a count");
    }

    private static void assertBad(Result r, String message) {
        assertEquals(2, r.code(), r.out() + r.err());
        assertTrue(r.err().contains(message), "expected '" + message + "' in: " + r.err());
        assertEquals("", r.out());
    }
}
