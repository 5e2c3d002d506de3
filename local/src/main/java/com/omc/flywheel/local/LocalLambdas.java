package com.omc.flywheel.local;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Lambda Invoke API ({@code POST /2015-03-31/functions/{name}/invocations}) answered in this JVM
 * by the real handlers, the way the Lambda service would: the result as the body, or on an
 * exception the header {@code X-Amz-Function-Error: Unhandled} and {@code {errorType, errorMessage}},
 * which Step Functions turns into a task failure named after errorType. Each handler is built on its
 * first invocation (its init), then reused (a warm execution environment).
 */
public final class LocalLambdas implements AwsProxy.Rule {
    private static final Pattern INVOKE = Pattern.compile("^/2015-03-31/functions/([^/]+)/invocations$");
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Map<String, Supplier<RequestStreamHandler>> factories = new ConcurrentHashMap<>();
    private final Map<String, RequestStreamHandler> warm = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> invocations = new ConcurrentHashMap<>();

    /** Registers a function by name (e.g. {@code omc-flywheel-dev-start-glue-job}). */
    public LocalLambdas register(String functionName, Supplier<RequestStreamHandler> factory) {
        factories.put(functionName, factory);
        return this;
    }

    /** Invocations so far per function name. */
    public Map<String, Integer> invocations() {
        Map<String, Integer> out = new TreeMap<>();
        invocations.forEach((k, v) -> out.put(k, v.get()));
        return out;
    }

    public void resetCounts() {
        invocations.clear();
    }

    @Override
    public Optional<AwsProxy.Reply> apply(AwsProxy.Call call) {
        Matcher m = INVOKE.matcher(call.path());
        if (!call.method().equals("POST") || !m.matches()) {
            return Optional.empty();
        }
        String name = functionName(URLDecoder.decode(m.group(1), StandardCharsets.UTF_8));
        Supplier<RequestStreamHandler> factory = factories.get(name);
        if (factory == null) {
            return Optional.of(AwsProxy.Reply.awsError(404, "ResourceNotFoundException", "Function not found: " + name
                    + " (registered: " + factories.keySet() + ")"));
        }
        invocations.computeIfAbsent(name, k -> new AtomicInteger()).incrementAndGet();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            RequestStreamHandler handler = warm.computeIfAbsent(name, k -> factory.get());
            handler.handleRequest(new ByteArrayInputStream(call.body().length == 0 ? "{}".getBytes(StandardCharsets.UTF_8)
                    : call.body()), out, new LocalContext(name, 900, 1024));
            return Optional.of(new AwsProxy.Reply(200, Map.of("Content-Type", "application/json",
                    "X-Amz-Executed-Version", "1"), out.toByteArray()));
        } catch (Throwable e) {
            Throwable cause = e instanceof java.lang.reflect.InvocationTargetException ite ? ite.getCause() : e;
            Map<String, String> error = new java.util.LinkedHashMap<>();
            error.put("errorType", cause.getClass().getSimpleName());
            error.put("errorMessage", String.valueOf(cause.getMessage()));
            try {
                return Optional.of(new AwsProxy.Reply(200, Map.of("Content-Type", "application/json",
                        "X-Amz-Function-Error", "Unhandled"), JSON.writeValueAsBytes(error)));
            } catch (java.io.IOException io) {
                throw new IllegalStateException(io);
            }
        }
    }

    /** {@code arn:aws:lambda:r:a:function:NAME[:QUALIFIER]} or {@code NAME[:QUALIFIER]} to NAME. */
    static String functionName(String id) {
        String name = id.startsWith("arn:") ? id.split(":")[6] : id.split(":")[0];
        return name;
    }
}
