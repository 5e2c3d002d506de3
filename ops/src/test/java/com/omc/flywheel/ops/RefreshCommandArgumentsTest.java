package com.omc.flywheel.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * {@code bin/flywheel refresh} with a bad command line: exit 2, nothing on standard output, and on
 * standard error what is wrong followed by the usage. Every case names an endpoint where nothing
 * answers: had the command got as far as an AWS call, it would have exited 1 ("could not call AWS"),
 * as the last test shows, so exit 2 proves the line was refused before any call.
 */
class RefreshCommandArgumentsTest {
    /** Nothing listens on the discard port of this machine. */
    static final String NOWHERE = "http://127.0.0.1:9";

    record Outcome(int code, String out, String err) {
    }

    static Outcome refresh(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = RefreshCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Outcome(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** A bad command line and the exact sentence its error must say. */
    record Case(List<String> args, String message) {
        Case(String message, String... args) {
            this(List.of(args), message);
        }
    }

    static List<Case> cases() {
        return List.of(
                new Case("a command is needed: start, follow, resume or status"),
                new Case("unknown command 'begin': start, follow, resume or status", "begin", "--endpoint", NOWHERE),
                new Case("unknown command 'START': start, follow, resume or status", "START", "--endpoint", NOWHERE),
                new Case("--snapshot-dt must be a date YYYY-MM-DD, got '2025-02-30'",
                        "start", "--snapshot-dt", "2025-02-30", "--endpoint", NOWHERE),
                new Case("--snapshot-dt must be a date YYYY-MM-DD, got '20251022'",
                        "start", "--snapshot-dt", "20251022", "--endpoint", NOWHERE),
                new Case("--snapshot-dt must be a date YYYY-MM-DD, got '2025-1-02'",
                        "start", "--snapshot-dt", "2025-1-02", "--endpoint", NOWHERE),
                new Case("--snapshot-dt needs a value", "start", "--endpoint", NOWHERE, "--snapshot-dt"),
                new Case("--snapshot-dt needs a value", "start", "--snapshot-dt", "--dry-run", "--endpoint", NOWHERE),
                new Case("--snapshot-dt goes with start, not resume",
                        "resume", "x", "--snapshot-dt", "2025-10-22", "--endpoint", NOWHERE),
                new Case("follow needs an EXECUTION (its ARN or name)", "follow", "--endpoint", NOWHERE),
                new Case("resume needs an EXECUTION (its ARN or name)", "resume", "--dry-run", "--endpoint", NOWHERE),
                new Case("resume needs an EXECUTION (its ARN or name)", "resume"),
                new Case("EXECUTION must be an execution ARN or an execution name (letters, digits, ., - and _, 1 to "
                        + "80), got 'not an arn!'", "follow", "not an arn!", "--endpoint", NOWHERE),
                new Case("unexpected argument 'b'", "follow", "a", "b", "--endpoint", NOWHERE),
                new Case("unexpected argument 'x'", "status", "x", "--endpoint", NOWHERE),
                new Case("unknown option --verbose", "start", "--verbose", "--endpoint", NOWHERE),
                new Case("give --stack NAME (a deployed stack) or --endpoint URL (the local endpoint)", "start"),
                new Case("--max takes a whole number from 1 to 100, got '0'", "status", "--max", "0", "--endpoint",
                        NOWHERE),
                new Case("--max takes a whole number from 1 to 100, got '101'", "status", "--max", "101",
                        "--endpoint", NOWHERE),
                new Case("--max takes a whole number from 1 to 100, got 'ten'", "status", "--max", "ten",
                        "--endpoint", NOWHERE),
                new Case("--dry-run goes with start or resume, not status", "status", "--dry-run", "--endpoint",
                        NOWHERE),
                new Case("--follow goes with start or resume, not follow", "follow", "x", "--follow", "--endpoint",
                        NOWHERE),
                new Case("--skip takes step names separated by commas, with none empty",
                        "start", "--skip", "1,,2", "--endpoint", NOWHERE),
                new Case("--region must be a region such as us-east-1, got 'Mars'",
                        "start", "--region", "Mars", "--endpoint", NOWHERE),
                new Case("--stack must be a CloudFormation stack name, got '1-stack'", "start", "--stack", "1-stack"),
                new Case("--endpoint must be http(s)://host:port, got 'localhost:4566'",
                        "start", "--endpoint", "localhost:4566"),
                new Case("--environment goes with --endpoint alone (a stack names its own state machine)",
                        "start", "--stack", "omc-flywheel-dev", "--environment", "dev"),
                new Case("--environment must be lower-case letters and digits, got 'Prod'",
                        "start", "--endpoint", NOWHERE, "--environment", "Prod"));
    }

    @TestFactory
    List<DynamicTest> everyBadCommandLineExitsTwoSayingWhatIsWrongBeforeAnyAwsCall() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Case c : cases()) {
            String name = c.args().isEmpty() ? "(no arguments)" : String.join(" ", c.args());
            tests.add(DynamicTest.dynamicTest(name, () -> {
                Outcome o = refresh(c.args().toArray(String[]::new));

                assertEquals(2, o.code(), o.err());
                assertEquals("", o.out(), "nothing on standard output");
                List<String> lines = o.err().lines().toList();
                assertEquals("refresh: " + c.message(), lines.get(0), o.err());
                assertTrue(o.err().contains(RefreshCommand.USAGE), "the usage follows: " + o.err());
            }));
        }
        return tests;
    }

    /** The control: a good command line at the same endpoint gets as far as calling it, and exits 1. */
    @Test
    void aGoodCommandLineAtAnEndpointThatDoesNotAnswerExitsOne() {
        Outcome o = refresh("status", "--endpoint", NOWHERE);

        assertEquals(1, o.code(), o.err());
        assertTrue(o.err().startsWith("refresh: could not call AWS: "), o.err());
        assertTrue(!o.err().contains(RefreshCommand.USAGE), "no usage for a failed call: " + o.err());
    }
}
