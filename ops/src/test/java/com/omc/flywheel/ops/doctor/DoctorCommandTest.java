package com.omc.flywheel.ops.doctor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * doctor's command line: a bad one exits 2 with what is wrong; a stack it cannot read is a FAIL
 * (exit 1), never a pass with nothing checked. The checks themselves run against the local world in
 * local/run's DoctorTest.
 */
class DoctorCommandTest {

    private static int run(ByteArrayOutputStream out, ByteArrayOutputStream err, String... args) {
        return DoctorCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private static String usageError(String... args) {
        return assertThrows(IllegalArgumentException.class, () -> DoctorCommand.parse(args)).getMessage();
    }

    @Test
    void aBadCommandLineExitsTwoSayingWhatIsWrong() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(2, run(new ByteArrayOutputStream(), err));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("--stack NAME is needed"), err.toString());
        assertEquals("--stack no_such!stack is not a stack name", usageError("--stack", "no_such!stack"));
        assertEquals("--region Mars is not a region", usageError("--stack", "s", "--region", "Mars"));
        assertEquals("--profile and --endpoint exclude each other",
                usageError("--endpoint", "http://127.0.0.1:4566", "--profile", "p"));
        assertEquals("--endpoint localhost is not an http(s) URL", usageError("--endpoint", "localhost"));
        assertEquals("unknown argument --fix", usageError("--stack", "s", "--fix"));
        assertEquals("--stack needs a value", usageError("--stack"));
    }

    @Test
    void atAnEndpointTheStackIsTheLocalOne() {
        DoctorCommand.Options o = DoctorCommand.parse(new String[] {"--endpoint", "http://127.0.0.1:4566", "--json"});
        assertEquals("omc-flywheel-local", o.stack());
        assertTrue(o.json());
        assertEquals("http://127.0.0.1:4566", o.connection().endpoint());
    }

    @Test
    void aStackThatCannotBeReadFailsInsteadOfPassingWithNothingChecked() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = run(out, new ByteArrayOutputStream(), "--endpoint", "http://127.0.0.1:1", "--stack", "gone");
        String text = out.toString(StandardCharsets.UTF_8);
        assertEquals(1, code, text);
        assertTrue(text.contains("FAIL stack") && text.contains("nothing else was checked"), text);
    }
}
