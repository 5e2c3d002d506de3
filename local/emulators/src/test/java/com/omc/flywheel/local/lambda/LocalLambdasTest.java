package com.omc.flywheel.local.lambda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.omc.flywheel.local.proxy.AwsProxy;
import com.omc.flywheel.shared.InvocationDeadline;
import com.omc.flywheel.shared.JsonHandler;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Lambda's rules as LocalLambdas and LocalInvoke enforce them: the timeout, the payload limits, warm environments. */
class LocalLambdasTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String FN = "omc-flywheel-dev-test-fn";
    private static final Pattern TIMED_OUT = Pattern.compile(
            "RequestId: [0-9a-f-]{36} Error: Task timed out after 1\\.00 seconds");

    /** Sleeps until interrupted (at most 30 s), then records that it was. */
    static final class Sleeper implements RequestStreamHandler {
        static final AtomicInteger BUILT = new AtomicInteger();
        static final CountDownLatch INTERRUPTED = new CountDownLatch(1);

        Sleeper() {
            BUILT.incrementAndGet();
        }

        @Override
        public void handleRequest(InputStream in, OutputStream out, Context context) throws IOException {
            String event = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            if (event.contains("sleep")) {
                try {
                    Thread.sleep(30_000);
                } catch (InterruptedException e) {
                    INTERRUPTED.countDown();
                    return;
                }
            }
            out.write("{\"ok\":true}".getBytes(StandardCharsets.UTF_8));
        }
    }

    private static AwsProxy.Call invoke(String function, byte[] body) {
        return new AwsProxy.Call("lambda", "POST /2015-03-31/functions/" + function + "/invocations", "POST",
                "/2015-03-31/functions/" + function + "/invocations", null, body);
    }

    private static AwsProxy.Call invoke(String function, String body) {
        return invoke(function, body.getBytes(StandardCharsets.UTF_8));
    }

    private static JsonNode json(AwsProxy.Reply reply) throws IOException {
        return JSON.readTree(reply.body());
    }

    @Test
    void aHandlerPastItsTimeoutIsAnsweredSandboxTimedoutAndTheNextInvocationRunsInitAgain() throws Exception {
        LocalLambdas lambdas = new LocalLambdas().register(FN, 1, 512, Sleeper::new);
        int builtBefore = Sleeper.BUILT.get();

        AwsProxy.Reply reply = lambdas.apply(invoke("arn:aws:lambda:us-east-1:123456789012:function:" + FN + ":live",
                "{\"sleep\":true}")).orElseThrow();

        assertEquals(200, reply.status());
        assertEquals("Unhandled", reply.headers().get("X-Amz-Function-Error"));
        JsonNode error = json(reply);
        assertEquals("Sandbox.Timedout", error.path("errorType").asText());
        assertTrue(TIMED_OUT.matcher(error.path("errorMessage").asText()).matches(), error.toString());
        assertTrue(Sleeper.INTERRUPTED.await(10, TimeUnit.SECONDS),
                "the abandoned invocation's thread was interrupted");
        assertEquals(Map.of(FN, 1), lambdas.timeouts());

        AwsProxy.Reply next = lambdas.apply(invoke(FN, "{}")).orElseThrow();
        assertNull(next.headers().get("X-Amz-Function-Error"), new String(next.body(), StandardCharsets.UTF_8));
        assertTrue(json(next).path("ok").asBoolean());
        assertEquals(Map.of(FN, 2), lambdas.inits(), "the timed-out environment was replaced");
        assertEquals(builtBefore + 2, Sleeper.BUILT.get());
        assertEquals(Map.of(FN, 2), lambdas.invocations());

        lambdas.apply(invoke(FN, "{}")).orElseThrow();
        assertEquals(Map.of(FN, 2), lambdas.inits(), "a warm environment is reused after a normal invocation");
        assertEquals(Map.of(FN, 1), lambdas.timeouts());
    }

    @Test
    void aResponseOverSixMegabytesIsFunctionResponseSizeTooLarge() throws Exception {
        byte[] seven = new byte[7 * 1024 * 1024];
        Arrays.fill(seven, (byte) 'a');
        seven[0] = '"';
        seven[seven.length - 1] = '"';
        LocalLambdas lambdas = new LocalLambdas().register(FN, 10, 512, () -> (in, out, context) -> out.write(seven));

        AwsProxy.Reply reply = lambdas.apply(invoke(FN, "{}")).orElseThrow();

        assertEquals("Unhandled", reply.headers().get("X-Amz-Function-Error"));
        assertEquals("{\"errorType\":\"Function.ResponseSizeTooLarge\",\"errorMessage\":\"Response payload size "
                + "exceeded "
                + "maximum allowed payload size (6291556 bytes).\"}", new String(reply.body(), StandardCharsets.UTF_8));
    }

    @Test
    void aRequestOverSixMegabytesIsRefusedWith413AndRunsNothing() throws Exception {
        AtomicInteger ran = new AtomicInteger();
        LocalLambdas lambdas = new LocalLambdas().register(FN, 10, 512,
                () -> (in, out, context) -> ran.incrementAndGet());
        byte[] big = new byte[LambdaLimits.MAX_REQUEST_BYTES + 1];
        Arrays.fill(big, (byte) ' ');

        AwsProxy.Reply reply = lambdas.apply(invoke(FN, big)).orElseThrow();

        assertEquals(413, reply.status());
        assertEquals("RequestEntityTooLargeException", reply.headers().get("x-amzn-ErrorType"));
        assertEquals(0, ran.get());
        assertEquals(Map.of(), lambdas.invocations());
    }

    @Test
    void theRemainingTimeFallsDuringAnInvocationFromTheFunctionsTimeout() throws Exception {
        LocalLambdas lambdas = new LocalLambdas().register(FN, 7, 256, () -> (in, out, context) -> {
            int first = context.getRemainingTimeInMillis();
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            int second = context.getRemainingTimeInMillis();
            out.write(JSON.writeValueAsBytes(Map.of("first", first, "second", second,
                    "memory", context.getMemoryLimitInMB(), "thread", Thread.currentThread().getName())));
        });

        JsonNode seen = json(lambdas.apply(invoke(FN, "{}")).orElseThrow());

        int first = seen.path("first").asInt();
        int second = seen.path("second").asInt();
        assertTrue(first <= 7_000 && first > 0, seen.toString());
        assertTrue(second < first, "the deadline is real: " + seen);
        assertEquals(256, seen.path("memory").asInt());
        assertTrue(seen.path("thread").asText().startsWith("lambda:" + FN + ":"), "its own thread: " + seen);
    }

    record Ping(String name) {
    }

    @Test
    void aJsonHandlerSeesItsInvocationsDeadlineForItsSdkCalls() throws Exception {
        LocalLambdas lambdas = new LocalLambdas().register(FN, 5, 512, () -> new JsonHandler<Ping, Map<String, Long>>(
                "test-fn", Ping.class) {
            @Override
            protected Map<String, Long> handle(Ping event, Context context) {
                return Map.of("remaining", InvocationDeadline.remainingMillis().orElse(-1));
            }
        });

        AwsProxy.Reply reply = lambdas.apply(invoke(FN, "{\"name\":\"x\"}")).orElseThrow();

        long remaining = json(reply).path("remaining").asLong();
        assertTrue(remaining > 0 && remaining <= 5_000, new String(reply.body(), StandardCharsets.UTF_8));
        assertFalse(InvocationDeadline.remainingMillis().isPresent(), "not after the invocation");
    }

    @Test
    void twoInvocationsAtOnceGetTwoExecutionEnvironments() throws Exception {
        CountDownLatch bothIn = new CountDownLatch(2);
        LocalLambdas lambdas = new LocalLambdas().register(FN, 10, 512, () -> (in, out, context) -> {
            bothIn.countDown();
            try {
                if (!bothIn.await(5, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("the other invocation never ran alongside");
                }
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            out.write("{}".getBytes(StandardCharsets.UTF_8));
        });
        Thread other = new Thread(() -> lambdas.apply(invoke(FN, "{}")));
        other.start();
        AwsProxy.Reply reply = lambdas.apply(invoke(FN, "{}")).orElseThrow();
        other.join(10_000);

        assertNull(reply.headers().get("X-Amz-Function-Error"), new String(reply.body(), StandardCharsets.UTF_8));
        assertEquals(Map.of(FN, 2), lambdas.inits());
    }

    @Test
    void aHandlerThatThrowsIsUnhandledWithItsSimpleClassNameAndItsEnvironmentStaysWarm() throws Exception {
        LocalLambdas lambdas = new LocalLambdas().register(FN, 10, 512, () -> (in, out, context) -> {
            throw new IllegalArgumentException("bad \"input\"");
        });

        AwsProxy.Reply reply = lambdas.apply(invoke(FN, "{}")).orElseThrow();
        lambdas.apply(invoke(FN, "{}")).orElseThrow();

        assertEquals("Unhandled", reply.headers().get("X-Amz-Function-Error"));
        assertEquals("{\"errorType\":\"IllegalArgumentException\",\"errorMessage\":\"bad \\\"input\\\"\"}",
                new String(reply.body(), StandardCharsets.UTF_8));
        assertEquals(Map.of(FN, 1), lambdas.inits());
        assertEquals(Map.of(), lambdas.timeouts());
    }

    @Test
    void timeoutsAndMemoryOutsideLambdasRangesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new LocalLambdas().register(FN, 901, 512, Sleeper::new));
        assertThrows(IllegalArgumentException.class, () -> new LocalLambdas().register(FN, 60, 64, Sleeper::new));
    }

    @Test
    void localInvokeStopsAtTheTimeoutAndPrintsSandboxTimedout(@TempDir Path dir) throws Exception {
        Path event = Files.writeString(dir.resolve("event.json"), "{\"sleep\":true}");
        ByteArrayOutputStream out = new ByteArrayOutputStream();

        int code = LocalInvoke.run(Sleeper.class.getName(), event, "test-fn", 1, 512,
                new PrintStream(out, true, StandardCharsets.UTF_8));

        assertEquals(1, code);
        JsonNode error = JSON.readTree(out.toString(StandardCharsets.UTF_8));
        assertEquals("Sandbox.Timedout", error.path("errorType").asText());
        assertTrue(TIMED_OUT.matcher(error.path("errorMessage").asText()).matches(), error.toString());
    }

    @Test
    void localInvokeRefusesAnEventOverSixMegabytes(@TempDir Path dir) throws Exception {
        byte[] big = new byte[LambdaLimits.MAX_REQUEST_BYTES + 1];
        Arrays.fill(big, (byte) ' ');
        Path event = Files.write(dir.resolve("big.json"), big);
        ByteArrayOutputStream out = new ByteArrayOutputStream();

        int code = LocalInvoke.run(Sleeper.class.getName(), event, "test-fn", 10, 512,
                new PrintStream(out, true, StandardCharsets.UTF_8));

        assertEquals(1, code);
        assertEquals("RequestEntityTooLargeException", JSON.readTree(out.toString(StandardCharsets.UTF_8))
                .path("errorType").asText());
    }
}
