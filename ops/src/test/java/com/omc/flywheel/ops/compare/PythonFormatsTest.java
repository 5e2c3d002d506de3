package com.omc.flywheel.ops.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Today's formats read as today's scripts write them. The fixtures were written by Python's own json
 * and csv modules (src/test/resources/compare/write_fixtures.py), so each must come out as exactly what
 * the layout check expects; quoting, CRLF inside a quoted cell and unreadable files are read as Python
 * reads them, or refused naming the file.
 */
class PythonFormatsTest {

    @Test
    void everyFixtureWrittenByPythonIsExactlyTheLayoutTheCheckExpects() throws IOException {
        List<Path> files;
        try (Stream<Path> all = Stream.concat(Files.walk(ReportFixtures.fixture("today")),
                Files.walk(ReportFixtures.fixture("new")))) {
            files = all.filter(Files::isRegularFile).filter(p -> !p.toString().endsWith(".py")).toList();
        }
        assertEquals(13, files.size(), files.toString());
        for (Path f : files) {
            byte[] bytes = Files.readAllBytes(f);
            String problem = f.toString().endsWith(".csv") ? PythonCsv.read(f.toString(), bytes).layoutProblem()
                    : PythonJson.read(f.toString(), bytes).layoutProblem();
            assertNull(problem, f.toString());
        }
        String todayCsv = Files.readString(ReportFixtures.fixture("today").resolve(ReportFixtures.TABLES_CSV));
        assertTrue(todayCsv.contains(",\"1111-1111-1111 (AMC Service), 2222-2222-2222 (Query Submitter/AMC Results "
                + "Receiver)\",") && todayCsv.endsWith("No,No,No\r\n"), "quoted only for the comma, CRLF ends");
        String todayJson = Files.readString(ReportFixtures.fixture("today").resolve(ReportFixtures.CLEANROOMS_JSON));
        assertTrue(todayJson.contains("\"description\": \"ACX unique customer identifiers \\u2014 production\"")
                && todayJson.contains("\"id\": null,") && todayJson.contains("\"id_mapping_tables\": [],")
                && todayJson.endsWith("}"), "ensure_ascii, null members, empty lists, no final line break");
    }

    @Test
    void quotedCellsAreReadAsPythonReadsThem() {
        String text = "a,b,c\r\n\"x, y\",\"say \"\"hi\"\"\",\"two\r\nlines\"\r\n,,\r\n";
        PythonCsv.Parsed p = PythonCsv.read("f.csv", text.getBytes(StandardCharsets.UTF_8));
        assertEquals(List.of("a", "b", "c"), p.header());
        assertEquals(List.of(List.of("x, y", "say \"hi\"", "two\r\nlines"), List.of("", "", "")), p.rows());
        assertNull(p.layoutProblem());
        assertEquals(text, PythonCsv.write(List.of(p.header(), p.rows().get(0), p.rows().get(1))));
    }

    @Test
    void aCellQuotedWithoutNeedIsALayoutProblem() {
        PythonCsv.Parsed p = PythonCsv.read("f.csv", "a,b\r\n\"x\",y\r\n".getBytes(StandardCharsets.UTF_8));
        assertEquals(List.of(List.of("x", "y")), p.rows());
        assertEquals("line 2 is `\"x\",y\\r` where Python's csv module writes `x,y\\r`", p.layoutProblem());
    }

    @Test
    void aByteOrderMarkIsReadAndIsALayoutProblem() {
        PythonCsv.Parsed p = PythonCsv.read("f.csv", "\uFEFFa,b\r\n1,2\r\n".getBytes(StandardCharsets.UTF_8));
        assertEquals(List.of("a", "b"), p.header());
        assertEquals("starts with a byte order mark, which Python's csv module does not write", p.layoutProblem());
    }

    @Test
    void unreadableCsvIsRefusedNamingTheFileAndLine() {
        assertEquals("f.csv is unreadable: the quoted field that starts on line 2 is never closed",
                refused(() -> PythonCsv.read("f.csv", "a,b\r\n\"x,y\r\n".getBytes(StandardCharsets.UTF_8))));
        assertEquals("f.csv is unreadable: line 2 has text after a closing quote",
                refused(() -> PythonCsv.read("f.csv", "a,b\r\n\"x\"z,y\r\n".getBytes(StandardCharsets.UTF_8))));
        assertEquals("f.csv is unreadable: row 1 has 3 cells where the header has 2 columns",
                refused(() -> PythonCsv.read("f.csv", "a,b\r\n1,2,3\r\n".getBytes(StandardCharsets.UTF_8))));
        assertEquals("f.csv is unreadable: the column 'a' appears twice in its header",
                refused(() -> PythonCsv.read("f.csv", "a,a\r\n".getBytes(StandardCharsets.UTF_8))));
        assertTrue(refused(() -> PythonCsv.read("f.csv", new byte[] {'a', (byte) 0xff, '\r', '\n'}))
                .startsWith("f.csv is unreadable: it is not UTF-8 text"));
    }

    @Test
    void unreadableJsonIsRefusedNamingTheFile() {
        assertTrue(refused(() -> PythonJson.read("f.json", "{\"a\": ".getBytes(StandardCharsets.UTF_8)))
                .startsWith("f.json is unreadable: not JSON ("));
        assertTrue(refused(() -> PythonJson.read("f.json", "{} {}".getBytes(StandardCharsets.UTF_8)))
                .startsWith("f.json is unreadable: not JSON ("));
        assertEquals("f.json is unreadable: its JSON is not an object, as a report's is",
                refused(() -> PythonJson.read("f.json", "[]".getBytes(StandardCharsets.UTF_8))));
    }

    @Test
    void jsonIsWrittenAsJsonDumpsWithIndentTwo() throws IOException {
        String python = "{\n  \"a\": [],\n  \"b\": {},\n  \"c\": [\n    1,\n    null\n  ],\n  \"d\": \"\\u00e9\",\n"
                + "  \"e\": 0.0\n}";
        assertNull(PythonJson.read("f.json", python.getBytes(StandardCharsets.UTF_8)).layoutProblem());
        assertEquals("line 2 is `  \"a\":[],` where json.dumps(indent=2) writes `  \"a\": [],`",
                PythonJson.read("f.json", python.replace("\"a\": []", "\"a\":[]").getBytes(StandardCharsets.UTF_8))
                        .layoutProblem());
    }

    private static String refused(org.junit.jupiter.api.function.Executable read) {
        return assertThrows(BadInputException.class, read).getMessage();
    }
}
