package com.omc.flywheel.local;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code bin/flywheel invoke}: runs one handler once in this fresh JVM, the way Lambda would, with no
 * Docker. Init (the no-argument constructor, where clients are built) then one request; the result
 * JSON on standard output and exit 0, or the error object
 * {@code {"errorType": "<simple class name>", "errorMessage": "..."}} and exit 1. Logs go to
 * standard error, as the functions write them.
 *
 * <p>Arguments: {@code HANDLER_CLASS EVENT_FILE FUNCTION_NAME TIMEOUT_SECONDS MEMORY_MB}.
 */
public final class LocalInvoke {
    private static final ObjectMapper JSON = new ObjectMapper();

    private LocalInvoke() {
    }

    public static void main(String[] args) {
        if (args.length != 5) {
            System.err.println("usage: LocalInvoke HANDLER_CLASS EVENT_FILE FUNCTION_NAME TIMEOUT_SECONDS MEMORY_MB");
            System.exit(2);
        }
        PrintStream stdout = System.out;
        // Anything a handler prints goes to stderr, as in CloudWatch; stdout carries only the answer.
        System.setOut(System.err);
        int code = run(args[0], Path.of(args[1]), args[2], Integer.parseInt(args[3]), Integer.parseInt(args[4]), stdout);
        stdout.flush();
        System.exit(code);
    }

    static int run(String handlerClass, Path event, String functionName, int timeoutSeconds, int memoryMb,
                   PrintStream out) {
        byte[] body;
        try {
            body = Files.readAllBytes(event);
        } catch (IOException e) {
            out.println(errorJson("EventFileNotFound", "cannot read the event file " + event + ": " + e.getMessage()));
            return 1;
        }
        try {
            long t0 = System.nanoTime();
            RequestStreamHandler handler = (RequestStreamHandler) Class.forName(handlerClass)
                    .getDeclaredConstructor().newInstance();
            long t1 = System.nanoTime();
            ByteArrayOutputStream result = new ByteArrayOutputStream();
            try (InputStream in = new java.io.ByteArrayInputStream(body)) {
                handler.handleRequest(in, result, new LocalContext(functionName, timeoutSeconds, memoryMb));
            }
            if (System.getenv("FLYWHEEL_TIMINGS") != null) {
                // Lambda's split: init (class loading, clients) and the first invoke.
                System.err.println("FLYWHEEL_TIMINGS initMs=" + (t1 - t0) / 1_000_000 + " invokeMs="
                        + (System.nanoTime() - t1) / 1_000_000);
            }
            out.println(result.toString(StandardCharsets.UTF_8));
            return 0;
        } catch (InvocationTargetException e) {
            return fail(e.getCause(), out);
        } catch (Throwable e) {
            return fail(e, out);
        }
    }

    private static int fail(Throwable e, PrintStream out) {
        e.printStackTrace(System.err);
        out.println(errorJson(e.getClass().getSimpleName(), e.getMessage() == null ? e.toString() : e.getMessage()));
        return 1;
    }

    /** The error object of CONTRACTS.md. */
    static String errorJson(String type, String message) {
        Map<String, String> error = new LinkedHashMap<>();
        error.put("errorType", type);
        error.put("errorMessage", message);
        try {
            return JSON.writeValueAsString(error);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
