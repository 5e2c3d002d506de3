package com.omc.flywheel.local.lambda;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.lang.reflect.InvocationTargetException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * What Lambda enforces on one invocation, shared by {@link LocalLambdas} (the Invoke API behind
 * the state machines) and {@link LocalInvoke} ({@code bin/flywheel invoke}): the handler runs on a
 * thread of its own and is abandoned (interrupted) at the function's timeout, which is answered
 * {@code Sandbox.Timedout}; a synchronous invocation's response over 6 MB is
 * {@code Function.ResponseSizeTooLarge}, and a request over 6 MB is refused before any handler runs.
 */
final class LambdaLimits {
    /** The largest request payload of a synchronous Invoke (6 MiB), as the Lambda API checks it. */
    static final int MAX_REQUEST_BYTES = 6_291_456;
    /** The largest response payload of a synchronous Invoke, as Lambda's error message gives it. */
    static final int MAX_RESPONSE_BYTES = 6_291_556;
    private static final ObjectMapper JSON = new ObjectMapper();

    private LambdaLimits() {
    }

    /** How one invocation ended. */
    sealed interface Outcome {
    }

    /** The handler returned this response (not yet checked against the size limit). */
    record Returned(byte[] response) implements Outcome {
    }

    /** The handler threw this (unwrapped from reflection). */
    record Threw(Throwable error) implements Outcome {
    }

    /** The timeout came first: the handler's thread was interrupted and left behind. */
    record TimedOut() implements Outcome {
    }

    /**
     * Runs {@code handler} on a new daemon thread with {@code context} and waits until the
     * context's deadline at most; past it, interrupts the thread and answers {@link TimedOut} (Lambda
     * would freeze and then replace the execution environment; a JVM thread can only be asked to
     * stop, so the caller must never reuse the handler).
     */
    static Outcome run(RequestStreamHandler handler, byte[] request, LocalContext context) {
        CompletableFuture<byte[]> done = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try {
                handler.handleRequest(new ByteArrayInputStream(request), out, context);
                done.complete(out.toByteArray());
            } catch (Throwable e) {
                done.completeExceptionally(e);
            }
        }, "lambda:" + context.getFunctionName() + ":" + context.getAwsRequestId());
        thread.setDaemon(true);
        thread.setContextClassLoader(Thread.currentThread().getContextClassLoader());
        thread.start();
        try {
            return new Returned(done.get(context.getRemainingTimeInMillis(), TimeUnit.MILLISECONDS));
        } catch (TimeoutException e) {
            thread.interrupt();
            return new TimedOut();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            while (cause instanceof InvocationTargetException ite && ite.getCause() != null) {
                cause = ite.getCause();
            }
            return new Threw(cause);
        } catch (InterruptedException e) {
            thread.interrupt();
            Thread.currentThread().interrupt();
            return new Threw(e);
        }
    }

    /** The error Lambda reports for an invocation stopped at its timeout. */
    static String timedOut(String requestId, int timeoutSeconds) {
        return errorJson("Sandbox.Timedout", "RequestId: " + requestId + " Error: Task timed out after "
                + timeoutSeconds + ".00 seconds");
    }

    /** The error Lambda reports for a response over {@link #MAX_RESPONSE_BYTES}. */
    static String responseTooLarge() {
        return errorJson("Function.ResponseSizeTooLarge", "Response payload size exceeded maximum allowed payload size "
                + "("
                + MAX_RESPONSE_BYTES + " bytes).");
    }

    /** The message of the 413 RequestEntityTooLargeException for a request over {@link #MAX_REQUEST_BYTES}. */
    static String requestTooLargeMessage() {
        return "Request must be smaller than " + MAX_REQUEST_BYTES + " bytes for the InvokeFunction operation";
    }

    /** The error object of docs/functions.md: {@code {"errorType", "errorMessage"}}. */
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
