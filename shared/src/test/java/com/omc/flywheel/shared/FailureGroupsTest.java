package com.omc.flywheel.shared;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Per-table failures grouped by error: the error once, its count, the tables by name; the text stays
 * bounded whatever the number of tables.
 */
class FailureGroupsTest {
    private static final String DB = "omc_flywheel_dev";

    /** What the SDK says when the role lacks glue:BatchCreatePartition: the table's ARN and a request id. */
    private static String accessDenied(String table) {
        return "AccessDeniedException: User: arn:aws:sts::123456789012:assumed-role/omc-flywheel-dev-msck-repair/"
                + "omc-flywheel-dev-msck-repair is not authorized to perform: glue:BatchCreatePartition on resource: "
                + "arn:aws:glue:us-east-1:123456789012:table/" + DB + "/" + table + " because no identity-based "
                + "policy allows the glue:BatchCreatePartition action (Service: Glue, Status Code: 400, Request ID: "
                + UUID.randomUUID() + ")";
    }

    private static List<String> tables(int n) {
        return IntStream.rangeClosed(1, n).mapToObj(i -> String.format("part_ibe_%02d", i)).toList();
    }

    private static int occurrences(String text, String part) {
        return text.split(java.util.regex.Pattern.quote(part), -1).length - 1;
    }

    @Test
    void twentyEightTablesDeniedTheSameActionAreOneGroupThatNamesAll28AndSaysTheErrorOnce() {
        Map<String, String> errors = new LinkedHashMap<>();
        tables(28).forEach(t -> errors.put(t, accessDenied(t)));

        List<FailureGroups.Group> groups = FailureGroups.of(errors);
        String text = FailureGroups.describe(errors);

        assertEquals(1, groups.size(), groups.toString());
        assertEquals(tables(28), groups.get(0).tables());
        assertTrue(groups.get(0).error().contains("table/" + DB + "/<table> because")
                && groups.get(0).error().contains("Request ID: <id>)"), groups.get(0).error());
        assertTrue(text.startsWith("28 tables (part_ibe_01, part_ibe_02, "), text);
        tables(28).forEach(t -> assertTrue(text.contains(t), t + " named in " + text));
        assertEquals(1, occurrences(text, "AccessDeniedException"), text);
        assertEquals(1, occurrences(text, "glue:BatchCreatePartition on resource"), text);
        int ungrouped = errors.values().stream().mapToInt(String::length).sum();
        assertTrue(text.length() < 1_200 && text.length() * 5 < ungrouped,
                text.length() + " characters, against " + ungrouped + " ungrouped: " + text);
    }

    @Test
    void mixedErrorsAreOneGroupEachTheLargestFirstAndATableAloneKeepsItsOwnError() {
        Map<String, String> errors = new LinkedHashMap<>();
        errors.put("part_a", "table omc_flywheel_dev.part_a does not exist");
        tables(3).forEach(t -> errors.put(t, accessDenied(t)));
        errors.put("part_b", "partitioned by (snapshot_dt), not id_bucket: not rewritten");
        errors.put("part_c", "partitioned by (snapshot_dt), not id_bucket: not rewritten");

        List<FailureGroups.Group> groups = FailureGroups.of(errors);
        String text = FailureGroups.describe(errors);

        assertEquals(List.of(tables(3), List.of("part_b", "part_c"), List.of("part_a")),
                groups.stream().map(FailureGroups.Group::tables).toList());
        assertTrue(text.startsWith("3 tables (part_ibe_01, part_ibe_02, part_ibe_03): AccessDeniedException: "), text);
        assertTrue(text.contains("; 2 tables (part_b, part_c): partitioned by (snapshot_dt), not id_bucket: not "
                + "rewritten; part_a (table omc_flywheel_dev.part_a does not exist)"), text);
    }

    @Test
    void aTablesNameIsReplacedOnlyAsAWholeWord() {
        Map<String, String> errors = new LinkedHashMap<>();
        errors.put("part_a", "part_a: column part_ab.x is missing");
        errors.put("part_b", "part_b: column part_ab.x is missing");

        assertEquals(List.of(new FailureGroups.Group("<table>: column part_ab.x is missing",
                List.of("part_a", "part_b"))), FailureGroups.of(errors));
    }

    @Test
    void thousandsOfTablesAndManyDistinctErrorsStayWithinTheBoundAndAreCounted() {
        Map<String, String> errors = new LinkedHashMap<>();
        tables(99).forEach(t -> errors.put(t, accessDenied(t)));
        IntStream.range(0, 600).forEach(i -> errors.put("part_other_" + i, "error number " + i + " "
                + "x".repeat(400)));

        String text = FailureGroups.describe(errors);

        assertTrue(text.length() <= FailureGroups.MAX_CHARS + 100, text.length() + " characters");
        assertTrue(text.startsWith("99 tables (part_ibe_01, "), text);
        assertTrue(text.contains(", part_ibe_50 and 49 more): AccessDeniedException"), text);
        int shownAlone = occurrences(text, "(error number ");
        assertTrue(text.endsWith("; and " + (600 - shownAlone) + " more tables with " + (600 - shownAlone)
                + " other errors"), text);
    }
}
