package com.omc.flywheel.local.lambda;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.omc.flywheel.local.proxy.AwsProxy;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Deque;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Lambda Invoke API ({@code POST /2015-03-31/functions/{name}/invocations}) answered in this JVM
 * by the real handlers, the way the Lambda service would: the result as the body, or on an
 * exception the header {@code X-Amz-Function-Error: Unhandled} and {@code {errorType, errorMessage}},
 * which Step Functions turns into a task failure named after errorType.
 *
 * <p>Lambda's rules, enforced: each function has its timeout and memory (template.yaml's), and each
 * invocation a {@link LocalContext} with that deadline; the handler runs on a thread of its own and
 * at the deadline is abandoned (interrupted) and answered {@code Sandbox.Timedout}, and its execution
 * environment (the handler instance) is discarded, so the next invocation runs init again, as Lambda
 * replaces an environment after a timeout. A response over 6 MB is {@code Function.ResponseSizeTooLarge};
 * a request over 6 MB is refused with HTTP 413 {@code RequestEntityTooLargeException}.
 *
 * <p>Execution environments: a handler is built on demand (its init, counted in {@link #inits()})
 * and reused by later invocations (warm); two invocations at once get two environments, as on Lambda.
 * Functions loaded from their packages ({@link FunctionPackages}) share one class loader, so their
 * static state is shared between environments of the same function, unlike on Lambda.
 */
public final class LocalLambdas implements AwsProxy.Rule {
    private static final Pattern INVOKE = Pattern.compile("^/2015-03-31/functions/([^/]+)/invocations$");

    /** A registered function: what Lambda knows of it. */
    private record Function(String name, int timeoutSeconds, int memoryMb, Supplier<RequestStreamHandler> factory) {
    }

    private final Map<String, Function> functions = new ConcurrentHashMap<>();
    /** Idle warm environments per function, the most recently used first. */
    private final Map<String, Deque<RequestStreamHandler>> idle = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> invocations = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> inits = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> timeouts = new ConcurrentHashMap<>();

    /**
     * Registers a function by name (e.g. {@code omc-flywheel-dev-start-glue-job}) with its Timeout
     * (seconds, 1 to 900) and MemorySize (MB, 128 to 10,240), as template.yaml deploys it.
     */
    public LocalLambdas register(String functionName, int timeoutSeconds, int memoryMb,
                                 Supplier<RequestStreamHandler> factory) {
        if (timeoutSeconds < 1 || timeoutSeconds > 900) {
            throw new IllegalArgumentException(functionName + ": Lambda's timeout is 1 to 900 seconds, not "
                    + timeoutSeconds);
        }
        if (memoryMb < 128 || memoryMb > 10_240) {
            throw new IllegalArgumentException(functionName + ": Lambda's memory is 128 to 10240 MB, not " + memoryMb);
        }
        functions.put(functionName, new Function(functionName, timeoutSeconds, memoryMb, factory));
        idle.remove(functionName);
        return this;
    }

    /**
     * Registers a function with template.yaml's Globals as they were (60 s, 512 MB).
     *
     * @deprecated pass the function's own Timeout and MemorySize from template.yaml
     *             ({@link #register(String, int, int, Supplier)}): Lambda stops a function at its timeout.
     */
    @Deprecated
    public LocalLambdas register(String functionName, Supplier<RequestStreamHandler> factory) {
        return register(functionName, 60, 512, factory);
    }

    /** Invocations so far per function name. */
    public Map<String, Integer> invocations() {
        return snapshot(invocations);
    }

    /** Execution environments built (handler inits) so far per function name. */
    public Map<String, Integer> inits() {
        return snapshot(inits);
    }

    /** Invocations stopped at their timeout ({@code Sandbox.Timedout}) so far per function name. */
    public Map<String, Integer> timeouts() {
        return snapshot(timeouts);
    }

    /** Clears the counts; the registered functions and their warm environments stay. */
    /**
     * Drops every warm environment, as a deploy does: the next invocation of each function runs its
     * init again, reading its settings anew.
     */
    public void coldStart() {
        idle.clear();
    }

    public void resetCounts() {
        invocations.clear();
        inits.clear();
        timeouts.clear();
    }

    private static Map<String, Integer> snapshot(Map<String, AtomicInteger> counts) {
        Map<String, Integer> out = new TreeMap<>();
        counts.forEach((k, v) -> out.put(k, v.get()));
        return out;
    }

    @Override
    public Optional<AwsProxy.Reply> apply(AwsProxy.Call call) {
        Matcher m = INVOKE.matcher(call.path());
        if (!call.method().equals("POST") || !m.matches()) {
            return Optional.empty();
        }
        String name = functionName(URLDecoder.decode(m.group(1), StandardCharsets.UTF_8));
        Function function = functions.get(name);
        if (function == null) {
            return Optional.of(AwsProxy.Reply.awsError(404, "ResourceNotFoundException", "Function not found: " + name
                    + " (registered: " + functions.keySet() + ")"));
        }
        if (call.body().length > LambdaLimits.MAX_REQUEST_BYTES) {
            return Optional.of(AwsProxy.Reply.awsError(413, "RequestEntityTooLargeException",
                    LambdaLimits.requestTooLargeMessage()));
        }
        invocations.computeIfAbsent(name, k -> new AtomicInteger()).incrementAndGet();
        RequestStreamHandler handler;
        try {
            handler = environment(function);
        } catch (Throwable e) {
            return Optional.of(unhandled(error(e)));
        }
        LocalContext context = new LocalContext(name, function.timeoutSeconds(), function.memoryMb());
        byte[] request = call.body().length == 0 ? "{}".getBytes(StandardCharsets.UTF_8) : call.body();
        LambdaLimits.Outcome outcome = LambdaLimits.run(handler, request, context);
        if (outcome instanceof LambdaLimits.TimedOut) {
            // The environment is not returned to the pool: the next invocation builds a new one.
            timeouts.computeIfAbsent(name, k -> new AtomicInteger()).incrementAndGet();
            return Optional.of(unhandled(LambdaLimits.timedOut(context.getAwsRequestId(), function.timeoutSeconds())));
        }
        idle.computeIfAbsent(name, k -> new ConcurrentLinkedDeque<>()).offerFirst(handler);
        if (outcome instanceof LambdaLimits.Threw threw) {
            return Optional.of(unhandled(error(threw.error())));
        }
        byte[] response = ((LambdaLimits.Returned) outcome).response();
        if (response.length > LambdaLimits.MAX_RESPONSE_BYTES) {
            return Optional.of(unhandled(LambdaLimits.responseTooLarge()));
        }
        return Optional.of(new AwsProxy.Reply(200, Map.of("Content-Type", "application/json",
                "X-Amz-Executed-Version", "1"), response));
    }

    /** An idle warm environment of the function, or a new one (its init). */
    private RequestStreamHandler environment(Function function) {
        Deque<RequestStreamHandler> warm = idle.get(function.name());
        RequestStreamHandler handler = warm == null ? null : warm.pollFirst();
        if (handler != null) {
            return handler;
        }
        inits.computeIfAbsent(function.name(), k -> new AtomicInteger()).incrementAndGet();
        return function.factory().get();
    }

    private static String error(Throwable e) {
        Throwable cause = e instanceof java.lang.reflect.InvocationTargetException ite && ite.getCause() != null
                ? ite.getCause() : e;
        return LambdaLimits.errorJson(cause.getClass().getSimpleName(), String.valueOf(cause.getMessage()));
    }

    private static AwsProxy.Reply unhandled(String errorJson) {
        return new AwsProxy.Reply(200, Map.of("Content-Type", "application/json", "X-Amz-Function-Error", "Unhandled"),
                errorJson.getBytes(StandardCharsets.UTF_8));
    }

    /** {@code arn:aws:lambda:r:a:function:NAME[:QUALIFIER]} or {@code NAME[:QUALIFIER]} to NAME. */
    static String functionName(String id) {
        return id.startsWith("arn:") ? id.split(":")[6] : id.split(":")[0];
    }
}
