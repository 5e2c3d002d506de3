package com.omc.flywheel.statemachine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * A child process run to its end or its time limit. Its output goes to files, never to a pipe
 * read before {@code waitFor}: a child that hangs (or whose own children hold the pipe open) can
 * neither block the test in a read nor fill a pipe and stall, so the time limit always fires. On
 * the limit the child and every descendant are stopped (and killed if they do not stop), and the
 * test fails saying what hung, with the output so far.
 */
final class ChildProcess {
    /** How often a running child is looked at (and {@code whileRunning} called). */
    private static final long POLL_MILLIS = 200;
    /** How long a stopped process tree gets to exit before it is killed. */
    private static final long STOP_GRACE_MILLIS = 5_000;

    /** A finished child: its exit code, standard output, and standard error (empty when merged into stdout). */
    record Result(int exitCode, String stdout, String stderr) {
    }

    private ChildProcess() {
    }

    static Result run(ProcessBuilder builder, Duration limit, String what) throws InterruptedException {
        return run(builder, limit, what, p -> { });
    }

    /**
     * Starts {@code builder} and waits at most {@code limit} for it to end; {@code whileRunning} is
     * called with the process every {@value #POLL_MILLIS} ms until then (e.g. to note its descendants).
     */
    static Result run(ProcessBuilder builder, Duration limit, String what, Consumer<Process> whileRunning)
            throws InterruptedException {
        Path out = null;
        Path err = null;
        try {
            out = Files.createTempFile("child-out-", ".txt");
            err = Files.createTempFile("child-err-", ".txt");
            builder.redirectOutput(out.toFile());
            if (!builder.redirectErrorStream()) {
                builder.redirectError(err.toFile());
            }
            Process p = builder.start();
            long deadline = System.nanoTime() + limit.toNanos();
            boolean ended = false;
            try {
                while (!p.waitFor(POLL_MILLIS, TimeUnit.MILLISECONDS)) {
                    whileRunning.accept(p);
                    if (System.nanoTime() - deadline > 0) {
                        destroyTree(p);
                        throw new AssertionError(what + " did not finish within " + limit + ": it and its child "
                                + "processes were stopped. Its output so far:\n" + read(out) + read(err));
                    }
                }
                ended = true;
            } finally {
                if (!ended && p.isAlive()) {
                    // Interrupted, or whileRunning failed: leave nothing running behind the test.
                    destroyTree(p);
                }
            }
            return new Result(p.exitValue(), read(out), read(err));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + what + " (" + builder.command() + ")", e);
        } finally {
            delete(out);
            delete(err);
        }
    }

    /**
     * Stops {@code p} and all its descendants (listed first: once {@code p} is gone they are no longer
     * its descendants), then kills whatever has not exited after {@value #STOP_GRACE_MILLIS} ms.
     */
    static void destroyTree(Process p) {
        List<ProcessHandle> tree = new ArrayList<>(p.descendants().toList());
        tree.add(p.toHandle());
        tree.forEach(ProcessHandle::destroy);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(STOP_GRACE_MILLIS);
        for (ProcessHandle h : tree) {
            long left = deadline - System.nanoTime();
            try {
                h.onExit().get(Math.max(1, left), TimeUnit.NANOSECONDS);
            } catch (TimeoutException | ExecutionException e) {
                // killed below
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        tree.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    }

    private static String read(Path file) {
        try {
            return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(output unreadable: " + e.getMessage() + ")";
        }
    }

    private static void delete(Path file) {
        if (file == null) {
            return;
        }
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // a leftover temp file is harmless
        }
    }
}
