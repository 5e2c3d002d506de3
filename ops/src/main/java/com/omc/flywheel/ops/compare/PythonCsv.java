package com.omc.flywheel.ops.compare;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * CSV as Python's {@code csv} module reads and writes it (the excel dialect today's scripts use): fields
 * separated by commas, quoted with {@code "} (doubled inside) only when they hold a comma, a quote, a CR
 * or an LF, every line ending with CRLF. Reading accepts CRLF, LF or CR line ends (as Python does) and
 * says where the file departs from what Python writes, so a change of layout is a difference of its own.
 * A quoted field left open, or a row whose number of cells is not the header's, makes the file unreadable.
 */
final class PythonCsv {
    static final String WRITER = "Python's csv module";

    private PythonCsv() {
    }

    /**
     * @param header        the first line's columns; empty for an empty file
     * @param rows          the following lines, each with as many cells as the header
     * @param layoutProblem null when the file is exactly what Python writes for these rows
     */
    record Parsed(List<String> header, List<List<String>> rows, String layoutProblem) {
    }

    static Parsed read(String file, byte[] bytes) {
        String text = ReportText.utf8(file, bytes);
        String body = !text.isEmpty() && text.charAt(0) == ReportText.BOM ? text.substring(1) : text;
        List<List<String>> records = records(file, body);
        List<String> header = records.isEmpty() ? List.of() : records.get(0);
        Set<String> seen = new HashSet<>();
        for (String column : header) {
            if (!seen.add(column)) {
                throw new BadInputException(file + " is unreadable: the column '" + column + "' appears twice in "
                        + "its header");
            }
        }
        List<List<String>> rows = records.size() <= 1 ? List.of() : records.subList(1, records.size());
        for (int i = 0; i < rows.size(); i++) {
            if (rows.get(i).size() != header.size()) {
                throw new BadInputException(file + " is unreadable: row " + (i + 1) + " has " + rows.get(i).size()
                        + " cells where the header has " + header.size() + " columns");
            }
        }
        return new Parsed(header, rows, ReportText.departure(write(records), text, WRITER));
    }

    /** Every record of the text; empty lines are skipped, as Python's DictReader does. */
    private static List<List<String>> records(String file, String text) {
        List<List<String>> records = new ArrayList<>();
        List<String> record = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        int line = 1;
        int i = 0;
        boolean fieldStarted = false;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == '"' && !fieldStarted) {
                int start = line;
                i++;
                while (true) {
                    if (i >= text.length()) {
                        throw new BadInputException(file + " is unreadable: the quoted field that starts on line "
                                + start + " is never closed");
                    }
                    char q = text.charAt(i);
                    if (q == '"' && i + 1 < text.length() && text.charAt(i + 1) == '"') {
                        field.append('"');
                        i += 2;
                    } else if (q == '"') {
                        i++;
                        break;
                    } else {
                        line += q == '\n' ? 1 : 0;
                        field.append(q);
                        i++;
                    }
                }
                fieldStarted = true;
                if (i < text.length() && ",\r\n".indexOf(text.charAt(i)) < 0) {
                    throw new BadInputException(file + " is unreadable: line " + line + " has text after a closing "
                            + "quote");
                }
            } else if (c == ',') {
                record.add(field.toString());
                field.setLength(0);
                fieldStarted = false;
                i++;
            } else if (c == '\r' || c == '\n') {
                if (fieldStarted || !record.isEmpty()) {
                    record.add(field.toString());
                    records.add(record);
                }
                record = new ArrayList<>();
                field.setLength(0);
                fieldStarted = false;
                i += c == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n' ? 2 : 1;
                line++;
            } else {
                field.append(c);
                fieldStarted = true;
                i++;
            }
        }
        if (fieldStarted || !record.isEmpty()) {
            record.add(field.toString());
            records.add(record);
        }
        return records;
    }

    /** The records as Python's csv.writer writes them: minimal quoting, CRLF after every record. */
    static String write(List<List<String>> records) {
        StringBuilder out = new StringBuilder();
        for (List<String> record : records) {
            if (record.size() == 1 && record.get(0).isEmpty()) {
                out.append("\"\"");
            }
            for (int i = 0; i < record.size(); i++) {
                String v = record.get(i);
                if (i > 0) {
                    out.append(',');
                }
                if (v.indexOf(',') >= 0 || v.indexOf('"') >= 0 || v.indexOf('\r') >= 0 || v.indexOf('\n') >= 0) {
                    out.append('"').append(v.replace("\"", "\"\"")).append('"');
                } else {
                    out.append(v);
                }
            }
            out.append("\r\n");
        }
        return out.toString();
    }
}
