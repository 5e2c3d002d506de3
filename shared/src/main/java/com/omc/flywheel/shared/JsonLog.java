package com.omc.flywheel.shared;

import java.io.PrintStream;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One JSON object a line, on standard error (Lambda sends it to CloudWatch; locally it keeps
 * standard output clean for the result). Every line carries the function and the current request
 * id; callers add the job, table, run or query and the outcome as fields. Never log credentials or
 * whole query results.
 */
public final class JsonLog {
    /** The current invocation's request id, seen by every thread (one invocation at a time). */
    private static volatile String requestId;
    private static volatile PrintStream out = System.err;
    private final String function;

    private JsonLog(String function) {
        this.function = function;
    }

    public static JsonLog forFunction(String function) {
        return new JsonLog(function);
    }

    /**
     * Sets the request id carried by every line logged, from any thread (the handler's and its
     * workers'), until {@link #clearRequest()}.
     */
    public static void beginRequest(String requestId) {
        JsonLog.requestId = requestId;
    }

    public static void clearRequest() {
        requestId = null;
    }

    /** The current invocation's request id, or null between invocations. */
    public static String currentRequestId() {
        return requestId;
    }

    /** Tests capture the log through this. */
    public static void redirect(PrintStream stream) {
        out = stream;
    }

    /** Log levels, for a line whose level depends on its outcome. */
    public enum Level { INFO, WARN, ERROR }

    public void at(Level level, String message, Object... keyValues) {
        emit(level.name(), message, keyValues);
    }

    public void info(String message, Object... keyValues) {
        emit("INFO", message, keyValues);
    }

    public void warn(String message, Object... keyValues) {
        emit("WARN", message, keyValues);
    }

    public void error(String message, Object... keyValues) {
        emit("ERROR", message, keyValues);
    }

    /** The namespace of the product's own CloudWatch metrics. */
    public static final String METRICS_NAMESPACE = "OMC/Flywheel";

    /**
     * Metrics as one CloudWatch embedded metric format (EMF) line on the log: CloudWatch Logs turns
     * it into metrics in {@value #METRICS_NAMESPACE} (no API call, no client at init). Every metric
     * is published by {@code Environment} (FLYWHEEL_ENV), and also by the extra dimension when one
     * is given ({@code "JobName", job}); counts carry unit Count, names ending in Seconds unit
     * Seconds. The line also carries the function, the request id and {@code message}.
     */
    public void metrics(String message, Map<String, ? extends Number> values, String dimension, String dimensionValue) {
        String json = metricsLine(message, values, dimension, dimensionValue);
        PrintStream target = out;
        synchronized (target) {
            target.println(json);
        }
    }

    /**
     * SnapStart: builds one metrics line without writing it, so the classes an embedded-metric line
     * needs are in the snapshot (bench/run emf: the first such line costs about a tenth of the
     * first log line in a fresh JVM).
     */
    public static void primeMetrics() {
        forFunction("priming").metricsLine("primed", Map.of("Primed", 1, "PrimedSeconds", 0.0), "JobName", "priming");
    }

    /** The embedded metric format line of {@link #metrics}, as JSON. */
    String metricsLine(String message, Map<String, ? extends Number> values, String dimension, String dimensionValue) {
        Map<String, Object> line = new LinkedHashMap<>();
        List<List<String>> dimensionSets = new java.util.ArrayList<>();
        dimensionSets.add(List.of("Environment"));
        if (dimension != null) {
            dimensionSets.add(List.of("Environment", dimension));
        }
        List<Map<String, String>> definitions = new java.util.ArrayList<>();
        for (String name : values.keySet()) {
            Map<String, String> definition = new LinkedHashMap<>();
            definition.put("Name", name);
            definition.put("Unit", name.endsWith("Seconds") ? "Seconds" : "Count");
            definitions.add(definition);
        }
        line.put("_aws", Map.of("Timestamp", System.currentTimeMillis(), "CloudWatchMetrics",
                List.of(Map.of("Namespace", METRICS_NAMESPACE, "Dimensions", dimensionSets, "Metrics", definitions))));
        line.put("Environment", Settings.value("FLYWHEEL_ENV", "unknown"));
        if (dimension != null) {
            line.put(dimension, dimensionValue);
        }
        line.putAll(values);
        line.put("level", "INFO");
        line.put("function", function);
        String id = requestId;
        if (id != null) {
            line.put("requestId", id);
        }
        line.put("message", message);
        return Events.toJson(line);
    }

    private void emit(String level, String message, Object... keyValues) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("timestamp", Instant.now().toString());
        line.put("level", level);
        line.put("function", function);
        String id = requestId;
        if (id != null) {
            line.put("requestId", id);
        }
        line.put("message", message);
        for (int i = 0; i + 1 < keyValues.length; i += 2) {
            Object v = keyValues[i + 1];
            if (v != null) {
                line.put(String.valueOf(keyValues[i]), v instanceof Throwable t ? t.toString() : v);
            }
        }
        String json = Events.toJson(line);
        PrintStream target = out;
        synchronized (target) {
            target.println(json);
        }
    }
}
