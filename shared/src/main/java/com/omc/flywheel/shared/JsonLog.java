package com.omc.flywheel.shared;

import java.io.PrintStream;
import java.time.Instant;
import java.util.LinkedHashMap;
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
