package com.omc.flywheel.local.run;

import com.omc.flywheel.ops.ExecutionFollower;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;

/**
 * What local-run prints as it goes: each line stamped with the seconds since it started (the same
 * clock the summary's elapsed time and the execution's time limit read).
 */
final class Progress {
    private final PrintStream out;
    private final Instant started = Instant.now();

    Progress(PrintStream out) {
        this.out = out;
    }

    /** Where the lines go (the summary and the operator console print there too). */
    PrintStream out() {
        return out;
    }

    /** When local-run started. */
    Instant started() {
        return started;
    }

    /** The time since local-run started. */
    Duration elapsed() {
        return Duration.between(started, Instant.now());
    }

    /** One progress line, {@code [  12.3s] line}, flushed at once. */
    void say(String line) {
        out.printf("[%6s] %s%n", seconds(elapsed()), line);
        out.flush();
    }

    /** A duration as the lines show it: {@code 12.3s}. */
    static String seconds(Duration d) {
        return ExecutionFollower.seconds(d);
    }
}
