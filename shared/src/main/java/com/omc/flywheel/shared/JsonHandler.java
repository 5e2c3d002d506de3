package com.omc.flywheel.shared;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.omc.flywheel.shared.errors.FlywheelException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * The shape of every handler: read the event strictly into a record (invalid input fails here,
 * before any AWS call), hand it to the service, write the result. A subclass only says which record
 * it reads and which service method it calls.
 *
 * @param <I> the event record
 * @param <O> the result record
 */
public abstract class JsonHandler<I, O> implements RequestStreamHandler {
    private final Class<I> eventType;
    protected final JsonLog log;

    protected JsonHandler(String function, Class<I> eventType) {
        this.eventType = eventType;
        this.log = JsonLog.forFunction(function);
        Priming.register(function, this::prime);
    }

    /**
     * Runs before a SnapStart snapshot: reads an empty event (Jackson and the validation path load),
     * builds a metrics line (the embedded metric format's classes), then {@link #primeAws()}.
     */
    protected void prime() {
        try {
            Events.read(new java.io.ByteArrayInputStream("{}".getBytes(java.nio.charset.StandardCharsets.UTF_8)),
                    eventType);
        } catch (FlywheelException expected) {
            // the empty event is invalid for every function: the error path is primed too
        }
        JsonLog.primeMetrics();
        primeAws();
    }

    /**
     * A cheap call per client, whatever its answer (a denied or missing resource still loads the
     * signer, the HTTP path and the error unmarshaller). Functions override it.
     */
    protected void primeAws() {
    }

    /** Runs the step for a validated event. */
    protected abstract O handle(I event, Context context);

    /**
     * Runs one request. For its length the invocation's deadline ({@link Context#getRemainingTimeInMillis()})
     * is recorded in {@link InvocationDeadline}, so every AWS call made for it, on any thread, ends
     * before the invocation does.
     */
    @Override
    public final void handleRequest(InputStream input, OutputStream output, Context context) {
        JsonLog.beginRequest(context == null ? null : context.getAwsRequestId());
        long start = System.nanoTime();
        // The invocation's deadline, for the SDK clients' call timeouts (DeadlineInterceptor).
        InvocationDeadline.Scope deadline = InvocationDeadline.begin(context);
        try {
            I event = Events.read(input, eventType);
            O result = handle(event, context);
            Events.write(output, result);
            log.info("request finished", "outcome", "SUCCEEDED", "durationMs", (System.nanoTime() - start) / 1_000_000);
        } catch (FlywheelException e) {
            log.error("request failed", "outcome", "FAILED", "errorType", e.errorType(), "errorMessage",
                    e.getMessage(), "durationMs", (System.nanoTime() - start) / 1_000_000);
            throw e;
        } catch (RuntimeException e) {
            log.error("request failed", "outcome", "FAILED", "errorType", e.getClass().getSimpleName(),
                    "errorMessage", e.getMessage(), "durationMs", (System.nanoTime() - start) / 1_000_000);
            throw e;
        } finally {
            deadline.close();
            JsonLog.clearRequest();
        }
    }
}
