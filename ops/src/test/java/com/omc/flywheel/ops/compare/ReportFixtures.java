package com.omc.flywheel.ops.compare;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/**
 * The fixtures under src/test/resources/compare (today/: today's reports as today's scripts write them;
 * new/: build-report's from the same lake), copied where a test may change them, the changes written
 * back in the files' own format, and the command run on them.
 */
final class ReportFixtures {
    static final String MONITOR_JSON = "data-monitor/ACX_Data_Monitor_Report_2025-11-01.json";
    static final String MONITOR_CSV = "data-monitor/ACX_Data_Monitor_Report_2025-11-01.csv";
    static final String CLEANROOMS_JSON = "cleanrooms-reports/ACX_Cleanroom_Report_AMC_Flywheel_20251101.json";
    static final String TABLES_CSV = "cleanrooms-reports/ACX_Cleanroom_Report_AMC_Flywheel_20251101_Tables.csv";
    static final String IDENTITY_CSV =
            "cleanrooms-reports/ACX_Cleanroom_Report_AMC_Flywheel_20251101_IdentityResolution.csv";
    static final List<String> TODAY_FILES = List.of(MONITOR_JSON, MONITOR_CSV, CLEANROOMS_JSON, TABLES_CSV,
            IDENTITY_CSV);
    private static final ObjectMapper JSON = new ObjectMapper();

    private ReportFixtures() {
    }

    /** The fixture folder ("today" or "new") as the build copied it. */
    static Path fixture(String name) {
        try {
            var url = ReportFixtures.class.getResource("/compare/" + name);
            assertNotNull(url, "fixture compare/" + name);
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A copy of the fixture folder at {@code into}. */
    static Path copy(String name, Path into) {
        Path from = fixture(name);
        try (Stream<Path> all = Files.walk(from)) {
            for (Path p : all.toList()) {
                Path to = into.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(to);
                } else if (!p.getFileName().toString().endsWith(".py")) {
                    Files.copy(p, to);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return into;
    }

    /** Changes a JSON report and writes it back as json.dumps(indent=2) does. */
    static void editJson(Path file, Consumer<ObjectNode> edit) {
        try {
            ObjectNode root = (ObjectNode) JSON.readTree(Files.readString(file));
            edit.accept(root);
            Files.writeString(file, PythonJson.write(root));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Changes a CSV report's records (the header first) and writes them back as Python's csv module does. */
    static void editCsv(Path file, UnaryOperator<List<List<String>>> edit) {
        try {
            PythonCsv.Parsed parsed = PythonCsv.read(file.toString(), Files.readAllBytes(file));
            List<List<String>> records = new ArrayList<>();
            records.add(new ArrayList<>(parsed.header()));
            parsed.rows().forEach(r -> records.add(new ArrayList<>(r)));
            Files.writeString(file, PythonCsv.write(edit.apply(records)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Sets one cell of the CSV: the row whose first {@code keyColumn} cell is {@code key}. */
    static void setCell(Path file, String keyColumn, String key, String column, String value) {
        editCsv(file, records -> {
            int k = records.get(0).indexOf(keyColumn);
            int c = records.get(0).indexOf(column);
            records.stream().skip(1).filter(r -> r.get(k).equals(key)).findFirst().orElseThrow().set(c, value);
            return records;
        });
    }

    /** The row of {@code tables} named {@code name} (by {@code table} or {@code table_name}). */
    static ObjectNode row(ObjectNode report, String name) {
        for (JsonNode r : report.get("tables")) {
            if (name.equals(r.path("table").asText(null)) || name.equals(r.path("table_name").asText(null))) {
                return (ObjectNode) r;
            }
        }
        throw new AssertionError("no row " + name);
    }

    /** What one run of the command gave. */
    record Run(int exit, String out, String err, JsonNode report) {
        List<JsonNode> differences(String category) {
            List<JsonNode> out = new ArrayList<>();
            report.path("differences").forEach(d -> {
                if (category == null || d.path("category").asText().equals(category)) {
                    out.add(d);
                }
            });
            return out;
        }
    }

    /** Runs the command with {@code --out outDir}; the report is read back from outDir's JSON. */
    static Run run(Path outDir, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        List<String> all = new ArrayList<>(List.of(args));
        all.add("--out");
        all.add(outDir.toString());
        int exit = CompareReportsCommand.run(all.toArray(String[]::new), new PrintStream(out, true,
                StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        JsonNode report = null;
        Path json = outDir.resolve(CompareReportsCommand.JSON);
        if (exit != 2 && Files.exists(json)) {
            try {
                report = JSON.readTree(json.toFile());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8), report);
    }
}
