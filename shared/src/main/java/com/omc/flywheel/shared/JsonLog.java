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
    private static final ThreadLocal<String> REQUEST_ID = new ThreadLocal<>();
    private static volatile PrintStream out = System.err;
    private final String function;

    private JsonLog(String function) {
        this.function = function;
    }

    public static JsonLog forFunction(String function) {
        return new JsonLog(function);
    }

    /** Sets the request id carried by every line this thread logs until {@link #clearRequest()}. */
    public static void beginRequest(String requestId) {
        REQUEST_ID.set(requestId);
    }

    public static void clearRequest() {
        REQUEST_ID.remove();
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
        String requestId = REQUEST_ID.get();
        if (requestId != null) {
            line.put("requestId", requestId);
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
