package com.omc.flywheel.ops.compare;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * JSON as today's scripts write it, {@code json.dumps(report, indent=2)}: two-space indentation, every
 * array element and object member on its own line, {@code "key": value}, empty {@code []} and
 * {@code {}}, non-ASCII escaped as {@code \u00e9}, no final line break (the layout of shared's
 * ReportFiles, which build-report writes with). Reading keeps the members' order and says where a
 * file departs from that layout, so a change of layout is a difference of its own.
 */
final class PythonJson {
    static final String WRITER = "json.dumps(indent=2)";
    private static final ObjectMapper READER = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();
    private static final ObjectWriter PYTHON;

    static {
        DefaultIndenter indent = new DefaultIndenter("  ", "\n");
        DefaultPrettyPrinter python = new DefaultPrettyPrinter(Separators.createDefaultInstance()
                .withObjectFieldValueSpacing(Separators.Spacing.AFTER)
                .withObjectEmptySeparator("").withArrayEmptySeparator(""))
                .withObjectIndenter(indent).withArrayIndenter(indent);
        PYTHON = JsonMapper.builder()
                .enable(JsonWriteFeature.ESCAPE_NON_ASCII)
                .disable(JsonWriteFeature.WRITE_HEX_UPPER_CASE)
                .build().writer(python);
    }

    private PythonJson() {
    }

    /** @param layoutProblem null when the file is exactly what json.dumps(indent=2) writes for this document */
    record Parsed(JsonNode root, String layoutProblem) {
    }

    static Parsed read(String file, byte[] bytes) {
        String text = ReportText.utf8(file, bytes);
        String body = !text.isEmpty() && text.charAt(0) == ReportText.BOM ? text.substring(1) : text;
        JsonNode root;
        try {
            root = READER.readTree(body);
        } catch (JsonProcessingException e) {
            throw new BadInputException(file + " is unreadable: not JSON (" + e.getOriginalMessage() + " at line "
                    + (e.getLocation() == null ? "?" : e.getLocation().getLineNr()) + ")");
        }
        if (root == null || !root.isObject()) {
            throw new BadInputException(file + " is unreadable: its JSON is not an object, as a report's is");
        }
        return new Parsed(root, ReportText.departure(write(root), text, WRITER));
    }

    /** The document as json.dumps(indent=2) writes it. */
    static String write(JsonNode node) {
        try {
            return PYTHON.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON", e);
        }
    }
}
