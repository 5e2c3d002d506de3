package com.omc.flywheel.ops.compare;

import java.util.regex.Pattern;

/**
 * Classifies an observation: RUN_TIME when it is the time or date of each run (the two runs are not
 * the same run), DELIBERATE when a documented difference explains it, UNEXPLAINED otherwise.
 */
final class Classifier {
    /** The data monitor's {@code %Y-%m-%dT%H:%M:%SZ} ({@code generated_at}, {@code checked_at}). */
    private static final Pattern MONITOR_TIME = Pattern.compile(
            "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$");
    /** The Clean Rooms report's {@code isoformat() + "Z"}: microseconds when there are any. */
    private static final Pattern CLEANROOMS_TIME = Pattern.compile(
            "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{6})?Z$");

    private Classifier() {
    }

    static Difference classify(Observation o) {
        String runTime = runTime(o);
        if (runTime != null) {
            return new Difference(Difference.Category.RUN_TIME, o, runTime, null);
        }
        for (DeliberateDifference d : DeliberateDifference.values()) {
            if (d.explains(o)) {
                return new Difference(Difference.Category.DELIBERATE, o, d.summary(), d);
            }
        }
        return new Difference(Difference.Category.UNEXPLAINED, o, null, null);
    }

    /**
     * Why the observation is the time of each run, or null: the report's {@code generated_at}, a data
     * monitor row's {@code checked_at} (both sides in today's format: another format is a difference),
     * or the date in the file names.
     */
    static String runTime(Observation o) {
        if (o.change() != Observation.Change.CHANGED) {
            return null;
        }
        if (o.about("(report date)") && o.table() == null) {
            return "the date of each run, in the file name";
        }
        Pattern time = o.kind().dataMonitor() ? MONITOR_TIME : CLEANROOMS_TIME;
        boolean times = o.todayText() != null && o.nowText() != null && time.matcher(o.todayText()).matches()
                && time.matcher(o.nowText()).matches() && o.today().isTextual() == o.now().isTextual();
        if (times && o.table() == null && o.about("generated_at") && !o.kind().csv()) {
            return "the time of each run (generated_at)";
        }
        if (times && o.table() != null && o.about("checked_at") && o.kind().dataMonitor()) {
            return "the time of each run (checked_at)";
        }
        return null;
    }
}
