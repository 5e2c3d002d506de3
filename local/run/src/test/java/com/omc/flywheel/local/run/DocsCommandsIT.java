package com.omc.flywheel.local.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.omc.flywheel.local.fixtures.SampleEvents;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every command block of the README and of docs/local-run.md, run exactly as written, from the
 * repository's root, the way a newcomer pastes it: a block fenced {@code bash} must exit 0 within its
 * time limit. Output samples are fenced {@code text}; a block with no language is refused (a reader
 * cannot tell whether to run it). The one block this suite cannot run from inside itself, the test
 * command {@code mvn -B verify}, is checked to be exactly what {@code .ci/run} runs.
 */
class DocsCommandsIT {
    private static final Pattern FENCE = Pattern.compile("(?ms)^```([A-Za-z]*)\\n(.*?)^```\\s*$");
    private static final String TEST_COMMAND = "mvn -B verify";

    record Block(String file, int number, String language, String text) {
        String name() {
            return file + " block " + number + " (" + language + "): "
                    + text.lines().findFirst().orElse("").strip();
        }
    }

    static List<Block> blocks(Path repo, String file) throws IOException {
        String markdown = Files.readString(repo.resolve(file), StandardCharsets.UTF_8);
        List<Block> blocks = new ArrayList<>();
        Matcher m = FENCE.matcher(markdown);
        while (m.find()) {
            blocks.add(new Block(file, blocks.size() + 1, m.group(1), m.group(2)));
        }
        return blocks;
    }

    @TestFactory
    List<DynamicTest> everyCommandBlockRunsAsWritten() throws IOException {
        Path repo = SampleEvents.repoRoot();
        List<DynamicTest> tests = new ArrayList<>();
        for (String file : List.of("README.md", "docs/local-run.md")) {
            List<Block> blocks = blocks(repo, file);
            assertTrue(blocks.stream().anyMatch(b -> b.language().equals("bash")), file + " has no command block");
            for (Block b : blocks) {
                switch (b.language()) {
                    case "text" -> { }
                    case "bash" -> tests.add(DynamicTest.dynamicTest(b.name(), () -> run(repo, b)));
                    default -> tests.add(DynamicTest.dynamicTest(b.name(), () -> fail(b.file() + " block " + b.number()
                            + " has no language: fence commands as ```bash (this test runs them) and output as "
                            + "```text")));
                }
            }
        }
        return tests;
    }

    private static void run(Path repo, Block b) throws Exception {
        if (b.text().strip().equals(TEST_COMMAND)) {
            String ci = Files.readString(repo.resolve(".ci/run"), StandardCharsets.UTF_8);
            assertTrue(ci.lines().anyMatch(l -> l.strip().startsWith(TEST_COMMAND)),
                    ".ci/run must run the README's test command " + TEST_COMMAND);
            return;
        }
        Path log = Files.createTempFile("docs-block-", ".log");
        // The block as a newcomer runs it: bash, stopping at the first failing command.
        ProcessBuilder pb = new ProcessBuilder("bash", "-e", "-o", "pipefail", "-c", b.text())
                .directory(repo.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
        Process p = pb.start();
        boolean ended = p.waitFor(10, TimeUnit.MINUTES);
        // Whatever the block started and left behind (a moto_server it failed to kill) goes with it.
        p.descendants().forEach(ProcessHandle::destroy);
        if (!ended) {
            p.destroyForcibly();
        }
        String out = Files.readString(log, StandardCharsets.UTF_8);
        Files.deleteIfExists(log);
        assertTrue(ended, b.name() + " did not end within 10 minutes:\n" + out);
        assertEquals(0, p.exitValue(), b.name() + " failed:\n" + out);
        // An error the design raises reads as one line, never a Java stack trace.
        assertFalse(out.contains("\tat com.omc.flywheel."), b.name() + " printed a stack trace:\n" + out);
        if (b.text().contains("bin/flywheel local-run")) {
            assertTrue(out.contains("== local-run SUCCEEDED"), b.name() + ":\n" + out);
        }
    }
}
