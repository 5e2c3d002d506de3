package com.omc.flywheel.local.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.omc.flywheel.local.iam.DeployedStack;
import com.omc.flywheel.local.moto.MotoServer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
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
 * @param params template.yaml's parameters given with --param, over the local stack's
 *               ({@link DeployedStack#LOCAL_PARAMETERS}), as {@code sam deploy --parameter-overrides}; in
 *               the order given. {@link #checkParameters} holds them to the template's declarations.
 * @param todaysCleanRooms whether the collaboration starts as today's scripts left production's
 *                         ({@link com.omc.flywheel.local.fixtures.TodaysCleanRooms}), not empty: the
 *                         refresh adopts it; only on production's tables (no --tables)
 */
record RunOptions(Path repo, Path out, String snapshotDt, int tables, int buckets, List<String> failSteps,
                  boolean resume,
                  boolean keepRunning, Map<String, String> handlers, int months, boolean shadow,
                  Map<String, String> params, boolean todaysCleanRooms) {
    /** The report key must be one local-run can make in moto: of the local account and region. */
    private static final String LOCAL_KEY = "arn:aws:kms:" + MotoServer.REGION + ":" + MotoServer.ACCOUNT_ID + ":key/";

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
        boolean todaysCleanRooms = false;
        Map<String, String> handlers = new LinkedHashMap<>();
        Map<String, String> params = new LinkedHashMap<>();
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
                case "--todays-clean-rooms" -> todaysCleanRooms = true;
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
                case "--param" -> {
                    String[] kv = value(args, ++i, a).split("=", 2);
                    if (kv.length != 2 || !kv[0].matches("[A-Za-z0-9]+")) {
                        throw new IllegalArgumentException("--param takes NAME=VALUE, NAME a parameter of "
                                + "template.yaml (as sam deploy --parameter-overrides)");
                    }
                    if (params.put(kv[0], kv[1]) != null) {
                        throw new IllegalArgumentException("--param " + kv[0] + " is given twice: give it once");
                    }
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
        if (todaysCleanRooms && tables > 0) {
            throw new IllegalArgumentException("--todays-clean-rooms is today's collaboration on production's tables; "
                    + "it goes without --tables");
        }
        if (shadow && (!fail.isEmpty() || months > 1)) {
            throw new IllegalArgumentException("--shadow follows one plain refresh; it goes without --fail-step and "
                    + "--months");
        }
        return new RunOptions(repo, out, snapshot, tables, buckets, fail, resume, keep, handlers, months, shadow,
                Collections.unmodifiableMap(params), todaysCleanRooms);
    }

    /**
     * Holds --param to template.yaml's Parameters ({@code declared}, as {@link DeployedStack#declaredParameters}
     * reads them) and to what local-run can deploy: a name the template declares, a value its AllowedValues
     * and AllowedPattern accept, none of the names the sample world is built for, and a ReportKmsKeyArn of
     * the local account and region (local-run makes that key in moto). Throws the usage error.
     */
    void checkParameters(JsonNode declared) {
        params.forEach((name, value) -> {
            JsonNode d = declared.get(name);
            if (d == null) {
                throw new IllegalArgumentException("--param " + name + ": template.yaml has no parameter " + name
                        + "; give one of its Parameters");
            }
            if (DeployedStack.LOCAL_PARAMETERS.containsKey(name)) {
                throw new IllegalArgumentException("--param " + name + ": the sample world is built for " + name + "="
                        + DeployedStack.LOCAL_PARAMETERS.get(name) + "; leave it out");
            }
            List<String> allowed = new ArrayList<>();
            d.path("allowedValues").forEach(v -> allowed.add(v.asText()));
            if (!allowed.isEmpty() && !allowed.contains(value)) {
                throw new IllegalArgumentException("--param " + name + " takes one of " + allowed);
            }
            String pattern = d.path("allowedPattern").asText(".*");
            if (!value.matches(pattern)) {
                throw new IllegalArgumentException("--param " + name + "=" + value + " does not match template.yaml's "
                        + "AllowedPattern " + pattern);
            }
        });
        String key = params.getOrDefault("ReportKmsKeyArn", "");
        if (!key.isEmpty() && !key.startsWith(LOCAL_KEY)) {
            throw new IllegalArgumentException("--param ReportKmsKeyArn takes a key of the local account and region, "
                    + LOCAL_KEY + "ID (local-run makes it in moto)");
        }
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
