package com.omc.flywheel.bench;

import com.omc.flywheel.shared.JsonLog;
import java.util.Map;

/**
 * Run in a fresh JVM on a function's deployment package by {@link EmfBench}: times the first log
 * line (which every invocation writes anyway), then the first embedded-metric-format line, then a
 * second one, and prints {@code EMF_TIMINGS logNs=.. firstMetricsNs=.. nextMetricsNs=..}. With the
 * argument {@code primed}, first does what SnapStart priming does before the snapshot
 * ({@link JsonLog#primeMetrics()}), so the first metrics line is timed as a restored function pays it.
 */
public final class EmfProbe {
    private EmfProbe() {
    }

    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("primed")) {
            JsonLog.primeMetrics();
        }
        JsonLog log = JsonLog.forFunction("check-status");
        long t0 = System.nanoTime();
        log.info("job run checked", "jobName", "etl-omc-flywheel-dev-addressable-split-and-part", "outcome", "RUNNING");
        long t1 = System.nanoTime();
        log.metrics("job run finished", Map.of("PollsPerJob", 12, "GlueJobRunSeconds", 3721), "JobName",
                "etl-omc-flywheel-dev-addressable-split-and-part");
        long t2 = System.nanoTime();
        log.metrics("job run finished", Map.of("PollsPerJob", 13, "GlueJobRunSeconds", 3722), "JobName",
                "etl-omc-flywheel-dev-infobase-split-and-part");
        long t3 = System.nanoTime();
        System.out.println("EMF_TIMINGS logNs=" + (t1 - t0) + " firstMetricsNs=" + (t2 - t1) + " nextMetricsNs="
                + (t3 - t2));
    }
}
