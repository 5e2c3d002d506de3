package com.omc.flywheel.local.run;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * local-run's command line: what {@code bin/flywheel local-run} passes ({@code --repo} and one
 * {@code --function NAME=HandlerClass} per function of template.yaml) and what the user adds. A
 * usage error is an {@link IllegalArgumentException} whose message says what to give instead.
 *
 * @param repo the repository's root (events/, statemachine/, the functions' packages)
 * @param out the folder for summary.json, the reports and the functions' logs
 * @param snapshotDt the raw snapshot to refresh (with --months, the last month's), or null for yesterday's
 * @param tables how many tables the sample lake has, or 0 for production's tables
 * @param buckets the id buckets per table
 * @param failSteps the steps to fail on purpose (each one of {@link InjectedFailure#FAILABLE}), in the
 *                  order given; empty for none. Several go with --resume: each resume fixes the step
 *                  that failed, and the next one still broken fails the resumed run.
 * @param resume whether to resume the failed run as an operator would
 * @param keepRunning whether to leave the emulators up at the end
 * @param handlers each function's name and handler class, in the order given
 * @param months how many monthly refreshes to run back to back
 * @param shadow whether a shadow refresh follows the plain one on the same emulators ({@link ShadowRefresh})
 */
record RunOptions(Path repo, Path out, String snapshotDt, int tables, int buckets, List<String> failSteps,
                  boolean resume,
                  boolean keepRunning, Map<String, String> handlers, int months, boolean shadow) {

    /** Reads the command line; throws {@link IllegalArgumentException} with the usage error. */
    static RunOptions parse(String[] args) {
        Path repo = null;
        Path out = Path.of("out/local-run");
        String snapshot = null;
        int tables = 0;
        int buckets = 8;
        List<String> fail = List.of();
        boolean keep = false;
        boolean resume = false;
        int months = 1;
        boolean shadow = false;
        Map<String, String> handlers = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--repo" -> repo = Path.of(value(args, ++i, a));
                case "--out" -> out = Path.of(value(args, ++i, a));
                case "--snapshot-dt" -> snapshot = value(args, ++i, a);
                case "--tables" -> tables = positive(a, value(args, ++i, a));
                case "--buckets" -> buckets = positive(a, value(args, ++i, a));
                case "--fail-step" -> fail = List.of(value(args, ++i, a).split(",", -1));
                case "--keep-running" -> keep = true;
                case "--resume" -> resume = true;
                case "--shadow" -> shadow = true;
                case "--months" -> {
                    months = positive(a, value(args, ++i, a));
                    if (months > 12) {
                        throw new IllegalArgumentException("--months takes 1 to 12");
                    }
                }
                case "--function" -> {
                    String[] kv = value(args, ++i, a).split("=", 2);
                    if (kv.length != 2) {
                        throw new IllegalArgumentException("--function takes NAME=HandlerClass");
                    }
                    handlers.put(kv[0], kv[1]);
                }
                default -> throw new IllegalArgumentException("unknown option " + a + " (see bin/flywheel help)");
            }
        }
        if (snapshot != null && !snapshot.matches("[0-9]{4}-[0-9]{2}-[0-9]{2}")) {
            throw new IllegalArgumentException("--snapshot-dt must be YYYY-MM-DD");
        }
        if (!fail.stream().allMatch(InjectedFailure.FAILABLE::containsKey)) {
            throw new IllegalArgumentException("--fail-step takes one of " + InjectedFailure.FAILABLE.keySet()
                    + ", or several separated by commas (with --resume)");
        }
        if (Set.copyOf(fail).size() != fail.size()) {
            throw new IllegalArgumentException("--fail-step names each step once");
        }
        if (fail.size() > 1 && !resume) {
            throw new IllegalArgumentException("--fail-step with several steps goes with --resume: each resume "
                    + "fixes the step that failed and the next one fails");
        }
        if (resume && fail.isEmpty()) {
            throw new IllegalArgumentException("--resume goes with --fail-step: it resumes the run that step failed");
        }
        if (months > 1 && !fail.isEmpty()) {
            throw new IllegalArgumentException("--months runs clean months back to back; --fail-step goes with one "
                    + "month");
        }
        if (shadow && (!fail.isEmpty() || months > 1)) {
            throw new IllegalArgumentException("--shadow follows one plain refresh; it goes without --fail-step and "
                    + "--months");
        }
        return new RunOptions(repo, out, snapshot, tables, buckets, fail, resume, keep, handlers, months, shadow);
    }

    /** The value after an option; a missing one is a usage error, not an index out of bounds. */
    private static String value(String[] args, int i, String option) {
        if (i >= args.length || args[i].startsWith("--")) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }

    private static int positive(String option, String value) {
        try {
            int n = Integer.parseInt(value);
            if (n > 0 && n <= 10_000) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException(option + " takes a whole number from 1 to 10000");
    }
}
