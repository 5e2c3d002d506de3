package com.omc.flywheel.local.lambda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.omc.flywheel.local.fixtures.SampleEvents;
import com.omc.flywheel.local.moto.MotoServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The local tools themselves: a missing tool fails loudly, errors come back in the contract's shape. */
class LocalToolsTest {
    @Test
    void aMissingToolFailsWithWhatToInstall() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> MotoServer.findOnPath("moto_server_that_is_not_installed", "install it with: pip install x"));
        assertTrue(e.getMessage().contains("pip install"), e.getMessage());
    }

    @Test
    void motoStartsOnAFreeLoopbackPortAndStops() {
        MotoServer moto = MotoServer.start();
        try {
            assertTrue(moto.port() > 0);
            moto.reset();
        } finally {
            moto.close();
        }
        assertThrows(IllegalStateException.class, moto::reset, "stopped: nothing answers any more");
    }

    @Test
    void anInvocationThatThrowsPrintsTheErrorObjectAndExitsOne() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = LocalInvoke.run("java.lang.String", SampleEvents.path("start-glue-job.json"), "x", 60, 512,
                new PrintStream(out, true, StandardCharsets.UTF_8));
        assertEquals(1, code);
        String json = out.toString(StandardCharsets.UTF_8).trim();
        assertTrue(json.startsWith("{\"errorType\":\"ClassCastException\",\"errorMessage\":"), json);
    }

    @Test
    void aMissingEventFileIsReported() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = LocalInvoke.run("x.Y", Path.of("no/such/event.json"), "x", 60, 512,
                new PrintStream(out, true, StandardCharsets.UTF_8));
        assertEquals(1, code);
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("no/such/event.json"));
    }

    @Test
    void errorMessagesAreEscapedAsJson() {
        assertEquals("{\"errorType\":\"T\",\"errorMessage\":\"a \\\"quoted\\\"\\nline\"}",
                LocalInvoke.errorJson("T", "a \"quoted\"\nline"));
    }

    /** template.yaml must pass cfn-lint (the SAM transform included); a missing cfn-lint fails. */
    @Test
    void theTemplatePassesCfnLint() throws Exception {
        String cfnLint = MotoServer.findOnPath("cfn-lint", "cfn-lint was not found on PATH: it ships on this "
                + "project's machine image (pyenv); elsewhere install it with: pip install cfn-lint");
        Process p = new ProcessBuilder(cfnLint, "template.yaml").directory(SampleEvents.repoRoot().toFile())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), "cfn-lint template.yaml:\n" + out);
    }
}
