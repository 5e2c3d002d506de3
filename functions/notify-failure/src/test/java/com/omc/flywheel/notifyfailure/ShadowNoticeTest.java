package com.omc.flywheel.notifyfailure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A shadow run's notices: the subject after [SHADOW], and the success message lists what it would change. */
class ShadowNoticeTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aShadowRunsSubjectStartsWithShadowAndAPlainRunsDoesNot() throws Exception {
        assertEquals("[SHADOW] ", FailureNotifier.shadowPrefix(JSON.readTree("{\"shadow\": {}}")));
        assertEquals("", FailureNotifier.shadowPrefix(JSON.readTree("{\"environment\": \"prod\"}")));
        assertEquals("", FailureNotifier.shadowPrefix(null));
    }

    @Test
    void theSuccessMessageListsWhatTheShadowRunWouldHaveChanged() throws Exception {
        JsonNode output = JSON.readTree("""
                {"snapshot": {"snapshotDt": "2026-11-30"},
                 "results": {"repair": {"summary": {"tables": 29, "partitionsAdded": 0, "partitionsToAdd": 12}},
                             "reports": [{"report": "CLEANROOMS", "reportKeys": ["shadow/cleanrooms-reports/a.json"]}],
                             "shadow": {"reportKeys": ["shadow/shadow.json"],
                                        "wouldChange": ["RepairPartitions: would add 12 partitions in 29 tables",
                                                        "AssociateTables: no change planned"]}}}""");

        String m = SuccessMessage.of("prod", output, List.of(), "arn:aws:states:us-east-1:123456789012:execution:x:y",
                null, null);

        assertTrue(m.contains("Reports:\n  shadow/cleanrooms-reports/a.json\n"), m);
        assertTrue(m.lines().anyMatch(l -> l.startsWith("RepairPartitions ")
                && l.endsWith("  dry run: 12 partitions to add in 29 tables")), m);
        assertTrue(m.contains("\nShadow run: nothing production reads was changed. A refresh would have:\n"
                + "  RepairPartitions: would add 12 partitions in 29 tables\n  AssociateTables: no change planned\n"
                + "  (listed in shadow/shadow.json)\n"), m);
        assertFalse(SuccessMessage.of("prod", JSON.readTree("{\"results\": {}}"), List.of(), "arn", null, null)
                .contains("Shadow run"));
    }
}
