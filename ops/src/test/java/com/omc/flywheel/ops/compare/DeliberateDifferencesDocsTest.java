package com.omc.flywheel.ops.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The documented differences are one list, in {@link DeliberateDifference}: this fails when
 * docs/functions.md documents a fix the code does not know, when the code knows one docs/functions.md
 * does not say (in the section it points to), and likewise against docs/today.md's list.
 */
class DeliberateDifferencesDocsTest {

    static Path repo() {
        String configured = System.getProperty("flywheel.repo.root");
        Path dir = configured != null && !configured.isBlank() ? Path.of(configured) : Path.of("").toAbsolutePath();
        for (Path p = dir.toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.exists(p.resolve("docs/functions.md"))) {
                return p;
            }
        }
        throw new AssertionError("no docs/functions.md above " + dir);
    }

    /** Whitespace (line breaks in the Markdown) as single spaces. */
    static String normal(String s) {
        return s.replaceAll("\\s+", " ").trim();
    }

    /** The text under the heading whose GitHub anchor is {@code anchor}, to the next heading of its level or above. */
    static String section(String markdown, String anchor) {
        String[] lines = markdown.split("\n");
        StringBuilder out = null;
        int level = 0;
        for (String line : lines) {
            Matcher h = Pattern.compile("^(#{1,6}) (.*)$").matcher(line);
            if (h.matches()) {
                if (out != null && h.group(1).length() <= level) {
                    break;
                }
                if (out == null && anchor(h.group(2)).equals(anchor)) {
                    out = new StringBuilder();
                    level = h.group(1).length();
                    continue;
                }
            }
            if (out != null) {
                out.append(line).append('\n');
            }
        }
        if (out == null) {
            throw new AssertionError("no section #" + anchor);
        }
        return normal(out.toString());
    }

    static String anchor(String heading) {
        return heading.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9 _-]", "").trim().replace(' ', '-');
    }

    private static String read(String path) throws IOException {
        return Files.readString(repo().resolve(path));
    }

    @Test
    void everyDifferenceOfTheCodeIsDocumentedInItsSectionOfFunctionsMd() throws IOException {
        String functions = read("docs/functions.md");
        for (DeliberateDifference d : DeliberateDifference.values()) {
            assertTrue(section(functions, d.section()).contains(normal(d.docs())), d + ": docs/functions.md#"
                    + d.section() + " does not say \"" + d.docs() + "\"");
        }
    }

    @Test
    void everyFixFunctionsMdListsIsADifferenceOfTheCode() throws IOException {
        String buildReport = section(read("docs/functions.md"), "build-report");
        Matcher fixes = Pattern.compile("Fixes: (.+?)\\.(?: |$)").matcher(buildReport);
        List<String> sentences = new ArrayList<>();
        while (fixes.find()) {
            sentences.add(fixes.group(1));
        }
        assertEquals(2, sentences.size(), "the data monitor's and the Clean Rooms report's Fixes: " + sentences);
        for (String sentence : sentences) {
            String rest = sentence;
            for (DeliberateDifference d : DeliberateDifference.values()) {
                rest = rest.replace(normal(d.docs()), "");
            }
            assertEquals("", rest.replaceAll("\\band\\b", "").replaceAll("[\\s,;]", ""),
                    "docs/functions.md lists a fix no DeliberateDifference names: \"" + rest + "\" in \"" + sentence
                            + "\"");
        }
    }

    @Test
    void todayMdsListAndTheCodesAreTheSame() throws IOException {
        String list = section(read("docs/today.md"), "the-deliberate-differences");
        for (DeliberateDifference d : DeliberateDifference.values()) {
            assertTrue(list.contains(normal(d.today())), d + ": docs/today.md's list does not say \"" + d.today()
                    + "\"");
        }
        List<String> items = Stream.of(list.split(";|\\. ")).map(String::trim)
                .filter(i -> !i.isEmpty() && !i.startsWith("Anything else that differs is a bug")).toList();
        assertTrue(items.size() >= DeliberateDifference.values().length - 1, items.toString());
        for (String item : items) {
            assertTrue(Stream.of(DeliberateDifference.values()).anyMatch(d -> item.contains(normal(d.today()))),
                    "docs/today.md lists a deliberate difference no DeliberateDifference names: \"" + item + "\"");
        }
    }
}
