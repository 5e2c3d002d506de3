package com.omc.flywheel.shared;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Today's report bytes: what Python's csv module and json.dumps(indent=2) write for the same values. */
class ReportFilesTest {

    @Test
    void csvLinesEndWithCrLfAndOnlyValuesThatMustBeAreQuotedAsPythonsCsvModuleDoes() {
        byte[] csv = ReportFiles.csv(List.of("table", "Allowed Analyses for Query", "note"), List.of(
                List.of("part_ibe_01", "1111-1111-1111 (AMC Service), 999999999999", ""),
                Arrays.asList("AMC \"Flywheel\"", null, " lead #x\ttab "),
                List.of("line\nfeed", "carriage\rreturn", "both\r\nends")));

        // python3 -c 'import csv,sys; w=csv.writer(sys.stdout); ...' writes exactly these bytes.
        assertEquals("table,Allowed Analyses for Query,note\r\n"
                + "part_ibe_01,\"1111-1111-1111 (AMC Service), 999999999999\",\r\n"
                + "\"AMC \"\"Flywheel\"\"\",, lead #x\ttab \r\n"
                + "\"line\nfeed\",\"carriage\rreturn\",\"both\r\nends\"\r\n", ReportFiles.utf8(csv));
    }

    @Test
    void aCsvWithNoRowsStillHasItsHeaderLine() {
        assertEquals("a,b\r\n", ReportFiles.utf8(ReportFiles.csv(List.of("a", "b"), List.of())));
    }

    @Test
    void jsonKeepsNullMembersAndIsLaidOutAsPythonsJsonDumpsWithIndent2() {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("id", null);
        doc.put("count", 0);
        doc.put("allowed_columns", List.of());
        doc.put("id_mapping_config", Map.of());
        doc.put("partition_keys", List.of("id_bucket"));
        doc.put("alert", "Δ=0.100% — café");
        doc.put("tolerance_pct", 0.0);
        doc.put("ok", true);
        List<Object> nested = new ArrayList<>();
        nested.add(Map.of("k", List.of()));
        doc.put("tables", nested);

        // json.dumps(doc, indent=2) in Python 3 writes exactly this.
        assertEquals("{\n"
                + "  \"id\": null,\n"
                + "  \"count\": 0,\n"
                + "  \"allowed_columns\": [],\n"
                + "  \"id_mapping_config\": {},\n"
                + "  \"partition_keys\": [\n"
                + "    \"id_bucket\"\n"
                + "  ],\n"
                + "  \"alert\": \"\\u0394=0.100% \\u2014 caf\\u00e9\",\n"
                + "  \"tolerance_pct\": 0.0,\n"
                + "  \"ok\": true,\n"
                + "  \"tables\": [\n"
                + "    {\n"
                + "      \"k\": []\n"
                + "    }\n"
                + "  ]\n"
                + "}", ReportFiles.utf8(ReportFiles.json(doc)));
    }
}
