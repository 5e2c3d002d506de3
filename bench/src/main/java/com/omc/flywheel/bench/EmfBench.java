package com.omc.flywheel.bench;

import com.omc.flywheel.local.fixtures.SampleEvents;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The cold-start cost of the functions' CloudWatch embedded metric format lines (issue 16): in a
 * fresh JVM with Lambda's flags, on check-status' deployment package (ProGuard-shrunk, as
 * deployed), the first EMF line's time next to the first ordinary log line's (the baseline every
 * invocation pays anyway) and to the JVM's own start ({@code java -version}), all measured in this
 * run; medians of RUNS fresh JVMs. Also the first metrics line of a JVM that ran SnapStart's
 * priming first (what a restored function pays).
 *
 * <p>Usage: {@code bench/run emf [RUNS]} (default 15)
 */
public final class EmfBench {
    private static final Pattern TIMINGS = Pattern.compile("EMF_TIMINGS logNs=([0-9]+) firstMetricsNs=([0-9]+) "
            + "nextMetricsNs=([0-9]+)");

    private EmfBench() {
    }

    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 15;
        Path root = SampleEvents.repoRoot();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String cp = root.resolve("functions/check-status/target/check-status-lambda/lib") + File.separator + "*"
                + File.pathSeparator + root.resolve("bench/target/classes");
        List<Long> log = new ArrayList<>();
        List<Long> first = new ArrayList<>();
        List<Long> next = new ArrayList<>();
        List<Long> bare = new ArrayList<>();
        List<Long> primed = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            long t = System.nanoTime();
            run(List.of(java, "-XX:+TieredCompilation", "-XX:TieredStopAtLevel=1", "-version"));
            bare.add((System.nanoTime() - t) / 1000);
            String out = run(List.of(java, "-XX:+TieredCompilation", "-XX:TieredStopAtLevel=1", "-Xshare:auto", "-cp",
                    cp,
                    EmfProbe.class.getName()));
            Matcher m = TIMINGS.matcher(out);
            if (!m.find()) {
                throw new IllegalStateException("the probe printed no timings: " + out);
            }
            log.add(Long.parseLong(m.group(1)) / 1000);
            first.add(Long.parseLong(m.group(2)) / 1000);
            next.add(Long.parseLong(m.group(3)) / 1000);
            String primedOut = run(List.of(java, "-XX:+TieredCompilation", "-XX:TieredStopAtLevel=1", "-Xshare:auto",
                    "-cp", cp,
                    EmfProbe.class.getName(), "primed"));
            Matcher p = TIMINGS.matcher(primedOut);
            if (!p.find()) {
                throw new IllegalStateException("the primed probe printed no timings: " + primedOut);
            }
            primed.add(Long.parseLong(p.group(2)) / 1000);
        }
        Map<String, Object> results = new LinkedHashMap<>();
        results.put("benchmark", "emf");
        results.put("command", "bench/run emf " + runs);
        results.put("package", "functions/check-status/target/check-status-lambda/lib (as deployed)");
        results.put("runs", runs);
        results.put("bareJvmStartMicros", median(bare));
        results.put("firstLogLineMicros", median(log));
        results.put("firstMetricsLineMicros", median(first));
        results.put("nextMetricsLineMicros", median(next));
        results.put("firstMetricsLineAfterSnapStartPrimingMicros", median(primed));
        results.put("firstMetricsOverFirstLogLine", round((double) median(first) / Math.max(1, median(log))));
        results.put("firstMetricsOverBareJvmStart", round((double) median(first) / Math.max(1, median(bare))));
        System.out.printf("median of %d fresh JVMs (µs): bare JVM start %d, first log line %d, first EMF line %d, next "
                + "EMF line %d%n",
                runs, median(bare), median(log), median(first), median(next));
        System.out.printf("first EMF line = %.3fx the first log line, %.4fx a bare JVM start; after SnapStart's "
                + "priming %d µs%n",
                (double) median(first) / Math.max(1, median(log)), (double) median(first) / Math.max(1, median(bare)),
                median(primed));
        BenchResults.write("emf", results);
    }

    private static String run(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(false).start();
        // The probe's log lines go to standard error: read and dropped, as CloudWatch would take them.
        Thread drain = new Thread(() -> {
            try {
                p.getErrorStream().transferTo(java.io.OutputStream.nullOutputStream());
            } catch (java.io.IOException ignored) {
                // the process ended
            }
        });
        drain.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(command + " failed: " + out);
        }
        drain.join();
        return out;
    }

    private static long median(List<Long> values) {
        List<Long> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }
}
