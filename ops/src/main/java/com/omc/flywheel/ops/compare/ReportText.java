package com.omc.flywheel.ops.compare;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** A report file's bytes as text (UTF-8, as today's scripts write it), and where its layout departs from today's. */
final class ReportText {
    static final char BOM = '\uFEFF';

    private ReportText() {
    }

    /** The file's text; bytes that are not UTF-8 make it unreadable. A byte order mark is kept (the layout check
     * sees it). */
    static String utf8(String file, byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new BadInputException(file + " is unreadable: it is not UTF-8 text (" + e.getMessage() + ")");
        }
    }

    /**
     * Null when {@code actual} is exactly {@code expected} (today's layout); otherwise where it departs:
     * a byte order mark, LF line ends where Python writes CRLF, or the first line that differs.
     */
    static String departure(String expected, String actual, String writer) {
        if (expected.equals(actual)) {
            return null;
        }
        if (!actual.isEmpty() && actual.charAt(0) == BOM) {
            return "starts with a byte order mark, which " + writer + " does not write";
        }
        if (expected.contains("\r\n") && !actual.contains("\r\n") && actual.contains("\n")) {
            return "lines end with LF, where " + writer + " ends them with CRLF";
        }
        String[] e = expected.split("\n", -1);
        String[] a = actual.split("\n", -1);
        for (int i = 0; i < Math.max(e.length, a.length); i++) {
            String el = i < e.length ? e[i] : null;
            String al = i < a.length ? a[i] : null;
            if (el == null || !el.equals(al)) {
                return "line " + (i + 1) + " is " + visible(al) + " where " + writer + " writes " + visible(el);
            }
        }
        return "differs from what " + writer + " writes";
    }

    /** A line as a reader sees it: CR and tabs shown, long lines cut. */
    private static String visible(String line) {
        if (line == null) {
            return "nothing (the file ends)";
        }
        String shown = line.replace("\r", "\\r").replace("\t", "\\t");
        return "`" + (shown.length() > 100 ? shown.substring(0, 100) + "…" : shown) + "`";
    }
}
